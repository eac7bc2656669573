import Foundation
import RedisClient

/// Where a hold lives on a SKU spread over buckets (DESIGN section 12): the bucket its
/// order routes to (or its buyer's, under a per-buyer limit), or, for a hold placed
/// before the SKU's count changed, the bucket the count of the time put it in.
extension Inventory {
    /// The bucket record a hold of `order` (by `buyer`) goes to on a SKU that is not
    /// plain: where a hold of the order placed under an earlier count is, or else where
    /// the order routes now. Nil while the count is changing and an earlier bucket has
    /// not learned the new one (a hold routed the old way may still land there).
    /// Under a per-buyer limit the order is bound to its buyer first (``claim``), so the
    /// same order with another buyer is `idempotency_conflict` wherever it would land.
    func holdRecord(sku: String, order: String, buyer: String?, layout: BucketLayout) async throws -> String? {
        if layout.perBuyer {
            guard let buyer else {
                throw InventoryError(.invalidArgument, "buyer is required: this SKU has a per-buyer limit")
            }
            guard try await claim(sku: sku, order: order, buyer: buyer) == buyer else {
                throw InventoryError(.idempotencyConflict, "order \(order) already holds a different request")
            }
            if !layout.earlier.isEmpty {
                // After a change: the order may be held where the buyer's units were counted.
                let records = try await buyerRecords(sku: sku, buyer: buyer, layout: layout)
                switch try await earlierHold(in: records, order: order, buckets: layout.buckets) {
                case .found(let record): return record
                case .unsettled: return nil
                case .absent: break
                }
            }
            return try await buyerRecord(sku: sku, buyer: buyer, layout: layout)
        }
        let records = earlierRecords(sku: sku, order: order, layout: layout)
        switch try await earlierHold(in: records, order: order, buckets: layout.buckets) {
        case .found(let record): return record
        case .unsettled: return nil
        case .absent: return BucketRouting.record(sku: sku, order: order, buckets: layout.buckets)
        }
    }

    /// What looking for an order's hold among earlier buckets found.
    enum EarlierHold {
        /// The record that keeps it.
        case found(String)
        /// None keeps it, and none will.
        case absent
        /// A record still routes over another count: a hold routed the old way may yet land there.
        case unsettled
    }

    /// The first of `records` that keeps a hold of `order`, in order; `unsettled` as soon
    /// as one looked at still routes over another count than `buckets`.
    private func earlierHold(in records: [String], order: String, buckets: Int) async throws -> EarlierHold {
        for record in records {
            switch try await earlierHold(in: record, order: order, buckets: buckets) {
            case .some(true): return .found(record)
            case .some(false): continue
            case nil: return .unsettled
            }
        }
        return .absent
    }

    /// The bucket records that may keep the hold of `order`, in the order to look: where
    /// it routes now, then where earlier counts put it. Under a per-buyer limit the
    /// order's claim names its buyer, whose buckets those are; an order without one
    /// (held before the SKU was spread, or its claim lost with Redis) is looked for in
    /// every bucket.
    func holdRecords(sku: String, order: String, layout: BucketLayout) async throws -> [String] {
        guard !layout.isPlain else { return [sku] }
        if layout.perBuyer {
            guard let buyer = try await claimedBuyer(sku: sku, order: order) else { return layout.allRecords(sku: sku) }
            return try await buyerRecords(sku: sku, buyer: buyer, layout: layout)
        }
        return [BucketRouting.record(sku: sku, order: order, buckets: layout.buckets)]
            + earlierRecords(sku: sku, order: order, layout: layout)
    }

    /// Binds `order` of `sku` to `buyer` unless it is bound already; answers the buyer it
    /// is bound to.
    func claim(sku: String, order: String, buyer: String) async throws -> String {
        let reply = try await call(
            HotStockFunction.claim,
            keys: [keys.claimKey(sku: sku, order: order)],
            arguments: [sku, order, buyer, String(claimLifetimeMs)]
        )
        guard reply.isOK, let owner = reply["buyer"] else { throw reply.refusal() }
        return owner
    }

    /// The buyer `order` of `sku` is bound to, if any.
    func claimedBuyer(sku: String, order: String) async throws -> String? {
        try await withRetry { try await redis.send(.get(keys.claimKey(sku: sku, order: order))) }.string
    }

    /// How long a claim lasts: longer than any hold is kept (the longest TTL, the
    /// idempotency retention, and an hour for clocks).
    var claimLifetimeMs: Int64 { InventoryLimits.ttlRange.upperBound + configuration.retentionMs + 3_600_000 }

    private func earlierRecords(sku: String, order: String, layout: BucketLayout) -> [String] {
        guard !layout.earlier.isEmpty else { return [] }
        return layout.earlierRecords(
            sku: sku,
            order: order,
            nowMs: Int64(Date().timeIntervalSince1970 * 1000),
            keptMs: claimLifetimeMs
        )
    }

    /// Whether bucket record `record` keeps a hold of `order`; nil while the record still
    /// routes over another count than `buckets` (a hold routed the old way may yet land
    /// there). The record is read first: once it names the new count, no hold of an
    /// order routed the old way lands there, so what the second read finds stays true.
    private func earlierHold(in record: String, order: String, buckets: Int) async throws -> Bool? {
        guard let routes = try await routedCount(of: record) else { return false }
        guard routes == buckets else { return nil }
        let exists = try await withRetry { try await redis.send(.exists(keys.holdKey(sku: record, order: order))) }
        return exists.int == 1
    }

    /// The bucket count SKU record `record` routes over (a record without the field, one
    /// warmed after a shrink to one bucket, routes over one); nil when there is no record.
    func routedCount(of record: String) async throws -> Int? {
        let fields =
            try await withRetry {
                try await redis.send(
                    .hmget(keys.skuKey(record), fields: [SKUField.total.rawValue, SKUField.buckets.rawValue])
                )
            }.array ?? []
        guard fields.count == 2, fields[0].string != nil else { return nil }
        return fields[1].string.flatMap { Int($0) } ?? 1
    }
}
