/// The life of an order of several SKUs (DESIGN section 14). `held`, `confirmed`,
/// `released` and `expired` are what its body shows; the others are steps of its saga
/// in flight, which a retry or recovery finishes.
public enum OrderState: String, Sendable, Hashable, CaseIterable {
    case placing, compensating, held, confirming, releasing, confirmed, released, expired, failed

    /// Whether the saga is between two steps (a process may have died there).
    public var isTransient: Bool { [.placing, .compensating, .confirming, .releasing].contains(self) }
}

/// One line of an order: `qty` units of `sku`, held as the ordinary hold (sku, order).
public struct OrderLine: Sendable, Hashable {
    /// The SKU id.
    public var sku: String
    /// Units of it.
    public var qty: Int64
    /// The line's hold as it stands; nil before it is read or when there is none.
    public var state: HoldState?

    /// Makes a line.
    public init(sku: String, qty: Int64, state: HoldState? = nil) {
        self.sku = sku
        self.qty = qty
        self.state = state
    }
}

/// An order of several SKUs: its saga's log and its lines.
public struct Order: Sendable, Equatable {
    /// The order id (also the order id of every line's hold).
    public var order: String
    /// Where the saga is.
    public var state: OrderState
    /// The buyer every line names, if any.
    public var buyer: String?
    /// The lines, in the request's order.
    public var lines: [OrderLine]
    /// When the order was placed (Redis clock, Unix ms).
    public var createdAtMs: Int64
    /// When a held order expires: its earliest line's expiry.
    public var expiresAtMs: Int64?
    /// When it reached a final state.
    public var finalAtMs: Int64?
    /// Goes up by one with every step.
    public var version: Int64
    /// The refusal of a failed order, or `hold_expired` for an order expired by a line.
    public var error: String?
    /// The line whose refusal (or expiry) ended the order.
    public var errorSKU: String?
}

extension Order {
    /// The order as a caller may be answered it: one still being placed is `unavailable`
    /// (retry: the placing ends within moments, or recovery finishes it), a refused one
    /// answers its refusal again.
    public func answer() throws(InventoryError) -> Order {
        switch state {
        case .placing, .compensating, .failed:
            throw InventoryError.orderNotHeld(order, placing: state == .placing, error: error, sku: errorSKU)
        default:
            return self
        }
    }
}

extension InventoryError {
    /// The refusal an order answers for its line `sku`: code `code` (its log's `error`).
    static func orderRefusal(code: String?, sku: String?) -> InventoryError {
        var error = InventoryError(
            Code(reply: code ?? "") ?? .unavailable,
            "line \(sku ?? "?") of the order was refused: \(code ?? "unknown")"
        )
        error.sku = sku
        return error
    }

    /// What an order that holds nothing answers: one being placed is to be retried (the
    /// placing ends within moments, or recovery finishes it); a refused one answers its
    /// refusal again.
    static func orderNotHeld(_ order: String, placing: Bool, error: String?, sku: String?) -> InventoryError {
        placing
            ? InventoryError(.unavailable, "order \(order) is being placed; retry", retryAfterMilliseconds: 100)
            : orderRefusal(code: error, sku: sku)
    }
}

/// A request to place an order: what `PUT /v1/orders/{order}` carries.
public struct OrderRequest: Sendable, Hashable {
    /// The most lines one order may have.
    public static let maxLines = 20

    /// The lines, each SKU at most once.
    public var lines: [OrderLine]
    /// The buyer every line names, if any.
    public var buyer: String?
    /// The TTL of every line's hold; nil for each SKU's default.
    public var ttlMs: Int64?

    /// Makes a request.
    public init(lines: [OrderLine], buyer: String? = nil, ttlMs: Int64? = nil) {
        self.lines = lines
        self.buyer = buyer
        self.ttlMs = ttlMs
    }

    /// The lines as the order's log keeps them: `SKU:QTY,...`.
    var encodedLines: String { lines.map { "\($0.sku):\($0.qty)" }.joined(separator: ",") }

    /// The request as one string, so the log tells the same request from a changed one.
    var canonical: String { "\(buyer ?? "")|\(ttlMs.map(String.init) ?? "")|\(encodedLines)" }

    /// Checks the request's shape (each line's rules are its hold's, checked there).
    func validate() throws(InventoryError) {
        guard (1...Self.maxLines).contains(lines.count) else {
            throw InventoryError(.invalidArgument, "an order has 1..\(Self.maxLines) lines")
        }
        guard Set(lines.map(\.sku)).count == lines.count else {
            throw InventoryError(.invalidArgument, "each SKU may appear in one line only")
        }
        for line in lines {
            try Identifier.validate(line.sku, field: "sku")
            guard line.qty >= 1, line.qty <= InventoryLimits.maxCount else {
                throw InventoryError(.invalidArgument, "qty must be a positive integer")
            }
        }
        if let buyer { try Identifier.validate(buyer, field: "buyer") }
        if let ttlMs, !InventoryLimits.ttlRange.contains(ttlMs) {
            throw InventoryError(
                .invalidArgument,
                "ttl_ms must be an integer in \(InventoryLimits.ttlRange.lowerBound)..\(InventoryLimits.ttlRange.upperBound)"
            )
        }
    }
}
