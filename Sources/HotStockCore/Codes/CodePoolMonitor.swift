import Logging
import Metrics
import RedisClient
import ServiceLifecycle
import Synchronization

/// The live metrics of code pools (DESIGN section 5b): per codes SKU the codes left in
/// its pool (`hotstock_code_pool_size{sku}`) and the codes assigned
/// (`hotstock_codes_assigned{sku}`, equal to `sold`), and `hotstock_paid_not_delivered`:
/// confirmed holds whose codes nobody fetched within the grace period (default 60 s).
///
/// Runs as a `Service`, measuring every `interval`; graceful shutdown ends it.
public final class CodePoolMonitor: Service, Sendable {
    /// One measurement.
    public struct Snapshot: Sendable, Equatable {
        /// Codes in the pool, per codes SKU.
        public var poolSize: [String: Int64] = [:]
        /// Codes assigned to orders, per codes SKU.
        public var assigned: [String: Int64] = [:]
        /// Confirmed holds of codes SKUs not fetched within the grace period.
        public var paidNotDelivered: Int64 = 0
    }

    private let inventory: Inventory
    private let grace: Duration
    private let interval: Duration
    private let logger: Logger
    private let paidNotDelivered = Gauge(label: "hotstock_paid_not_delivered")
    private let gauges = Mutex<[String: (pool: Gauge, assigned: Gauge)]>([:])

    /// A monitor of the inventory's code pools.
    public init(inventory: Inventory, grace: Duration = .seconds(60), interval: Duration = .seconds(10), logger: Logger)
    {
        self.inventory = inventory
        self.grace = grace
        self.interval = interval
        self.logger = logger
    }

    /// Measures every codes SKU once and updates the gauges.
    @discardableResult
    public func measure() async throws -> Snapshot {
        var snapshot = Snapshot()
        let now = try await inventory.redisTimeMs()
        let graceMs = grace.wholeMilliseconds
        for partition in 0..<inventory.keys.partitions {
            let keys = inventory.keys
            let skus =
                try await inventory.redis.send(.smembers(keys.codeSKUsKey(partition: partition))).array?
                .compactMap(\.string) ?? []
            for sku in skus {
                snapshot.poolSize[sku] = try await inventory.poolSize(sku: sku)
                snapshot.assigned[sku] = try await inventory.sku(sku).sold
            }
            let late = try await inventory.redis.send(
                .zcount(keys.undeliveredKey(partition: partition), min: "-inf", max: String(now - graceMs))
            )
            snapshot.paidNotDelivered += late.int ?? 0
        }
        paidNotDelivered.record(snapshot.paidNotDelivered)
        gauges.withLock { gauges in
            for (sku, size) in snapshot.poolSize {
                let pair =
                    gauges[sku] ?? (
                        Gauge(label: "hotstock_code_pool_size", dimensions: [("sku", sku)]),
                        Gauge(label: "hotstock_codes_assigned", dimensions: [("sku", sku)])
                    )
                gauges[sku] = pair
                pair.pool.record(size)
                pair.assigned.record(snapshot.assigned[sku] ?? 0)
            }
        }
        return snapshot
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do {
                        try await self.measure()
                    } catch is CancellationError {
                        return
                    } catch {
                        self.logger.warning("code pool metrics failed", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: self.interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
