/// A SKU's stock snapshot and configuration, as Redis holds it.
public struct SKU: Sendable, Equatable {
    /// The SKU id.
    public var id: String
    /// Units ever put on sale: `available + held + sold`.
    public var total: Int64
    /// Units free to hold.
    public var available: Int64
    /// Units in live holds.
    public var held: Int64
    /// Units confirmed (burnt).
    public var sold: Int64
    /// Goes up by one with every change to the SKU.
    public var version: Int64
    /// The SKU's sale rules.
    public var config: SKUConfig
    /// What the SKU sells: counted units, or the codes of its pool.
    public var kind: SKUKind = .counted

    /// Makes a snapshot.
    public init(
        id: String,
        total: Int64,
        available: Int64,
        held: Int64,
        sold: Int64,
        version: Int64,
        config: SKUConfig = SKUConfig(),
        kind: SKUKind = .counted
    ) {
        self.id = id
        self.total = total
        self.available = available
        self.held = held
        self.sold = sold
        self.version = version
        self.config = config
        self.kind = kind
    }

    /// Whether the stock invariant holds: `available + held + sold == total`, none negative.
    public var isBalanced: Bool {
        available >= 0 && held >= 0 && sold >= 0 && available + held + sold == total
    }
}

/// What a SKU sells (DESIGN section 5b).
public enum SKUKind: String, Sendable, Hashable, CaseIterable {
    /// Interchangeable units: `total` is set by the admin.
    case counted
    /// The codes loaded into its pool, each delivered to one confirmed order: `total` is
    /// the number of distinct codes loaded.
    case codes
}

/// A SKU's sale rules; `nil` means unset.
public struct SKUConfig: Sendable, Equatable {
    /// Units one buyer may hold and buy in all.
    public var perBuyerLimit: Int64?
    /// No hold before this time (Redis clock, Unix ms).
    public var opensAtMs: Int64?
    /// Units released per second from `opensAtMs` (token bucket), on top of the burst.
    public var releaseRate: Double?
    /// Units released at `opensAtMs` when a release rate is set.
    public var releaseBurst: Int64?
    /// TTL of a hold that names none.
    public var defaultTTLMs: Int64?
    /// Most units one hold may take (1000 when unset).
    public var maxQty: Int64?
    /// How many buckets the stock is spread over (DESIGN section 12); unset: one.
    public var buckets: Int64?
    /// How many bucket records exist (more than `buckets` after a shrink); unset: `buckets`.
    public var bucketRecords: Int64?
    /// The bucket counts the SKU routed over before (`COUNT@MS,...`, oldest first).
    public var bucketRoutings: String?
    /// A spread SKU's total, noted when it was spread over buckets (fixed since).
    public var spreadTotal: Int64?

    /// Makes a configuration; every rule defaults to unset.
    public init(
        perBuyerLimit: Int64? = nil,
        opensAtMs: Int64? = nil,
        releaseRate: Double? = nil,
        releaseBurst: Int64? = nil,
        defaultTTLMs: Int64? = nil,
        maxQty: Int64? = nil,
        buckets: Int64? = nil,
        bucketRecords: Int64? = nil,
        bucketRoutings: String? = nil,
        spreadTotal: Int64? = nil
    ) {
        self.perBuyerLimit = perBuyerLimit
        self.opensAtMs = opensAtMs
        self.releaseRate = releaseRate
        self.releaseBurst = releaseBurst
        self.defaultTTLMs = defaultTTLMs
        self.maxQty = maxQty
        self.buckets = buckets
        self.bucketRecords = bucketRecords
        self.bucketRoutings = bucketRoutings
        self.spreadTotal = spreadTotal
    }
}
