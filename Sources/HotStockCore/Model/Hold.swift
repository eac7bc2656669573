/// The life of a hold: `held`, then exactly one final state.
public enum HoldState: String, Sendable, Hashable, CaseIterable {
    case held, confirmed, released, expired
}

/// A hold of units of one SKU for one order.
public struct Hold: Sendable, Equatable {
    /// The SKU id.
    public var sku: String
    /// The order id; (sku, order) identifies the hold.
    public var order: String
    /// Units held.
    public var qty: Int64
    /// The buyer, when the request named one.
    public var buyer: String?
    /// Where the hold is in its life.
    public var state: HoldState
    /// When a `held` hold expires (Redis clock, Unix ms).
    public var expiresAtMs: Int64
    /// When the hold was placed.
    public var createdAtMs: Int64
    /// When the hold reached its final state; `nil` while held.
    public var finalAtMs: Int64?
    /// Goes up by one with every change to the hold.
    public var version: Int64
    /// Whether the hold is of a codes SKU (its body then carries `codes_count`).
    public var coded = false
    /// Codes assigned to the hold (a codes SKU's confirmed hold); `nil` before.
    public var codesCount: Int64?
    /// When the hold's codes were first fetched; `nil` before.
    public var firstDeliveredAtMs: Int64?

    /// Makes a hold value.
    public init(
        sku: String,
        order: String,
        qty: Int64,
        buyer: String?,
        state: HoldState,
        expiresAtMs: Int64,
        createdAtMs: Int64,
        finalAtMs: Int64?,
        version: Int64
    ) {
        self.sku = sku
        self.order = order
        self.qty = qty
        self.buyer = buyer
        self.state = state
        self.expiresAtMs = expiresAtMs
        self.createdAtMs = createdAtMs
        self.finalAtMs = finalAtMs
        self.version = version
    }
}

/// The answer to placing a hold.
public struct HoldPlacement: Sendable, Equatable {
    /// The hold, new or found.
    public var hold: Hold
    /// `true` when this request created the hold; `false` when it repeated an earlier one.
    public var created: Bool
}

/// The answer to confirming a hold.
public struct Confirmation: Sendable, Equatable {
    /// The confirmed hold.
    public var hold: Hold
    /// `true` when the hold had expired and was held and confirmed again in one step.
    public var reacquired: Bool
}
