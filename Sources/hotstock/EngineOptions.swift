import ArgumentParser
import Foundation
import HotStockCore
import Logging
import MariaDBClient
import RedisClient

/// Where the engine's data lives and how it runs: flags override the environment.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("redis-url"), help: "redis://user:pass@host:port/db (env HOTSTOCK_REDIS_URL).")
    var redisURL: String?

    @Option(
        name: .customLong("mysql-url"),
        help: "mysql://user:pass@host:port/database (env HOTSTOCK_MYSQL_URL)."
    )
    var mysqlURL: String?

    @Option(help: "Partitions of the data set (env HOTSTOCK_PARTITIONS, default 16).")
    var partitions: Int?

    @Option(
        name: .customLong("retention-ms"),
        help: "How long final holds stay for idempotency (env HOTSTOCK_HOLD_RETENTION_MS, default 24 h)."
    )
    var retentionMs: Int64?

    @Option(
        name: .customLong("wait-replicas"),
        help:
            "Acknowledge a state change only once this many replicas took it (WAIT); else 503 unavailable (env HOTSTOCK_WAIT_REPLICAS, default 0)."
    )
    var waitReplicas: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warning or error (env HOTSTOCK_LOG_LEVEL).")
    var logLevel: String?

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    func validate() throws {
        if let partitions = resolvedPartitions(), !(1...10_000).contains(partitions) {
            throw ValidationError("--partitions must be in 1...10000")
        }
        if let retention = resolvedRetentionMs(), !(1_000...InventoryLimits.maxRetentionMs).contains(retention) {
            throw ValidationError("--retention-ms must be in 1000...\(InventoryLimits.maxRetentionMs)")
        }
        guard let replicas = resolvedWaitReplicas(), (0...16).contains(replicas) else {
            throw ValidationError("--wait-replicas (HOTSTOCK_WAIT_REPLICAS) must be an integer in 0...16")
        }
        if let level = logLevel ?? Self.environment["HOTSTOCK_LOG_LEVEL"], Logger.Level(rawValue: level) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let namespace = Self.namespace,
            !(1...16).contains(namespace.count)
                || !namespace.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        {
            throw ValidationError("HOTSTOCK_NAMESPACE must be 1 to 16 of a-z, 0-9 and -")
        }
    }

    /// A key namespace (`HOTSTOCK_NAMESPACE`: keys `hs:<ns>:{p}:…`): several data sets on
    /// one Redis, each seeing only its own (tests and staging share a Redis this way).
    static var namespace: String? { environment["HOTSTOCK_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } }

    private func resolvedPartitions() -> Int? {
        partitions ?? Self.environment["HOTSTOCK_PARTITIONS"].flatMap { Int($0) }
    }

    private func resolvedWaitReplicas() -> Int? {
        if let waitReplicas { return waitReplicas }
        guard let text = Self.environment["HOTSTOCK_WAIT_REPLICAS"] else { return 0 }
        return Int(text)
    }

    private func resolvedRetentionMs() -> Int64? {
        retentionMs ?? Self.environment["HOTSTOCK_HOLD_RETENTION_MS"].flatMap { Int64($0) }
    }

    /// A logger writing to standard error at the chosen level (default `warning` for
    /// one-shot commands).
    func makeLogger(label: String, defaultLevel: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel =
            (logLevel ?? Self.environment["HOTSTOCK_LOG_LEVEL"]).flatMap { Logger.Level(rawValue: $0) } ?? defaultLevel
        return logger
    }

    /// The Redis configuration from the flag, the environment, or the local default.
    func redisConfiguration() throws(RedisError) -> RedisConfiguration {
        try RedisConfiguration(url: redisURL ?? Self.environment["HOTSTOCK_REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
    }

    /// The MySQL configuration from the flag, the environment, or the local default.
    func mysqlConfiguration() throws(MariaDBError) -> MariaDBConfiguration {
        try MariaDBConfiguration(
            url: mysqlURL ?? Self.environment["HOTSTOCK_MYSQL_URL"] ?? "mysql://hotstock@127.0.0.1:3306/hotstock"
        )
    }

    /// Builds the engine every command runs on: Redis, and MySQL when `cold`. A
    /// malformed URL throws its `RedisError` or `MariaDBError`.
    func makeEngine(
        label: String,
        defaultLevel: Logger.Level = .warning,
        retryBudget: Duration,
        cold: Bool
    ) throws -> HotStockEngine {
        HotStockEngine(
            redis: try redisConfiguration(),
            mysql: cold ? try mysqlConfiguration() : nil,
            configuration: inventoryConfiguration(retryBudget: retryBudget),
            logger: makeLogger(label: label, defaultLevel: defaultLevel)
        )
    }

    /// The engine of a long-running process (`serve`, `sweep`): logs at info, retries
    /// an unreachable Redis for 2 s per operation; a misconfiguration prints one line and
    /// exits with its status.
    func makeServiceEngine(label: String, cold: Bool) throws -> HotStockEngine {
        do {
            return try makeEngine(label: label, defaultLevel: .info, retryBudget: .seconds(2), cold: cold)
        } catch {
            throw try ExitStatus.reporting(error).exitCode
        }
    }

    /// The engine's configuration.
    func inventoryConfiguration(retryBudget: Duration) -> InventoryConfiguration {
        var configuration = InventoryConfiguration(
            keySpace: KeySpace(partitions: resolvedPartitions() ?? 16, namespace: Self.namespace),
            retryBudget: retryBudget,
            // A malformed key only matters to the commands that seal or open codes, which
            // check it themselves (`serve`, `codes load`).
            codeSealer: (try? CodeKeyRing.fromEnvironment(ProcessInfo.processInfo.environment)).flatMap { $0 }
                .map(CodeSealer.init(ring:))
        )
        if let retention = resolvedRetentionMs() { configuration.retentionMs = retention }
        configuration.waitReplicas = resolvedWaitReplicas() ?? 0
        if let after = Self.environment["HOTSTOCK_ORDER_RECOVERY_MS"].flatMap({ Int64($0) }), after >= 100 {
            configuration.orderRecoveryAfterMs = after
        }
        configuration.orderFaultPoint = Self.environment["HOTSTOCK_FAULT_ORDER_STEP"].flatMap(OrderFaultPoint.init)
        return configuration
    }

    /// Fails with one clear line unless `HOTSTOCK_CODE_KEY` holds a valid key ring.
    static func requireCodeKey() throws {
        let ring: CodeKeyRing?
        do {
            ring = try CodeKeyRing.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        guard ring != nil else {
            throw ValidationError(
                "HOTSTOCK_CODE_KEY must be set to ID:BASE64 of 32 bytes (e.g. k1:$(head -c 32 /dev/urandom | base64))"
            )
        }
    }
}
