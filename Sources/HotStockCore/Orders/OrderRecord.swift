/// An order's log as its record in Redis keeps it (DESIGN section 14): what the saga's
/// steps read to know where the order is and what is left to do.
struct OrderRecord: Sendable {
    /// The fields read, in this order.
    static let fields = [
        "state", "buyer", "lines", "ttl_ms", "created_at_ms", "expires_at_ms", "final_at_ms", "version", "reacquire",
        "pinned", "outcome", "error", "error_sku",
    ]

    var order: String
    var state: OrderState
    var buyer: String?
    var lines: [OrderLine]
    var ttlMs: Int64?
    var createdAtMs: Int64
    var expiresAtMs: Int64?
    var finalAtMs: Int64?
    var version: Int64
    /// Whether a confirm in flight takes expired lines again.
    var reacquire: Bool
    /// Whether every line was pinned: the confirm may only go forward from here.
    var pinned: Bool
    /// The final state a releasing order reaches (`released` or `expired`).
    var outcome: OrderState?
    /// The refusal a failed order (or an expired line) answers, and the line's SKU.
    var error: String?
    var errorSKU: String?

    /// Parses the values of ``fields``; nil when the order has no record.
    init?(order: String, values: [String?]) {
        guard values.count == Self.fields.count, let state = values[0].flatMap(OrderState.init(rawValue:)) else {
            return nil
        }
        self.order = order
        self.state = state
        buyer = values[1]
        lines = Self.decodeLines(values[2] ?? "")
        ttlMs = values[3].flatMap { Int64($0) }
        createdAtMs = values[4].flatMap { Int64($0) } ?? 0
        expiresAtMs = values[5].flatMap { Int64($0) }
        finalAtMs = values[6].flatMap { Int64($0) }
        version = values[7].flatMap { Int64($0) } ?? 0
        reacquire = values[8] == "1"
        pinned = values[9] == "1"
        outcome = values[10].flatMap(OrderState.init(rawValue:))
        error = values[11]
        errorSKU = values[12]
    }

    /// The request that placed the order, as recovery places it forward.
    var request: OrderRequest { OrderRequest(lines: lines, buyer: buyer, ttlMs: ttlMs) }

    /// The lines in the order of their SKU ids, the order every step walks them in.
    var sortedLines: [OrderLine] { lines.sorted { $0.sku < $1.sku } }

    /// Parses `SKU:QTY,...`.
    static func decodeLines(_ text: String) -> [OrderLine] {
        text.split(separator: ",").compactMap { part in
            guard let colon = part.lastIndex(of: ":"), let qty = Int64(part[part.index(after: colon)...]) else {
                return nil
            }
            return OrderLine(sku: String(part[..<colon]), qty: qty)
        }
    }
}
