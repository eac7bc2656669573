/// The order body of the HTTP contract (DESIGN section 14), also printed by `hotstock
/// order ... --json`: `state` is the whole order's (`held`, `confirmed`, `released`,
/// `expired`), each line's `state` its hold's (`null` when it has none).
public struct OrderBody: Codable, Sendable, Equatable {
    /// One line of the body.
    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var qty: Int64
        public var state: String?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sku, forKey: .sku)
            try container.encode(qty, forKey: .qty)
            try container.encode(state, forKey: .state)
        }
    }

    public var order: String
    public var state: String
    public var buyer: String?
    public var expiresAtMs: Int64?
    public var createdAtMs: Int64
    public var finalAtMs: Int64?
    public var lines: [Line]

    enum CodingKeys: String, CodingKey {
        case order, state, buyer, lines
        case expiresAtMs = "expires_at_ms"
        case createdAtMs = "created_at_ms"
        case finalAtMs = "final_at_ms"
    }

    /// The body of an order. An order between two steps shows the state it is in as a
    /// whole until the step ends: `held` (being confirmed or released, its units still
    /// held); recovery or the caller's retry finishes the step.
    public init(_ order: Order) {
        self.order = order.order
        switch order.state {
        case .confirmed, .released, .expired: state = order.state.rawValue
        default: state = OrderState.held.rawValue
        }
        buyer = order.buyer
        expiresAtMs = order.expiresAtMs
        createdAtMs = order.createdAtMs
        finalAtMs = order.finalAtMs
        lines = order.lines.map { Line(sku: $0.sku, qty: $0.qty, state: $0.state?.rawValue) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(order, forKey: .order)
        try container.encode(state, forKey: .state)
        try container.encode(buyer, forKey: .buyer)
        try container.encode(expiresAtMs, forKey: .expiresAtMs)
        try container.encode(createdAtMs, forKey: .createdAtMs)
        try container.encode(finalAtMs, forKey: .finalAtMs)
        try container.encode(lines, forKey: .lines)
    }
}
