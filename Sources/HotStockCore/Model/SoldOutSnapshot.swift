/// What a `sold_out` refusal of a hold saw of its SKU: enough for a front end's
/// sold-out gate (DESIGN section 13) to answer later requests exactly as the engine
/// would, without asking it, until units come back.
public struct SoldOutSnapshot: Sendable, Hashable {
    /// Units available when the hold was refused (fewer than it asked for).
    public var available: Int64
    /// The largest `qty` the SKU accepts; a larger one is `invalid_argument`, not `sold_out`.
    public var maxQty: Int64
    /// Whether the SKU has a per-buyer limit, so a hold without a buyer is `invalid_argument`.
    public var requiresBuyer: Bool
    /// The SKU's version the refusal saw: a restock message of a version up to this one
    /// says nothing new.
    public var version: Int64

    /// Makes a snapshot.
    public init(available: Int64, maxQty: Int64, requiresBuyer: Bool, version: Int64) {
        self.available = available
        self.maxQty = maxQty
        self.requiresBuyer = requiresBuyer
        self.version = version
    }

    /// Whether the engine, asked now, would refuse a new hold of `qty` units (`buyer`
    /// given or not, `ttlMs` as sent) with `sold_out`: the request passes every check
    /// that comes before stock in `hs_hold`, and asks for more than is available.
    public func refusesForStock(qty: Int64, hasBuyer: Bool, ttlMs: Int64?) -> Bool {
        guard (1...maxQty).contains(qty), hasBuyer || !requiresBuyer else { return false }
        if let ttlMs, !InventoryLimits.ttlRange.contains(ttlMs) { return false }
        return qty > available
    }
}
