import RedisClient

/// Where a buyer's units of a SKU with a per-buyer limit are counted (DESIGN section
/// 12). Holds of such a SKU route by buyer, so the limit is checked in the one bucket
/// that counts all of the buyer's units. Until the SKU's count first changes that is
/// bucket `crc32(buyer) mod B`; from then on each buyer has a home bucket, settled once
/// (``settleHome``): the bucket its units already are in, or where it routes now.
extension Inventory {
    /// The bucket record new holds of `buyer` go to; nil while the count is changing and
    /// the bucket the buyer routed to before has not learned the new count yet (a hold
    /// routed the old way may still land there).
    func buyerRecord(sku: String, buyer: String, layout: BucketLayout) async throws -> String? {
        guard let first = layout.earlier.first else {
            return BucketRouting.record(sku: sku, key: buyer, buckets: layout.buckets)
        }
        if let home = try await home(sku: sku, buyer: buyer) { return home }
        let before = BucketRouting.record(sku: sku, key: buyer, buckets: first.buckets)
        guard let units = try await buyerUnits(in: before, buyer: buyer, buckets: layout.buckets) else { return nil }
        let proposal = units > 0 ? before : BucketRouting.record(sku: sku, key: buyer, buckets: layout.buckets)
        return try await settleHome(sku: sku, buyer: buyer, record: proposal)
    }

    /// The bucket records that may keep holds of `buyer`: where it routes, or after a
    /// change its home and the bucket it routed to before the first change.
    func buyerRecords(sku: String, buyer: String, layout: BucketLayout) async throws -> [String] {
        guard let first = layout.earlier.first else {
            return [BucketRouting.record(sku: sku, key: buyer, buckets: layout.buckets)]
        }
        let before = BucketRouting.record(sku: sku, key: buyer, buckets: first.buckets)
        guard let home = try await home(sku: sku, buyer: buyer), home != before else { return [before] }
        return [home, before]
    }

    /// Settles `buyer`'s home bucket to `record` unless it has one; answers the home.
    func settleHome(sku: String, buyer: String, record: String) async throws -> String {
        let reply = try await call(
            HotStockFunction.home,
            keys: [keys.homesKey(sku: sku, buyer: buyer)],
            arguments: [sku, buyer, record]
        )
        guard reply.isOK, let home = reply["record"] else { throw reply.refusal() }
        return home
    }

    private func home(sku: String, buyer: String) async throws -> String? {
        try await withRetry {
            try await redis.send(.hmget(keys.homesKey(sku: sku, buyer: buyer), fields: [buyer]))
        }.array?.first?.string
    }

    /// The units `buyer` has counted in bucket record `record`; nil while the record still
    /// routes over another count than `buckets`. The record is read first: once it names
    /// the new count, no hold routed the old way adds to the buyer's units there.
    private func buyerUnits(in record: String, buyer: String, buckets: Int) async throws -> Int64? {
        guard let routes = try await routedCount(of: record) else { return 0 }
        guard routes == buckets else { return nil }
        return try await withRetry {
            try await redis.send(.hmget(keys.buyersKey(record), fields: [buyer]))
        }.array?.first?.int ?? 0
    }
}
