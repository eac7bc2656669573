import ArgumentParser
import HotStockCore
import Logging
import ServiceLifecycle
import UnixSignals

/// `hotstock sync [--once]`: move the outbox into MySQL.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Apply the Redis outbox to MySQL: drain it and exit (--once), or follow it until SIGTERM."
    )

    @OptionGroup var engine: EngineOptions
    @Flag(help: "Drain the outbox, then exit.") var once = false
    @Option(help: "This syncer's consumer name (default: host-pid).") var consumer: String?
    @Option(
        name: .customLong("claim-min-idle-ms"),
        help: "Take over entries pending this long with another syncer (default 30000)."
    )
    var claimMinIdleMs: Int = 30_000

    func validate() throws {
        guard claimMinIdleMs >= 0 else { throw ValidationError("--claim-min-idle-ms must be 0 or more") }
        if let consumer, !Identifier.isValid(consumer) {
            throw ValidationError("--consumer must be 1-64 characters of [A-Za-z0-9._:-]")
        }
    }

    func run() async throws {
        var configuration = SyncerConfiguration(claimMinIdle: .milliseconds(claimMinIdleMs))
        if let consumer { configuration.consumer = consumer }
        try await ColdCommand.run(engine, label: "hotstock.sync") { inventory, cold, logger in
            configuration.waitReplicas = inventory.configuration.waitReplicas
            let syncer = Syncer(
                redis: inventory.redis,
                keys: inventory.keys,
                cold: cold,
                configuration: configuration,
                logger: logger
            )
            if once {
                let progress = TerminalProgress(label: "applied events")
                let report = try await syncer.syncOnce { progress.update($0) }
                progress.finish()
                print("applied \(report.applied) outbox entries (\(report.claimed) taken over from other syncers)")
                return .success
            }
            var serviceLogger = logger
            serviceLogger.logLevel = min(logger.logLevel, .info)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: syncer)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: serviceLogger
                )
            )
            serviceLogger.info("syncing the outbox into MySQL", metadata: ["consumer": "\(configuration.consumer)"])
            try await group.run()
            return .success
        }
    }
}
