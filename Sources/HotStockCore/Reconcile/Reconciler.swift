import Logging
import MariaDBClient
import RedisClient

/// One difference between Redis and MySQL.
public struct Drift: Sendable, Equatable {
    /// `sku` or `hold`.
    public var kind: String
    /// The SKU id, or `sku/order` for a hold.
    public var id: String
    /// The field that differs (`exists` when one side lacks the record).
    public var field: String
    /// The value in Redis (`-` when absent).
    public var redis: String
    /// The value in MySQL (`-` when absent).
    public var mysql: String
}

/// What a reconcile found (and, with `fix`, what was left after repairing).
public struct ReconcileReport: Sendable, Equatable {
    /// SKUs and holds compared.
    public var compared = 0
    /// Every difference found.
    public var drift: [Drift] = []
    /// Differences `fix` repaired.
    public var repaired = 0
    /// SKUs whose counters in Redis do not add up (`available + held + sold != total`):
    /// an invariant breach, which no repair of MySQL mends.
    public var imbalancedSKUs = 0
    /// Units sold beyond the total, summed over the SKUs (an oversell).
    public var oversoldUnits: Int64 = 0

    /// Records that differ (a record with several differing fields counts once).
    public var driftedRecords: Int { Set(drift.map { "\($0.kind) \($0.id)" }).count }

    /// Drifted records per compared record, 0 when nothing was compared.
    public var diffRate: Double { compared == 0 ? 0 : Double(driftedRecords) / Double(compared) }
}

/// Compares every SKU's counters, config and version, and every hold's state, between
/// Redis (the hot authority) and MySQL; with `fix`, repairs MySQL from Redis.
///
/// Final holds that Redis has dropped after their idempotency retention are expected to
/// live on only in MySQL and are not drift; a `held` hold MySQL has and Redis lacks is.
/// A SKU Redis lacks entirely is drift that `fix` does not touch: that is a Redis loss,
/// for `warm`.
public struct Reconciler: Sendable {
    let inventory: Inventory
    let cold: ColdStore
    private let logger: Logger

    /// Makes a reconciler between the inventory's Redis and `cold`.
    public init(inventory: Inventory, cold: ColdStore, logger: Logger) {
        self.inventory = inventory
        self.cold = cold
        self.logger = logger
    }

