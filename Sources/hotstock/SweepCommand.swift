import ArgumentParser
import HotStockCore
import Logging
import RedisClient
import ServiceLifecycle
import UnixSignals

/// `hotstock sweep [--once]`: expire holds whose time has passed.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Expire due holds: once, or continuously until SIGTERM."
    )

    @OptionGroup var engine: EngineOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Expire what is due now, then exit.") var once = false
    @Option(name: .customLong("interval-ms"), help: "Pause between passes when running continuously.")
    var intervalMs: Int = 100
    @Option(name: .customLong("batch-size"), help: "Most holds expired by one script call (1...10000).")
    var batchSize: Int = 500
    @Option(
        help: ArgumentHelp(
            "This sweeper's share of the partitions, K/N: those p with p % N == K (default 0/1, all).",
            valueName: "K/N"
        )
    )
    var shard: String = "0/1"

    /// `--shard` as (index, count), or nil when malformed.
    var shardParts: (index: Int, count: Int)? {
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), (1...10_000).contains(count),
            (0..<count).contains(index)
        else { return nil }
        return (index, count)
    }

    /// The JSON printed by `sweep --once --json`.
    struct Report: Encodable, Sendable {
        var expired: Int
        var maxLagMs: Int64
        enum CodingKeys: String, CodingKey {
            case expired
            case maxLagMs = "max_lag_ms"
        }
    }

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...10000") }
        guard (1...60_000).contains(intervalMs) else { throw ValidationError("--interval-ms must be in 1...60000") }
        guard shardParts != nil else { throw ValidationError("--shard must be K/N with 0 <= K < N <= 10000") }
    }

    func run() async throws {
        let shard = shardParts ?? (0, 1)
        let configuration = SweeperConfiguration(
            interval: .milliseconds(intervalMs),
            batchSize: batchSize,
            shardIndex: shard.index,
            shardCount: shard.count
        )
        if once {
            try await EngineCommand.run(engine, output) { inventory in
                let sweeper = Sweeper(inventory: inventory, configuration: configuration, logger: inventory.logger)
                let report = try await sweeper.sweepOnce()
                return Report(expired: report.expired, maxLagMs: report.maxLagMs)
            }
            return
        }
        let hotstock = try engine.makeServiceEngine(label: "hotstock.sweep", cold: false)
        let logger = hotstock.logger
        let sweeper = Sweeper(inventory: hotstock.inventory, configuration: configuration, logger: logger)
        // The pool first: a group stops its services in reverse order, so it closes last.
        let group = ServiceGroup(
            configuration: .init(
                services: (hotstock.services + [sweeper]).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("sweeping", metadata: ["partitions": "\(hotstock.inventory.keys.partitions)"])
        try await group.run()
    }
}
