import Logging
import Metrics
import RedisClient
import ServiceLifecycle
import Synchronization

/// What an operator's dashboard and alerts read of a running server (DESIGN section
/// 15), measured every `interval`:
/// - `hotstock_redis_up`: 1 when Redis answered the last measurement, else 0;
/// - `hotstock_redis_cpu_seconds{node}`: each primary's CPU seconds so far (`INFO cpu`,
///   user + system): its load is the rate;
/// - `hotstock_reconcile_last_run_timestamp_seconds`, `hotstock_reconcile_diff_rate`,
///   `hotstock_reconcile_drifted_records`, `hotstock_reconcile_imbalanced_skus`,
///   `hotstock_reconcile_oversold_units`: the last full `hotstock reconcile` (any
///   process's, kept in Redis);
/// - `hotstock_sku_available|held|sold|total{sku}`: the stock of the SKUs this server
///   took holds or orders for (at most ``maxWatched``), the sale's stock curve.
///
/// Runs as a `Service`; graceful shutdown ends it.
public final class OperationsMonitor: Service, Sendable {
    /// The most SKUs one server reports the stock of.
    public static let maxWatched = 200

    private let inventory: Inventory
    private let interval: Duration
    private let logger: Logger
    private let watched = Mutex<Set<String>>([])
    private let redisUp = Gauge(label: "hotstock_redis_up")
    private let reconcileGauges: [String: Gauge] = [
        "at_ms": Gauge(label: "hotstock_reconcile_last_run_timestamp_seconds"),
        "diff_rate": Gauge(label: "hotstock_reconcile_diff_rate"),
        "drifted": Gauge(label: "hotstock_reconcile_drifted_records"),
        "imbalanced": Gauge(label: "hotstock_reconcile_imbalanced_skus"),
        "oversold": Gauge(label: "hotstock_reconcile_oversold_units"),
    ]
    private let cpuGauges = Mutex<[String: Gauge]>([:])
    private let stockGauges = Mutex<[String: [Gauge]]>([:])

    /// A monitor of the inventory's Redis.
    public init(inventory: Inventory, interval: Duration = .seconds(5), logger: Logger) {
        self.inventory = inventory
        self.interval = interval
        self.logger = logger
    }

    /// Reports the stock of `sku` from now on (up to ``maxWatched`` SKUs).
    public func watch(_ sku: String) {
        watched.withLock { watched in
            if watched.count < Self.maxWatched { watched.insert(sku) }
        }
    }

    /// Measures once and updates the gauges; Redis unreachable is `hotstock_redis_up 0`.
    public func measure() async {
        do {
            _ = try await inventory.redis.serverTimeMilliseconds()
            redisUp.record(1)
        } catch {
            redisUp.record(0)
            return
        }
        do {
            try await measureRedisCPU()
            try await measureReconcile()
            try await measureStock()
        } catch {
            logger.warning("operations metrics failed", metadata: ["error": "\(error)"])
        }
    }

    private func measureRedisCPU() async throws {
        let perPrimary = try await inventory.redis.infoSums(section: "cpu", fields: ["used_cpu_sys", "used_cpu_user"])
        for (name, seconds) in perPrimary {
            let gauge = cpuGauges.withLock { gauges in
                if let gauge = gauges[name] { return gauge }
                let gauge = Gauge(label: "hotstock_redis_cpu_seconds", dimensions: [("node", name)])
                gauges[name] = gauge
                return gauge
            }
            gauge.record(seconds)
        }
    }

    private func measureReconcile() async throws {
        let fields = ["at_ms", "diff_rate", "drifted", "imbalanced", "oversold"]
        let values = try await inventory.redis.send(.hmget(inventory.keys.reconcileKey, fields: fields)).array ?? []
        for (name, value) in zip(fields, values) {
            guard let number = value.string.flatMap(Double.init) else { continue }
            reconcileGauges[name]?.record(name == "at_ms" ? number / 1000 : number)
        }
    }

    private func measureStock() async throws {
        for sku in watched.withLock({ $0 }).sorted() {
            guard let stock = try? await inventory.sku(sku) else { continue }
            let gauges = stockGauges.withLock { gauges in
                if let known = gauges[sku] { return known }
                let made = ["available", "held", "sold", "total"].map {
                    Gauge(label: "hotstock_sku_\($0)", dimensions: [("sku", sku)])
                }
                gauges[sku] = made
                return made
            }
            for (gauge, value) in zip(gauges, [stock.available, stock.held, stock.sold, stock.total]) {
                gauge.record(value)
            }
        }
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await self.measure()
                    try await Task.sleep(for: self.interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
