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
    /// How many buckets the stock is spread over (DESIGN section 12); always present.
    public var buckets: Int64

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
        buckets = sku.config.buckets ?? 1
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: FieldKey.self)
        func optional(_ field: SKUField) throws -> Int64? {
            try container.decodeIfPresent(Int64.self, forKey: FieldKey(field))
        }
        sku = try container.decode(String.self, forKey: .sku)
        kind = try container.decode(String.self, forKey: FieldKey(.kind))
        total = try container.decode(Int64.self, forKey: FieldKey(.total))
        available = try container.decode(Int64.self, forKey: FieldKey(.available))
        held = try container.decode(Int64.self, forKey: FieldKey(.held))
        sold = try container.decode(Int64.self, forKey: FieldKey(.sold))
        version = try container.decode(Int64.self, forKey: FieldKey(SKUField.version))
        perBuyerLimit = try optional(.perBuyerLimit)
        opensAtMs = try optional(.opensAtMs)
        releaseRate = try container.decodeIfPresent(Double.self, forKey: FieldKey(.releaseRate))
        releaseBurst = try optional(.releaseBurst)
        defaultTTLMs = try optional(.defaultTTLMs)
        maxQty = try optional(.maxQty)
        buckets = try optional(.buckets) ?? 1
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(kind, forKey: FieldKey(.kind))
        try container.encode(total, forKey: FieldKey(.total))
        try container.encode(available, forKey: FieldKey(.available))
        try container.encode(held, forKey: FieldKey(.held))
        try container.encode(sold, forKey: FieldKey(.sold))
        try container.encode(version, forKey: FieldKey(SKUField.version))
        try container.encode(perBuyerLimit, forKey: FieldKey(.perBuyerLimit))
        try container.encode(opensAtMs, forKey: FieldKey(.opensAtMs))
        try container.encode(releaseRate, forKey: FieldKey(.releaseRate))
        try container.encode(releaseBurst, forKey: FieldKey(.releaseBurst))
        try container.encode(defaultTTLMs, forKey: FieldKey(.defaultTTLMs))
        try container.encode(maxQty, forKey: FieldKey(.maxQty))
        try container.encode(buckets, forKey: FieldKey(.buckets))
    }
}
