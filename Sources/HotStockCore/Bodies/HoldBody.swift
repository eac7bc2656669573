/// The hold body of the HTTP contract, also printed by `hotstock hold ... --json`.
/// A missing buyer and a hold not yet final read `null`; `reacquired` appears only
/// when a confirm re-acquired an expired hold; `codes_count` only on holds of a codes
/// SKU (`null` until confirmed).
public struct HoldBody: Codable, Sendable, Equatable {
    public var sku: String
    public var order: String
    public var qty: Int64
    public var buyer: String?
    public var state: String
    public var expiresAtMs: Int64
    public var createdAtMs: Int64
    public var finalAtMs: Int64?
    public var reacquired: Bool?
    /// Whether the hold is of a codes SKU, which makes `codes_count` appear.
    public var coded: Bool
    public var codesCount: Int64?

    enum CodingKeys: String, CodingKey {
        case sku, order, qty, buyer, state, reacquired
        case codesCount = "codes_count"
        case expiresAtMs = "expires_at_ms"
        case createdAtMs = "created_at_ms"
        case finalAtMs = "final_at_ms"
    }

    /// The body of a hold; pass `reacquired: true` for a confirm that re-acquired it.
    public init(_ hold: Hold, reacquired: Bool = false) {
        sku = hold.sku
        order = hold.order
        qty = hold.qty
        buyer = hold.buyer
        state = hold.state.rawValue
        expiresAtMs = hold.expiresAtMs
        createdAtMs = hold.createdAtMs
        finalAtMs = hold.finalAtMs
        self.reacquired = reacquired ? true : nil
        coded = hold.coded
        codesCount = hold.codesCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sku = try container.decode(String.self, forKey: .sku)
        order = try container.decode(String.self, forKey: .order)
        qty = try container.decode(Int64.self, forKey: .qty)
        buyer = try container.decodeIfPresent(String.self, forKey: .buyer)
        state = try container.decode(String.self, forKey: .state)
        expiresAtMs = try container.decode(Int64.self, forKey: .expiresAtMs)
        createdAtMs = try container.decode(Int64.self, forKey: .createdAtMs)
        finalAtMs = try container.decodeIfPresent(Int64.self, forKey: .finalAtMs)
        reacquired = try container.decodeIfPresent(Bool.self, forKey: .reacquired)
        coded = container.contains(.codesCount)
        codesCount = try container.decodeIfPresent(Int64.self, forKey: .codesCount)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(order, forKey: .order)
        try container.encode(qty, forKey: .qty)
        try container.encode(buyer, forKey: .buyer)
        try container.encode(state, forKey: .state)
        try container.encode(expiresAtMs, forKey: .expiresAtMs)
        try container.encode(createdAtMs, forKey: .createdAtMs)
        try container.encode(finalAtMs, forKey: .finalAtMs)
        try container.encodeIfPresent(reacquired, forKey: .reacquired)
        if coded { try container.encode(codesCount, forKey: .codesCount) }
    }
}
