import Logging
import MariaDBClient
import Metrics
import Synchronization

/// Applies outbox events to cold stock in one transaction per batch.
///
/// Within a batch only the newest state of each SKU and hold is written (the events are
/// absolute). Every write is version-guarded, so a batch applied twice changes nothing.
/// A SKU whose version goes backwards in a newer outbox entry means Redis lost
/// acknowledged writes: that is logged as an error, counted, and recorded in
/// `version_regressions`, never copied.
public final class EventApplier: Sendable {
    private let cold: ColdStore
    private let logger: Logger
    /// Newest (version, entry) known per SKU, filled from MySQL on first sight.
    private let known = Mutex<[String: (version: Int64, id: StreamID?)]>([:])
    private let regressions = Counter(label: "hotstock_sku_version_regressions_total")
    private let regressionCount = Atomic<Int>(0)

    /// Makes an applier writing to `cold`.
    public init(cold: ColdStore, logger: Logger) {
        self.cold = cold
        self.logger = logger
    }

    /// How many version regressions this applier has seen.
    public var regressionsSeen: Int { regressionCount.load(ordering: .relaxed) }

    /// Applies `events` (any order, any partitions) in one transaction. Events of the
    /// code outbox (`carryingState` false) record codes only: they restate the version
    /// of the change they belong to, and are checked for regressions like any other.
    public func apply(_ events: [OutboxEvent], orders: [OrderEvent] = [], carryingState: Bool = true) async throws {
        guard !events.isEmpty || !orders.isEmpty else { return }
        let ordered = events.sorted { $0.id < $1.id }
        let cached = known.withLock { $0 }
        var attempt = 1
        let outcome: Outcome
        while true {
            do {
                outcome = try await cold.pool.withConnection { connection in
                    try await connection.transaction { connection in
                        try ColdWrites.upsertOrders(Self.newest(orders), force: false, on: connection)
                        return try Self.write(ordered, carryingState: carryingState, cached: cached, on: connection)
                    }
                }
                break
            } catch let error as MariaDBError where error.isLockConflict && attempt < Self.lockConflictAttempts {
                // Another syncer wrote the same rows in another order; the batch is idempotent.
                logger.debug("MySQL lock conflict; applying the batch again", metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
        known.withLock { known in
            for (sku, newest) in outcome.newest where newest.version >= known[sku]?.version ?? .min {
                known[sku] = newest
            }
        }
        regressions.increment(by: outcome.regressions.count)
        regressionCount.add(outcome.regressions.count, ordering: .relaxed)
        // One line per SKU and batch, however many entries regressed.
        for (sku, found) in Dictionary(grouping: outcome.regressions, by: \.sku).sorted(by: { $0.key < $1.key }) {
            logger.error(
                "SKU version went backwards: Redis lost acknowledged writes; not copied, run reconcile",
                metadata: [
                    "sku": "\(sku)", "entries": "\(found.count)", "first_event": "\(found[0].id)",
                    "event_version": "\(found[0].version)", "stored_version": "\(found[0].stored)",
                ]
            )
        }
    }

    /// The newest step of each order in `orders`, by order id.
    private static func newest(_ orders: [OrderEvent]) -> [OrderEvent] {
        var latest: [String: OrderEvent] = [:]
        for order in orders where order.version >= latest[order.order]?.version ?? .min { latest[order.order] = order }
        return latest.values.sorted { $0.order < $1.order }
    }

    /// How often a batch is tried when MySQL rolls it back for a lock conflict.
    private static let lockConflictAttempts = 5

    private struct Regression: Sendable {
        var sku: String
        var id: StreamID
        var version: Int64
        var stored: Int64
    }

    private struct Outcome: Sendable {
        var newest: [String: (version: Int64, id: StreamID?)]
        var regressions: [Regression]
    }

    private static func write(
        _ events: [OutboxEvent],
        carryingState: Bool,
        cached: [String: (version: Int64, id: StreamID?)],
        on connection: isolated MariaDBConnection
    ) throws -> Outcome {
        var newest = cached
        var regressions: [Regression] = []
        var latestSKU: [String: OutboxEvent] = [:]
        var latestConfig: [String: OutboxEvent] = [:]
        var latestHold: [String: Hold] = [:]
        for event in events {
            let id = event.sku.id
            if newest[id] == nil {
                let row = try ColdWrites.storedVersion(of: id, on: connection)
                newest[id] = (row?.int("version") ?? 0, row?["last_event_id"].flatMap(StreamID.init))
            }
            let stored = newest[id]!
            var regressed = false
            if event.sku.version <= stored.version {
                // `warm` restates the version MySQL gave it, `deliver` (codes fetched) does
                // not change the SKU, and a code-outbox entry restates the version of the
                // change it belongs to: equal by construction, not a regression.
                let restates =
                    event.op == "warm"
                    || ((event.op == "deliver" || !carryingState) && event.sku.version == stored.version)
                if !restates, let storedID = stored.id, event.id > storedID {
                    regressed = true
                    regressions.append(
                        Regression(sku: id, id: event.id, version: event.sku.version, stored: stored.version)
                    )
                }
            } else if carryingState {
                newest[id] = (event.sku.version, event.id)
                latestSKU[id] = event
            }
            // The config rides only on the events that set it, and is kept by its own
            // version (an older config event applied late still lands, guarded).
            if carryingState, event.carriesConfig, !regressed,
                event.sku.version >= latestConfig[id]?.sku.version ?? .min
            {
                latestConfig[id] = event
            }
            if carryingState, let hold = event.hold {
                let key = hold.sku + "/" + hold.order
                if hold.version >= latestHold[key]?.version ?? .min { latestHold[key] = hold }
            }
        }
        // Each regression is recorded (and reported) once, however often its entry is
        // delivered again.
        var firstSeen: [Regression] = []
        for regression in regressions {
            let inserted = try connection.execute(
                """
                INSERT IGNORE INTO version_regressions (sku, event_id, event_version, stored_version)
                VALUES (?, ?, ?, ?)
                """,
                [
                    .text(regression.sku), .text(regression.id.description), .int(regression.version),
                    .int(regression.stored),
                ]
            )
            if inserted == 1 { firstSeen.append(regression) }
        }
        // A bucket's config is its SKU's: a bucket record's row keeps its counters only.
        try ColdWrites.upsertSKUs(
            latestConfig.values.filter { BucketID($0.sku.id) == nil }.sorted { $0.sku.id < $1.sku.id }
                .map { ($0.sku, $0.id) },
            force: false,
            on: connection
        )
        let counters = latestSKU.values.sorted { $0.sku.id < $1.sku.id }.map { ($0.sku, $0.id) }
        try ColdWrites.upsertSKUCounters(counters.filter { BucketID($0.0.id) == nil }, on: connection)
        try ColdWrites.upsertBucketCounters(counters.filter { BucketID($0.0.id) != nil }, on: connection)
        try ColdWrites.upsertHolds(
            latestHold.values.sorted { ($0.sku, $0.order) < ($1.sku, $1.order) },
            force: false,
            on: connection
        )
        // Code pools, in stream order: loads, then assignments and deliveries. Each
        // write only moves a code forward, so a replay changes nothing. Transfers between
        // buckets likewise only gain their debit and their credit.
        let regressed = Set(regressions.map(\.id))
        for event in events where !regressed.contains(event.id) {
            try ColdWrites.applyCodes(event, on: connection)
            try ColdWrites.applyTransfer(event, on: connection)
        }
        return Outcome(newest: newest, regressions: firstSeen)
    }
}
