/// The SKU body of the HTTP contract, also printed by `hotstock stock ... --json`.
/// Unset config fields are `null`.
public struct SKUBody: Codable, Sendable, Equatable {
    public var sku: String
    /// `counted` (a number of units) or `codes` (a pool of secrets).
    public var kind: String
    public var total: Int64
    public var available: Int64
    public var held: Int64
    public var sold: Int64
    public var version: Int64
    public var perBuyerLimit: Int64?
    public var opensAtMs: Int64?
    public var releaseRate: Double?
    public var releaseBurst: Int64?
    public var defaultTTLMs: Int64?
    public var maxQty: Int64?

    enum CodingKeys: String, CodingKey {
        case sku, kind, total, available, held, sold, version
        case perBuyerLimit = "per_buyer_limit"
        case opensAtMs = "opens_at_ms"
        case releaseRate = "release_rate"
        case releaseBurst = "release_burst"
        case defaultTTLMs = "default_ttl_ms"
        case maxQty = "max_qty"
    }

    /// The body of a SKU snapshot.
    public init(_ sku: SKU) {
        self.sku = sku.id
        kind = sku.kind.rawValue
        total = sku.total
        available = sku.available
        held = sku.held
        sold = sku.sold
        version = sku.version
        perBuyerLimit = sku.config.perBuyerLimit
        opensAtMs = sku.config.opensAtMs
        releaseRate = sku.config.releaseRate
        releaseBurst = sku.config.releaseBurst
        defaultTTLMs = sku.config.defaultTTLMs
        maxQty = sku.config.maxQty
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(kind, forKey: .kind)
        try container.encode(total, forKey: .total)
        try container.encode(available, forKey: .available)
        try container.encode(held, forKey: .held)
        try container.encode(sold, forKey: .sold)
        try container.encode(version, forKey: .version)
        try container.encode(perBuyerLimit, forKey: .perBuyerLimit)
        try container.encode(opensAtMs, forKey: .opensAtMs)
        try container.encode(releaseRate, forKey: .releaseRate)
        try container.encode(releaseBurst, forKey: .releaseBurst)
        try container.encode(defaultTTLMs, forKey: .defaultTTLMs)
        try container.encode(maxQty, forKey: .maxQty)
    }
}
