/// The hold body of the HTTP contract, also printed by `hotstock hold ... --json`.
/// A missing buyer and a hold not yet final read `null`; `reacquired` appears only
/// when a confirm re-acquired an expired hold.
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

    enum CodingKeys: String, CodingKey {
        case sku, order, qty, buyer, state, reacquired
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
    }
}
