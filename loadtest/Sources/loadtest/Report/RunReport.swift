import Foundation
import Histogram

/// Everything a run measured and found; written as JSON, text and HTML.
struct RunReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var count: UInt64
        var p50Ms: Double
        var p99Ms: Double
        var p999Ms: Double
        var maxMs: Double
    }

    struct Second: Codable, Sendable {
        var t: Int
        var operations: Int
        var p99Ms: Double
    }

    struct BaselineFigures: Codable, Sendable {
        var mysqlRowLockHoldsPerS: Double?
        var redisDecrPerS: Double?
        var hotstockOverMySQL: Double?
        var hotstockOverRedisDecr: Double?
    }

    var scenario: Scenario
    var target: String
    var loadSeconds: Double
    /// Holds placed per second (in a `cart` run, orders placed: every line or none).
    var holdsPerSecond: Double
    var operationsPerSecond: Double
    var latency: [String: Latency]
    var outcomes: [String: [String: Int]]
    var timeline: [Second]
    var stock: [StockSampler.Point]
    var findings: InvariantChecker.Findings
    var baselines: BaselineFigures?

    var passed: Bool { findings.violations.isEmpty }

    static func latency(_ histogram: Histogram<UInt64>) -> Latency {
        Latency(
            count: histogram.totalCount,
            p50Ms: Double(histogram.valueAtPercentile(50)) / 1000,
            p99Ms: Double(histogram.valueAtPercentile(99)) / 1000,
            p999Ms: Double(histogram.valueAtPercentile(99.9)) / 1000,
            maxMs: Double(histogram.max) / 1000
        )
    }

    /// The text summary printed at the end of a run.
    var text: String {
        var lines = [
            "scenario \(scenario.name) (\(scenario.kind)) against \(target): \(scenario.buyers) buyers, concurrency \(scenario.concurrency), seed \(scenario.seed)",
            String(
                format: "load %.2f s: %.0f \(scenario.kind == "cart" ? "orders" : "holds")/s, %.0f requests/s",
                loadSeconds,
                holdsPerSecond,
                operationsPerSecond
            ),
        ]
        for (operation, figures) in latency.sorted(by: { $0.key < $1.key }) {
            lines.append(
                String(
                    format: "  %-8@ n=%llu  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms",
                    operation as NSString,
                    figures.count,
                    figures.p50Ms,
                    figures.p99Ms,
                    figures.p999Ms,
                    figures.maxMs
                )
            )
        }
        for (operation, codes) in outcomes.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  \(operation): "
                    + codes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            )
        }
        lines.append(
            "sweeper: \(findings.expiredHolds) holds expired, lateness p99 \(findings.sweeperLatenessP99Ms) ms, max \(findings.sweeperLatenessMaxMs) ms"
        )
        if findings.ordersChecked > 0 {
            lines.append(
                "orders: \(findings.ordersChecked) checked after recovery, \(findings.partialOrders) partly held, confirmed or released"
            )
        }
        if findings.codesDelivered > 0 {
            lines.append(
                "codes: \(findings.codesDelivered) delivered and checked (one order each, from the loaded pool)"
            )
        }
        if let catchUp = findings.mysqlCatchUpMs {
            lines.append("MySQL equal to Redis \(catchUp) ms after the load stopped")
        }
        if let baselines {
            if let mysql = baselines.mysqlRowLockHoldsPerS, let ratio = baselines.hotstockOverMySQL {
                lines.append(String(format: "baseline MySQL row lock: %.0f holds/s — HotStock %.1fx", mysql, ratio))
            }
            if let decr = baselines.redisDecrPerS, let ratio = baselines.hotstockOverRedisDecr {
                lines.append(String(format: "baseline Redis DECRBY: %.0f ops/s — HotStock %.2fx", decr, ratio))
            }
        }
        if findings.violations.isEmpty {
            lines.append("invariants: all hold")
        } else {
            lines.append("INVARIANT VIOLATIONS (\(findings.violations.count)):")
            lines += findings.violations.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// Writes `report.json` and `report.html` into `folder`.
    func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appending(path: "report.json"))
        try HTMLReport(report: self).html.write(
            to: folder.appending(path: "report.html"),
            atomically: true,
            encoding: .utf8
        )
    }
}
