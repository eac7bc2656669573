import Foundation
import Testing

/// DESIGN section 15: every metric the alert rules and the dashboard name is one a live
/// `hotstock serve` exposes, every alert has a firing and a quiet test case, and every
/// alert links a runbook section that exists.
@Suite("The ops kit names only live metrics")
struct OpsKitTests {
    /// The repository's root (this file is Tests/hotstockTests/OpsKitTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appending(path: path), encoding: .utf8)
    }

    /// The metric names in PromQL expressions.
    static func metricNames(in expressions: [String]) -> Set<String> {
        var names = Set<String>()
        for expression in expressions {
            for match in expression.matches(of: /\b(hotstock_[a-z_]+|http_server_[a-z_]+|hb_[a-z_]+)\b/) {
                names.insert(String(match.1))
            }
        }
        return names
    }

    static var ruleExpressions: [String] {
        get throws {
            try read("ops/prometheus/alerts.yml").split(separator: "\n").map(String.init)
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        }
    }

    static var dashboardExpressions: [String] {
        get throws {
            let board = try JSONSerialization.jsonObject(with: Data(read("ops/grafana/hotstock.json").utf8))
            let panels = (board as? [String: Any])?["panels"] as? [[String: Any]] ?? []
            return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        }
    }

    @Test func everyAlertHasAFiringAndAQuietCaseAndARunbookSection() throws {
        let rules = try Self.read("ops/prometheus/alerts.yml")
        let alerts = rules.matches(of: /- alert: (\w+)/).map { String($0.1) }
        #expect(alerts.count >= 10)
        let tests = try Self.read("ops/prometheus/alerts_test.yml")
        for alert in alerts {
            let cases = tests.matches(of: /alertname: (\w+)\n\s+exp_alerts:( \[\])?/).filter { $0.1 == alert }
            #expect(cases.contains { $0.2 == nil }, "\(alert) has no firing case")
            #expect(cases.contains { $0.2 != nil }, "\(alert) has no quiet case")
        }
        let runbook = try Self.read("ops/RUNBOOK.md")
        let sections = Set(
            runbook.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { line in
                String(line.dropFirst(3)).lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }
                    .replacingOccurrences(of: " ", with: "-")
            }
        )
        let links = rules.matches(of: /runbook_url: "ops\/RUNBOOK\.md#([a-z0-9-]+)"/).map { String($0.1) }
        #expect(links.count == alerts.count)
        for link in links { #expect(sections.contains(link), "no runbook section #\(link)") }
    }

    @Test func theRulesAndTheDashboardNameOnlyLiveMetrics() async throws {
        // A namespace of its own: the server's syncer trims the outbox it reads, which
        // other tests read raw.
        let space = ["HOTSTOCK_NAMESPACE": "opskit"]
        // A codes SKU before the server starts, so its pool is measured at once.
        let codes = CommandLineTests.uniqueSKU()
        #expect(
            try CommandLineTests.hotstock(["stock", "set", codes, "--kind", "codes"], environment: space).status == 0
        )
        let file = FileManager.default.temporaryDirectory.appending(path: "ops-kit-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "OPS-KIT-1\nOPS-KIT-2\n".write(to: file, atomically: true, encoding: .utf8)
        let load = ["codes", "load", codes, file.path, "--batch", "b1"]
        #expect(try CommandLineTests.hotstock(load, environment: space).status == 0)

        let port = try freePort()
        let server = try ServeKillCodesTests.startServer(port: port, sweeper: true, syncer: true, environment: space)
        defer { if server.isRunning { server.terminate() } }
        let client = HTTPProbe(port: port, token: "sigterm-admin-token")
        #expect(try await ServeKillCodesTests.waitUntilUp(client), "the server did not start")
        let sku = CommandLineTests.uniqueSKU()
        #expect(try await client.send("PUT", "/v1/skus/\(sku)", body: #"{"total": 1}"#) == 200)
        #expect(try await client.send("PUT", "/v1/skus/\(sku)/holds/o1", body: "{}") == 201)
        #expect(try await client.send("PUT", "/v1/skus/\(sku)/holds/o2", body: "{}") == 409)

        let wanted = try Self.metricNames(in: Self.ruleExpressions + Self.dashboardExpressions)
        #expect(wanted.count >= 15)
        var missing = wanted
        for _ in 0..<60 where !missing.isEmpty {
            let exposed = try await client.fetch("GET", "/metrics").body
            let live = Set(
                exposed.split(separator: "\n").filter { !$0.hasPrefix("#") }
                    .compactMap { $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init) }
            )
            missing = wanted.subtracting(live)
            if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(missing.isEmpty, "named by the rules or the dashboard, not in /metrics: \(missing.sorted())")
    }
}
