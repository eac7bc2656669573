/// The fields of a SKU record, named once for every place that stores or carries one:
/// the Redis hash, script replies and outbox entries, the MySQL `skus` columns and the
/// contract's SKU body. The Lua library gets these lists from ``HotStockLibrary``.
public enum SKUField: String, CaseIterable, Sendable {
    case total, available, held, sold, version
    case perBuyerLimit = "per_buyer_limit"
    case opensAtMs = "opens_at_ms"
    case releaseRate = "release_rate"
    case releaseBurst = "release_burst"
    case defaultTTLMs = "default_ttl_ms"
    case maxQty = "max_qty"
    /// `codes` for a SKU that sells a pool of codes; absent (`counted`) otherwise.
    case kind
    /// How many buckets the SKU's stock is spread over (DESIGN section 12); absent: one.
    case buckets
    /// How many bucket records the SKU has (DESIGN section 12): more than `buckets` after
    /// the count shrank, the retired ones keeping their holds; absent: `buckets`.
    case bucketRecords = "bucket_records"
    /// The bucket counts the SKU routed holds over before, each with the time it ended
    /// (`COUNT@MS`, comma separated, oldest first): where a retry of an older hold looks.
    case bucketRoutings = "bucket_routings"
    /// On the own record of a SKU spread over buckets: the SKU's total when it was spread
    /// (fixed since: the body's `total`). A release schedule lives in bucket 0, where
    /// every unit lent to another bucket counts as released (DESIGN section 12).
    case spreadTotal = "spread_total"

    /// The counters, which every SKU record has.
    public static let counters: [SKUField] = [.total, .available, .held, .sold, .version]

    /// Whether the field is one of the ``counters``.
    public var isCounter: Bool { Self.counters.contains(self) }
    /// The config fields, each optional.
    public static let config: [SKUField] = [
        .perBuyerLimit, .opensAtMs, .releaseRate, .releaseBurst, .defaultTTLMs, .maxQty, .kind, .buckets,
        .bucketRecords, .bucketRoutings, .spreadTotal,
    ]
}

/// The fields of a hold record, named once: the Redis hash, script replies, outbox
/// entries, the MySQL `holds` columns and the contract's hold body.
public enum HoldField: String, CaseIterable, Sendable {
    case qty, buyer, state
    case expiresAtMs = "expires_at_ms"
    case createdAtMs = "created_at_ms"
    case finalAtMs = "final_at_ms"
    case version
    /// `1` on a hold of a codes SKU.
    case coded
    /// How many codes a confirm assigned (codes SKUs).
    case codesCount = "codes_count"
    /// When the codes were first fetched (codes SKUs).
    case firstDeliveredAtMs = "first_delivered_at_ms"

    /// The fields every hold has, which the MySQL `holds` table keeps beside `sku` and
    /// `order_id` (the code fields live in the `codes` table).
    public static let stored: [HoldField] = [.qty, .buyer, .state, .expiresAtMs, .createdAtMs, .finalAtMs, .version]

    /// The name the field takes in an outbox entry, which carries the SKU's fields too:
    /// the hold's `version` is `hold_version` there.
    public var eventName: String { self == .version ? "hold_version" : rawValue }
}

extension Dictionary where Key == String, Value == String {
    /// The value of a SKU field in a field map.
    subscript(field: SKUField) -> String? { self[field.rawValue] }
    /// The value of a hold field in a field map.
    subscript(field: HoldField) -> String? { self[field.rawValue] }
}