    /// Compares (every SKU, or only those in `only`), and with `fix` repairs and
    /// compares again; the report is that of the last comparison, with what was repaired.
    public func reconcile(
        fix: Bool,
        only: Set<String>? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> ReconcileReport {
        var comparison = try await compare(only: only, progress: progress)
        guard fix, !comparison.report.drift.isEmpty else {
            if only == nil { try await record(comparison.report) }
            return comparison.report
        }
        let repaired = try await repair(comparison)
        comparison = try await compare(only: only, progress: progress)
        var report = comparison.report
        report.repaired = repaired
        if only == nil { try await record(report) }
        return report
    }

    /// Keeps a full reconcile's result in Redis (``KeySpace/reconcileKey``), stamped
    /// with Redis's clock, for every server's metrics and the alerts on them.
    func record(_ report: ReconcileReport) async throws {
        let now = try await inventory.redisTimeMs()
        _ = try await inventory.redis.send(
            .hset(
                inventory.keys.reconcileKey,
                [
                    ("at_ms", String(now)), ("compared", String(report.compared)),
                    ("drifted", String(report.driftedRecords)), ("diff_rate", String(report.diffRate)),
                    ("imbalanced", String(report.imbalancedSKUs)), ("oversold", String(report.oversoldUnits)),
                ]
            )
        )
    }

    struct Comparison {
        var report = ReconcileReport()
        var skusToWrite: [SKU] = []
        var bucketsToWrite: [SKU] = []
        var holdsToWrite: [Hold] = []
        var ordersToWrite: [OrderEvent] = []
    }

    private func compare(only: Set<String>?, progress: (@Sendable (Int, Int) -> Void)?) async throws -> Comparison {
        var comparison = Comparison()
        var coldSKUs: [String: SKU] = [:]
        var hotIDs: Set<String>
        if let only {
            for id in only { coldSKUs[id] = try await cold.sku(id)?.sku }
            hotIDs = []
            for id in only where (try? await inventory.sku(id)) != nil { hotIDs.insert(id) }
        } else {
            coldSKUs = Dictionary(uniqueKeysWithValues: try await cold.skus().map { ($0.sku.id, $0.sku) })
            hotIDs = Set(try await inventory.skuIDs())
        }
        let allIDs = hotIDs.union(coldSKUs.keys).sorted()
        for (index, id) in allIDs.enumerated() {
            progress?(index, allIDs.count)
            comparison.report.compared += 1
            // The SKU's own record against its row: a spread SKU's buckets come after.
            guard hotIDs.contains(id), let hot = try? await inventory.record(id) else {
                comparison.report.drift.append(Drift(kind: "sku", id: id, field: "exists", redis: "-", mysql: "yes"))
                continue
            }
            // The whole SKU (a spread one's buckets summed) from the record just read.
            let whole = try await inventory.summed(hot, records: BucketLayout(hot.config).records)
            if !whole.isBalanced || whole.sold > whole.total {
                comparison.report.imbalancedSKUs += whole.isBalanced ? 0 : 1
                comparison.report.oversoldUnits += max(0, whole.sold - whole.total)
                comparison.report.drift.append(
                    Drift(
                        kind: "sku",
                        id: id,
                        field: "balance",
                        redis:
                            "available \(whole.available) + held \(whole.held) + sold \(whole.sold), total \(whole.total)",
                        mysql: "-"
                    )
                )
            }
            let before = comparison.report.drift.count
            if let stored = coldSKUs[id] {
                comparison.report.drift += Self.differences(hot, stored)
            } else {
                comparison.report.drift.append(Drift(kind: "sku", id: id, field: "exists", redis: "yes", mysql: "-"))
            }
            if comparison.report.drift.count > before { comparison.skusToWrite.append(hot) }
            if hot.kind == .codes { try await compareCodes(of: hot, into: &comparison) }
            try await compareHolds(of: id, bucket: 0, into: &comparison)
            let records = try await inventory.bucketLayout(of: id).records
            if records > 1 { try await compareBuckets(of: id, count: records, into: &comparison) }
        }
        try await compareOrders(only: only, into: &comparison)
        progress?(allIDs.count, allIDs.count)
        return comparison
    }

    /// A codes SKU: the pool (Redis) against the unassigned codes (MySQL), and the codes
    /// assigned in MySQL against the units sold (DESIGN section 5b). Reported, not repaired:
    /// MySQL learns codes only from the outbox.
    private func compareCodes(of hot: SKU, into comparison: inout Comparison) async throws {
        let pool = try await inventory.poolSize(sku: hot.id)
        let stored = try await cold.codeCounts(sku: hot.id)
        if pool != stored.pooled {
            comparison.report.drift.append(
                Drift(kind: "codes", id: hot.id, field: "pooled", redis: "\(pool)", mysql: "\(stored.pooled)")
            )
        }
        if hot.sold != stored.assigned {
            comparison.report.drift.append(
                Drift(kind: "codes", id: hot.id, field: "assigned", redis: "\(hot.sold)", mysql: "\(stored.assigned)")
            )
        }
    }

    /// A spread SKU's buckets 1..<count (DESIGN section 12): each record's counters and
    /// version against its `sku_buckets` row, and its holds.
    private func compareBuckets(of sku: String, count: Int, into comparison: inout Comparison) async throws {
        let rows = try await cold.buckets(sku: sku)
        for bucket in 1..<count {
            comparison.report.compared += 1
            let id = BucketID(sku: sku, index: bucket).description
            let hot = try? await inventory.record(id)
            switch (hot, rows[bucket]) {
            case (nil, nil):
                continue
            case (let hot?, nil):
                comparison.report.drift.append(Drift(kind: "bucket", id: id, field: "exists", redis: "yes", mysql: "-"))
                comparison.bucketsToWrite.append(hot)
            case (nil, _?):
                comparison.report.drift.append(Drift(kind: "bucket", id: id, field: "exists", redis: "-", mysql: "yes"))
            case (let hot?, let row?):
                let differences = Self.differences(hot, row).filter { SKUField(rawValue: $0.field)?.isCounter == true }
                comparison.report.drift += differences.map {
                    Drift(kind: "bucket", id: id, field: $0.field, redis: $0.redis, mysql: $0.mysql)
                }
                if !differences.isEmpty { comparison.bucketsToWrite.append(hot) }
            }
            try await compareHolds(of: sku, bucket: bucket, into: &comparison)
        }
    }

    /// The holds one record of `sku` keeps (bucket 0: the SKU's own) against MySQL's.
    private func compareHolds(of sku: String, bucket: Int, into comparison: inout Comparison) async throws {
        let record = BucketID(sku: sku, index: bucket).description
        let prefix = inventory.keys.prefix(of: record) + "hold:\(record)/"
        let orders = try await inventory.scan(match: prefix + "*").map { String($0.dropFirst(prefix.count)) }
        var hot: [String: Hold] = [:]
        for order in orders {
            if let hold = try? await inventory.hold(in: record, order: order) { hot[order] = hold }
        }
        let stored = Dictionary(
            uniqueKeysWithValues: try await cold.allHolds(sku: sku, bucket: bucket).map { ($0.order, $0) }
        )
        for (order, hold) in hot.sorted(by: { $0.key < $1.key }) {
            comparison.report.compared += 1
            let id = "\(sku)/\(order)"
            guard let row = stored[order] else {
                comparison.report.drift.append(Drift(kind: "hold", id: id, field: "exists", redis: "yes", mysql: "-"))
                comparison.holdsToWrite.append(hold)
                continue
            }
            let differences = Self.differences(hold, row)
            comparison.report.drift += differences
            if !differences.isEmpty { comparison.holdsToWrite.append(hold) }
        }
        for (order, row) in stored where row.state == .held && hot[order] == nil {
            comparison.report.compared += 1
            comparison.report.drift.append(
                Drift(kind: "hold", id: "\(sku)/\(order)", field: "exists", redis: "-", mysql: "held")
            )
            // Redis, the authority, holds no such units: the hold ended there unseen.
            var ended = row
            ended.sku = record
            ended.state = .expired
            ended.finalAtMs = try await inventory.redisTimeMs()
            ended.version += 1
            comparison.holdsToWrite.append(ended)
        }
    }

    private func repair(_ comparison: Comparison) async throws -> Int {
        let skus = comparison.skusToWrite
        let buckets = comparison.bucketsToWrite
        let holds = comparison.holdsToWrite
        let orders = comparison.ordersToWrite
        try await cold.pool.withConnection { connection in
            try await connection.transaction { connection in
                try ColdWrites.upsertSKUs(skus.map { ($0, nil) }, force: true, on: connection)
                try ColdWrites.upsertBucketCounters(buckets.map { ($0, nil) }, force: true, on: connection)
                try ColdWrites.upsertHolds(holds, force: true, on: connection)
                try ColdWrites.upsertOrders(orders, force: true, on: connection)
            }
        }
        logger.warning(
            "repaired MySQL from Redis",
            metadata: [
                "skus": "\(skus.count)", "buckets": "\(buckets.count)", "holds": "\(holds.count)",
                "orders": "\(orders.count)",
            ]
        )
        return skus.count + buckets.count + holds.count + orders.count
    }

    static func differences(_ hot: SKU, _ stored: SKU) -> [Drift] {
        let fields: [(SKUField, String, String)] = [
            (.total, "\(hot.total)", "\(stored.total)"), (.available, "\(hot.available)", "\(stored.available)"),
            (.held, "\(hot.held)", "\(stored.held)"), (.sold, "\(hot.sold)", "\(stored.sold)"),
            (.version, "\(hot.version)", "\(stored.version)"),
            (.perBuyerLimit, text(hot.config.perBuyerLimit), text(stored.config.perBuyerLimit)),
            (.opensAtMs, text(hot.config.opensAtMs), text(stored.config.opensAtMs)),
            (.releaseRate, text(hot.config.releaseRate), text(stored.config.releaseRate)),
            (.releaseBurst, text(hot.config.releaseBurst), text(stored.config.releaseBurst)),
            (.defaultTTLMs, text(hot.config.defaultTTLMs), text(stored.config.defaultTTLMs)),
            (.maxQty, text(hot.config.maxQty), text(stored.config.maxQty)),
            (.kind, hot.kind.rawValue, stored.kind.rawValue),
            (.buckets, text(hot.config.buckets), text(stored.config.buckets)),
            (.bucketRecords, text(hot.config.bucketRecords), text(stored.config.bucketRecords)),
            (.bucketRoutings, text(hot.config.bucketRoutings), text(stored.config.bucketRoutings)),
            (.spreadTotal, text(hot.config.spreadTotal), text(stored.config.spreadTotal)),
        ]
        return fields.filter { $0.1 != $0.2 }.map {
            Drift(kind: "sku", id: hot.id, field: $0.0.rawValue, redis: $0.1, mysql: $0.2)
        }
    }

    static func differences(_ hot: Hold, _ stored: Hold) -> [Drift] {
        let fields: [(HoldField, String, String)] = [
            (.qty, "\(hot.qty)", "\(stored.qty)"), (.buyer, text(hot.buyer), text(stored.buyer)),
            (.state, hot.state.rawValue, stored.state.rawValue),
            (.expiresAtMs, "\(hot.expiresAtMs)", "\(stored.expiresAtMs)"),
            (.createdAtMs, "\(hot.createdAtMs)", "\(stored.createdAtMs)"),
            (.finalAtMs, text(hot.finalAtMs), text(stored.finalAtMs)),
            (.version, "\(hot.version)", "\(stored.version)"),
        ]
        let id = "\(hot.sku)/\(hot.order)"
        return fields.filter { $0.1 != $0.2 }.map {
            Drift(kind: "hold", id: id, field: $0.0.rawValue, redis: $0.1, mysql: $0.2)
        }
    }

    private static func text<V>(_ value: V?) -> String { value.map { "\($0)" } ?? "-" }
}
