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
        let container = try decoder.container(keyedBy: FieldKey.self)
        sku = try container.decode(String.self, forKey: .sku)
        order = try container.decode(String.self, forKey: .order)
        qty = try container.decode(Int64.self, forKey: FieldKey(.qty))
        buyer = try container.decodeIfPresent(String.self, forKey: FieldKey(.buyer))
        state = try container.decode(String.self, forKey: FieldKey(.state))
        expiresAtMs = try container.decode(Int64.self, forKey: FieldKey(.expiresAtMs))
        createdAtMs = try container.decode(Int64.self, forKey: FieldKey(.createdAtMs))
        finalAtMs = try container.decodeIfPresent(Int64.self, forKey: FieldKey(.finalAtMs))
        reacquired = try container.decodeIfPresent(Bool.self, forKey: .reacquired)
        coded = container.contains(FieldKey(.codesCount))
        codesCount = try container.decodeIfPresent(Int64.self, forKey: FieldKey(.codesCount))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        try container.encode(sku, forKey: .sku)
        try container.encode(order, forKey: .order)
        try container.encode(qty, forKey: FieldKey(.qty))
        try container.encode(buyer, forKey: FieldKey(.buyer))
        try container.encode(state, forKey: FieldKey(.state))
        try container.encode(expiresAtMs, forKey: FieldKey(.expiresAtMs))
        try container.encode(createdAtMs, forKey: FieldKey(.createdAtMs))
        try container.encode(finalAtMs, forKey: FieldKey(.finalAtMs))
        try container.encodeIfPresent(reacquired, forKey: .reacquired)
        if coded { try container.encode(codesCount, forKey: FieldKey(.codesCount)) }
    }
}
