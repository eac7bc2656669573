/// How a SKU's holds are spread over its buckets (DESIGN section 12), as the SKU's own
/// record says: the count holds route over now, how many bucket records exist, the
/// counts it routed over before (where a retry of an older hold looks), and whether
/// holds route by buyer (a per-buyer limit, kept exact by keeping each buyer's units in
/// one bucket).
struct BucketLayout: Sendable, Equatable {
    /// A count the SKU routed holds over before a change, and when the change was (Redis
    /// clock, Unix ms).
    struct Era: Sendable, Equatable {
        var buckets: Int
        var endedAtMs: Int64
    }

    /// How many buckets new holds route over.
    var buckets = 1
    /// How many bucket records exist (more than `buckets` after a shrink: the retired
    /// ones keep their holds and lend their units).
    var records = 1
    /// Whether holds route by buyer rather than by order.
    var perBuyer = false
    /// The counts routed over before, oldest first.
    var earlier: [Era] = []

    /// A SKU that never had more than its own record: holds go there directly.
    var isPlain: Bool { buckets == 1 && records == 1 && earlier.isEmpty }

    /// The layout a SKU record's fields describe.
    init(buckets: Int64?, records: Int64?, routings: String?, perBuyer: Bool) {
        self.buckets = Int(buckets ?? 1)
        self.records = max(self.buckets, Int(records ?? buckets ?? 1))
        self.perBuyer = perBuyer
        self.earlier = (routings ?? "").split(separator: ",").compactMap { era in
            let parts = era.split(separator: "@")
            guard parts.count == 2, let count = Int(parts[0]), let at = Int64(parts[1]) else { return nil }
            return Era(buckets: count, endedAtMs: at)
        }
    }

    /// A SKU of one record.
    init() {}

    /// The layout a SKU's config describes.
    init(_ config: SKUConfig) {
        self.init(
            buckets: config.buckets,
            records: config.bucketRecords,
            routings: config.bucketRoutings,
            perBuyer: config.perBuyerLimit != nil
        )
    }

    /// Where holds of `order` placed under an earlier count may be, newest count first,
    /// for a SKU that routes by order: leaving out the current route and the counts
    /// whose holds are past their idempotency retention at `nowMs` (`keptMs`: the
    /// longest TTL plus the retention).
    func earlierRecords(sku: String, order: String, nowMs: Int64, keptMs: Int64) -> [String] {
        var seen: Set<String> = [BucketRouting.record(sku: sku, order: order, buckets: buckets)]
        var found: [String] = []
        for era in earlier.reversed() where era.endedAtMs + keptMs >= nowMs {
            let record = BucketRouting.record(sku: sku, order: order, buckets: era.buckets)
            if seen.insert(record).inserted { found.append(record) }
        }
        return found
    }

    /// Every bucket record, bucket 0 (the SKU's own) first.
    func allRecords(sku: String) -> [String] {
        BucketRouting.records(sku: sku, buckets: records)
    }
}
