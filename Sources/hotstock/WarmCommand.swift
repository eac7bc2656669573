import ArgumentParser
import HotStockCore

/// `hotstock warm [--sku S] [--force]`: rebuild Redis from MySQL after a Redis loss.
struct WarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warm",
        abstract: "Rebuild Redis hot stock and live holds from MySQL; SKUs present in Redis need --force."
    )

    @OptionGroup var engine: EngineOptions
    @Option(help: "Warm only this SKU.") var sku: String?
    @Flag(help: "Replace SKUs that Redis has already.") var force = false

    func run() async throws {
        try await ColdCommand.run(engine, label: "hotstock.warm") { inventory, cold, logger in
            try await inventory.prepare()
            let progress = TerminalProgress(label: "warmed SKUs")
            let report = try await Warmer(inventory: inventory, cold: cold, logger: logger)
                .warm(sku: sku, force: force) { progress.update($0, of: $1) }
            progress.finish()
            print(
                "warmed \(report.warmed.count) SKUs: \(report.liveHolds) live holds back, "
                    + "\(report.expiredHolds) holds came back expired"
            )
            if !report.skipped.isEmpty {
                ExitStatus.printFailure(
                    "sku_exists: left alone (in Redis already; --force replaces): \(report.skipped.joined(separator: ", "))"
                )
            }
            return sku != nil && !report.skipped.isEmpty ? .refused : .success
        }
    }
}
