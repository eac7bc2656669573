import Logging
import MariaDBClient
import RedisClient
import ServiceLifecycle

/// Everything one HotStock process runs on, built in one place: the Redis pool and the
/// ``Inventory`` over it, and, when MySQL is configured, its pool and the ``ColdStore``.
///
/// A long-running process lists ``services`` first in its `ServiceGroup`, so the pools
/// close after everything that uses them; a one-shot command calls ``run(_:)``, which
/// closes them whether its body returns or throws.
public struct HotStockEngine: Sendable {
    /// The Redis pool every Redis call goes through.
    public let redis: RedisConnectionPool
    /// The hot-stock engine.
    public let inventory: Inventory
    /// The MySQL pool, when cold stock is configured.
    public let mysql: MariaDBConnectionPool?
    /// Cold stock, when MySQL is configured.
    public let cold: ColdStore?
    /// The logger every part writes to.
    public let logger: Logger
    /// Whether this engine made its pools, and so closes them.
    private let ownsPools: Bool

    /// Builds the engine; nothing connects until the first call.
    public init(
        redis: RedisConfiguration,
        mysql: MariaDBConfiguration?,
        configuration: InventoryConfiguration,
        logger: Logger
    ) {
        self.redis = RedisConnectionPool(configuration: redis, logger: logger)
        self.inventory = Inventory(redis: self.redis, configuration: configuration, logger: logger)
        self.mysql = mysql.map { MariaDBConnectionPool(configuration: $0, logger: logger) }
        self.cold = self.mysql.map { ColdStore(pool: $0, logger: logger) }
        self.logger = logger
        self.ownsPools = true
    }

    /// Assembles an engine from parts its caller made and keeps closing (tools and
    /// tests that share one pool): its ``services`` and ``run(_:)`` leave them open.
    public init(inventory: Inventory, cold: ColdStore? = nil, logger: Logger) {
        self.redis = inventory.redis
        self.inventory = inventory
        self.mysql = cold?.pool
        self.cold = cold
        self.logger = logger
        self.ownsPools = false
    }

    /// The pools this engine made, as services: list them first in a `ServiceGroup`.
    public var services: [any Service] {
        ownsPools ? [redis] + (mysql.map { [$0] } ?? []) : []
    }

    /// Runs `body`, then closes both pools, whether `body` returned or threw.
    public func run<Result: Sendable>(_ body: (HotStockEngine) async throws -> Result) async throws -> Result {
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body(self))
        } catch {
            outcome = .failure(error)
        }
        if ownsPools {
            await redis.shutdown()
            await mysql?.shutdown()
        }
        return try outcome.get()
    }
}
