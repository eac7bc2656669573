import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// How often and in what batches the sweeper expires holds.
public struct SweeperConfiguration: Sendable {
    /// The pause between two passes over all partitions.
    public var interval: Duration
    /// The most holds one script call expires (one partition at a time).
    public var batchSize: Int
    /// Which partitions this sweeper walks: those `p` with `p % shardCount == shardIndex`,
    /// so several sweepers can split the partitions between them (any sweeper may still
    /// expire any hold safely; the split only saves the repeated walks).
    public var shardIndex: Int
    /// How many sweepers split the partitions (1: this one walks them all).
    public var shardCount: Int

    /// Makes a configuration; the defaults expire a due hold within about 100 ms.
    public init(interval: Duration = .milliseconds(100), batchSize: Int = 500, shardIndex: Int = 0, shardCount: Int = 1)
    {
        precondition(shardCount >= 1 && (0..<shardCount).contains(shardIndex), "shard index out of range")
        self.interval = interval
        self.batchSize = min(max(1, batchSize), InventoryLimits.maxExpireBatch)
        self.shardIndex = shardIndex
        self.shardCount = shardCount
    }
}

/// What one pass over all partitions did.
public struct SweepReport: Sendable, Equatable {
    /// Holds expired in the pass.
    public var expired: Int
    /// How late the most overdue hold was when the pass found it (0 when none was due).
    public var maxLagMs: Int64
    /// Transfers between buckets the pass finished for a process that left them.
    public var transfersFinished = 0
    /// Orders of several SKUs the pass finished or compensated (DESIGN section 14).
    public var ordersRecovered = 0
}

/// Expires holds whose time has passed (Redis clock), partition by partition, in
/// batches, then recovers the orders of several SKUs that are due (DESIGN section 14). Any number of sweepers may run at once, in one process or many: each batch
/// is one atomic script that only expires holds still `held`, so none is expired twice.
///
/// Runs as a `Service`; graceful shutdown ends it between two batches.
public final class Sweeper: Service, Sendable {
    private let inventory: Inventory
    private let configuration: SweeperConfiguration
    private let logger: Logger
    private let lastLagMs = Mutex<Int64>(0)
    private let lagGauge = Gauge(label: "hotstock_sweeper_lag_ms")
    private let expiredCounter = Counter(label: "hotstock_holds_expired_total")
    private let errorCounter = Counter(label: "hotstock_sweeper_errors_total")
    private let ordersRecoveredCounter = Counter(label: "hotstock_orders_recovered_total")
    private let layoutReady = Atomic<Bool>(false)

    /// Makes a sweeper over the inventory's partitions.
    public init(inventory: Inventory, configuration: SweeperConfiguration = .init(), logger: Logger) {
        self.inventory = inventory
        self.configuration = configuration
        self.logger = logger
    }

    private static let maxBatchesPerPartition = 100
    /// How long a transfer between buckets may stay in flight before the sweeper takes
    /// it for one whose process died: its own process settles it within milliseconds.
    static let transferGraceMs: Int64 = 2_000

    /// How late the most overdue hold was at the last pass, in milliseconds: the
    /// sweeper's lag (also the `hotstock_sweeper_lag_ms` gauge).
    public var oldestDueLagMs: Int64 { lastLagMs.withLock { $0 } }

    /// Expires every hold due now, in every partition, then returns. A partition that
    /// fails does not stop the others; the first failure is thrown after the pass.
    @discardableResult
    public func sweepOnce() async throws -> SweepReport {
        if !layoutReady.load(ordering: .acquiring) {
            // Expiring a hold counts its buyer's units down in the buyers hash: never
            // before a data set of an earlier layout had its per-buyer keys folded in.
            try await inventory.adoptLegacyKeys()
            layoutReady.store(true, ordering: .releasing)
        }
        var report = SweepReport(expired: 0, maxLagMs: 0)
        var failure: (any Error)?
        let shard = configuration.shardCount
        var ordersDue: [Int] = []
        for partition in 0..<inventory.keys.partitions where partition % shard == configuration.shardIndex {
            // Batches until the partition has nothing due, bounded so that one flooded
            // partition cannot starve the others within a pass.
            var batches = 0
            do {
                var batch: ExpiryBatch
                repeat {
                    batch = try await inventory.expireDue(partition: partition, limit: configuration.batchSize)
                    report.expired += batch.expired
                    report.maxLagMs = max(report.maxLagMs, batch.lagMs)
                    batches += 1
                } while batch.dueLeft > 0 && batches < Self.maxBatchesPerPartition
                if batch.transfersInFlight > 0 {
                    // Transfers between buckets a process left between their steps.
                    let recovery = try await inventory.finishTransfers(
                        partition: partition,
                        olderThanMs: Self.transferGraceMs
                    )
                    report.transfersFinished += recovery.credited + recovery.returned
                }
                if batch.ordersDue > 0 { ordersDue.append(partition) }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                errorCounter.increment()
                logger.error(
                    "sweeping a partition failed",
                    metadata: ["partition": "\(partition)", "error": "\(error)"]
                )
                failure = failure ?? error
            }
        }
        // Orders a dead process left between two steps, or held past their expiry: after
        // every partition's holds, whose expiry must not wait for them.
        for partition in ordersDue {
            do {
                report.ordersRecovered += try await inventory.recoverOrders(
                    partition: partition,
                    limit: configuration.batchSize
                )
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                errorCounter.increment()
                logger.error("recovering orders failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                failure = failure ?? error
            }
        }
        if report.ordersRecovered > 0 { ordersRecoveredCounter.increment(by: report.ordersRecovered) }
        lastLagMs.withLock { $0 = report.maxLagMs }
        lagGauge.record(report.maxLagMs)
        if report.expired > 0 {
            expiredCounter.increment(by: report.expired)
            logger.debug("expired holds", metadata: ["count": "\(report.expired)", "lag_ms": "\(report.maxLagMs)"])
        }
        if let failure { throw failure }
        return report
    }

    /// Sweeps every ``SweeperConfiguration/interval`` until graceful shutdown or
    /// cancellation. A failed pass is logged and counted, and the next pass tries again.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do {
                        try await self.sweepOnce()
                    } catch is CancellationError {
                        return
                    } catch {
                        // Counted and logged per partition already; the next pass retries.
                    }
                    try await Task.sleep(for: self.configuration.interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
