import Foundation

/// What a fault run did and found: every fault with the error rate clients saw while it
/// lasted, the operations run, and the checks of DESIGN section 2 afterwards.
struct FaultReport: Codable {
    /// One injected fault.
    struct Fault: Codable {
        var kind: FaultPlan.Kind
        /// Seconds since the load started.
        var atS: Double
        /// From the injection until the faulted part answered again.
        var outageMs: Int
        /// Request attempts that ended within the outage (and the second after it).
        var attempts: Int
        var failedAttempts: Int
        var errorRate: Double
        var detail: String
    }

    var faults: [Fault] = []
    var faultsByKind: [String: Int] = [:]
    var loadSeconds = 0.0
    /// Client operations by operation and final outcome (after the client's retries).
    var operations: [String: [String: Int]] = [:]
    var operationCount = 0
    var attempts = 0
    var failedAttempts = 0
    /// Failed attempts that ended outside every outage window.
    var failedOutsideOutages = 0
    var unitsSold: Int64 = 0
    var unitsOversold: Int64 = 0
    var acknowledgedLost = 0
    /// Orders of several SKUs checked after the run, and those left partial.
    var ordersChecked = 0
    var partialOrders = 0
    /// Version regressions the syncer recorded for the run's SKUs (MySQL
    /// `version_regressions`): Redis lost writes that MySQL had already taken.
    var versionRegressions = 0
    /// Records `hotstock reconcile` compared and found differing between Redis and MySQL
    /// after the run (drift is what a failover lost and MySQL still has).
    var reconcileCompared = 0
    var reconcileDrifted = 0
    var mysqlCatchUpMs: Int64?
    var violations: [String] = []

    var passed: Bool { violations.isEmpty }

    var text: String {
        var lines = ["fault run: \(faults.count) faults in \(String(format: "%.1f", loadSeconds)) s of load"]
        for kind in FaultPlan.Kind.allCases {
            let mine = faults.filter { $0.kind == kind }
            guard !mine.isEmpty else { continue }
            let attempts = mine.map(\.attempts).reduce(0, +)
            let failed = mine.map(\.failedAttempts).reduce(0, +)
            let outages = mine.map(\.outageMs).sorted()
            lines.append(
                "  \(kind.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) ×\(mine.count)  outage "
                    + "median \(outages[outages.count / 2]) ms, max \(outages.last ?? 0) ms; client error rate "
                    + String(format: "%.1f%%", attempts == 0 ? 0 : 100 * Double(failed) / Double(attempts))
                    + " (\(failed) of \(attempts) attempts)"
            )
        }
        lines.append(
            "operations: \(operationCount) (\(attempts) attempts, \(failedAttempts) failed, "
                + "\(failedOutsideOutages) of them outside an outage)"
        )
        for (operation, codes) in operations.sorted(by: { $0.key < $1.key }) {
            let parts = codes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
            lines.append("  \(operation): \(parts.joined(separator: ", "))")
        }
        lines.append(
            "units sold: \(unitsSold); units oversold: \(unitsOversold); acknowledged operations lost: \(acknowledgedLost)"
        )
        if ordersChecked > 0 {
            lines.append("orders: \(ordersChecked) checked after recovery; partial orders: \(partialOrders)")
        }
        lines.append("version regressions recorded by the syncer: \(versionRegressions)")
        lines.append(
            "reconcile: \(reconcileDrifted) of \(reconcileCompared) SKUs, holds and orders differ between Redis and MySQL"
        )
        lines.append("MySQL equal to Redis: \(mysqlCatchUpMs.map { "\($0) ms after the load" } ?? "never")")
        lines.append(violations.isEmpty ? "PASS: every invariant holds" : "FAIL:")
        lines += violations.prefix(30).map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }

    /// Writes report.json into `folder`.
    func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: folder.appending(path: "report.json"))
    }
}
