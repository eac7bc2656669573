import ArgumentParser
import Foundation
import HotStockCore
import HotStockServer
import Hummingbird
import Logging
import MariaDBClient
import Metrics
import Prometheus
import RedisClient
import ServiceLifecycle
import UnixSignals

/// `hotstock serve`: the HTTP API, with the sweeper and the syncer in the same process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the HTTP API; runs the sweeper and the syncer too unless told not to. SIGTERM stops it cleanly.",
        discussion: "Tokens come from HOTSTOCK_API_TOKEN and HOTSTOCK_ADMIN_TOKEN (never from flags, which ps shows)."
    )

    @OptionGroup var engine: EngineOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (env HOTSTOCK_PORT, default 8080).") var port: Int?
    @Option(
        name: .customLong("rate-per-token"),
        help:
            "Requests/s one bearer token may send, bursts of twice that; 0: no limit (env HOTSTOCK_RATE_PER_TOKEN, default 0)."
    )
    var ratePerToken: Double?
    @Option(
        name: .customLong("rate-per-buyer"),
        help:
            "Hold requests/s one buyer may send, bursts of twice that; 0: no limit (env HOTSTOCK_RATE_PER_BUYER, default 10)."
    )
    var ratePerBuyer: Double?
    @Option(
        name: .customLong("sold-out-gate-ms"),
        help: ArgumentHelp(
            "How long the sold-out gate answers sold_out for a SKU without news, in ms; 0 turns it off (env HOTSTOCK_SOLD_OUT_GATE_MS, default 1000, at most 1000).",
            discussion:
                "While a SKU's flag is up, a repeat of a request that did get a hold is answered sold_out too; turn the gate off where retries must see the hold."
        )
    )
    var soldOutGateMs: Int?
    @Flag(name: .customLong("no-sweeper"), help: "Do not expire holds in this process.") var noSweeper = false
    @Flag(name: .customLong("no-syncer"), help: "Do not sync the outbox into MySQL in this process.") var noSyncer =
        false

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    func validate() throws {
        if let port = resolvedPort(), !(0...65_535).contains(port) {
            throw ValidationError("--port must be in 0...65535")
        }
        guard let gate = resolvedSoldOutGateMs(), (0...1000).contains(gate) else {
            throw ValidationError("--sold-out-gate-ms (HOTSTOCK_SOLD_OUT_GATE_MS) must be an integer in 0...1000")
        }
        for name in ["HOTSTOCK_API_TOKEN", "HOTSTOCK_ADMIN_TOKEN"] where (Self.environment[name] ?? "").count < 8 {
            throw ValidationError("\(name) must be set to a secret of at least 8 characters")
        }
        try EngineOptions.requireCodeKey()
    }

    /// A rate from the flag, the environment or the default; `nil` (no limit) for 0.
    private func rate(_ flag: Double?, _ variable: String, default value: Double) -> Double? {
        let rate = flag ?? Self.environment[variable].flatMap { Double($0) } ?? value
        return rate > 0 && rate.isFinite ? rate : nil
    }

    private func resolvedSoldOutGateMs() -> Int? {
        if let soldOutGateMs { return soldOutGateMs }
        guard let text = Self.environment["HOTSTOCK_SOLD_OUT_GATE_MS"] else { return 1000 }
        return Int(text)
    }

    private func resolvedPort() -> Int? {
        port ?? Self.environment["HOTSTOCK_PORT"].flatMap { Int($0) }
    }

    func run() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let hotstock = try engine.makeServiceEngine(label: "hotstock", cold: !noSyncer)
        let logger = hotstock.logger
        do {
            try await hotstock.inventory.prepare()
        } catch {
            // Not fatal: the server answers 503 and loads the scripts once Redis is back.
            logger.warning("Redis is not reachable yet; serving 503 until it is", metadata: ["error": "\(error)"])
        }
        let application = buildApplication(
            configuration: ServerConfiguration(
                host: host,
                port: resolvedPort() ?? 8080,
                apiToken: Self.environment["HOTSTOCK_API_TOKEN"] ?? "",
                adminToken: Self.environment["HOTSTOCK_ADMIN_TOKEN"] ?? "",
                tokenRate: rate(ratePerToken, "HOTSTOCK_RATE_PER_TOKEN", default: 0),
                buyerRate: rate(ratePerBuyer, "HOTSTOCK_RATE_PER_BUYER", default: 10),
                runsSweeper: !noSweeper,
                soldOutGateLapse: resolvedSoldOutGateMs().flatMap { $0 > 0 ? .milliseconds($0) : nil }
            ),
            engine: hotstock,
            registry: registry,
            logger: logger
        )
        // The pools are services of the application: they close when it stops, however it stops.
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
