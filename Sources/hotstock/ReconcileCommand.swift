import ArgumentParser
import Foundation
import HotStockCore

/// `hotstock reconcile [--fix]`: compare Redis and MySQL, print the drift.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare Redis and MySQL per SKU and hold; exit 1 on drift. --fix repairs MySQL from Redis."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Repair MySQL from Redis, then compare again.") var fix = false
    @Flag(name: .customLong("no-sync"), help: "Compare without draining the outbox first.") var noSync = false
    @Option(name: .customLong("sku"), help: "Compare only this SKU (repeatable).") var skus: [String] = []

    func validate() throws {
        for sku in skus where !Identifier.isValid(sku) {
            throw ValidationError("--sku must be 1-64 characters of [A-Za-z0-9._:-]")
        }
    }

    /// The `--json` body.
    struct Body: Encodable {
        var compared: Int
        var drifted: Int
        var diffRate: Double
        var repaired: Int
        var drift: [Row]
        struct Row: Encodable {
            var kind, id, field, redis, mysql: String
        }
        enum CodingKeys: String, CodingKey {
            case compared, drifted, repaired, drift
            case diffRate = "diff_rate"
        }
    }

    func run() async throws {
        try await ColdCommand.run(engine, label: "hotstock.reconcile") { inventory, cold, logger in
            if !noSync {
                try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: logger).syncOnce()
            }
            let progress = TerminalProgress(label: "compared SKUs")
            let report = try await Reconciler(inventory: inventory, cold: cold, logger: logger)
                .reconcile(fix: fix, only: skus.isEmpty ? nil : Set(skus)) { progress.update($0, of: $1) }
            progress.finish()
            if output.json {
                print(
                    HotStockJSON.encode(
                        Body(
                            compared: report.compared,
                            drifted: report.driftedRecords,
                            diffRate: report.diffRate,
                            repaired: report.repaired,
                            drift: report.drift.map {
                                .init(kind: $0.kind, id: $0.id, field: $0.field, redis: $0.redis, mysql: $0.mysql)
                            }
                        )
                    )
                )
            } else {
                print(Self.table(report))
            }
            return report.drift.isEmpty ? .success : .infrastructure
        }
    }

    static func table(_ report: ReconcileReport) -> String {
        var lines: [String] = []
        if !report.drift.isEmpty {
            let header = ["KIND", "ID", "FIELD", "REDIS", "MYSQL"]
            let rows = [header] + report.drift.map { [$0.kind, $0.id, $0.field, $0.redis, $0.mysql] }
            let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(
                    zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(
                        separator: "  "
                    )
                )
            }
        }
        if report.repaired > 0 { lines.append("repaired \(report.repaired) records in MySQL from Redis") }
        lines.append(
            String(
                format: "compared %d records, %d drifted, diff rate %.4f%%",
                report.compared,
                report.driftedRecords,
                report.diffRate * 100
            )
        )
        return lines.joined(separator: "\n")
    }
}
