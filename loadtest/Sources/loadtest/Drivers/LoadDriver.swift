/// How one request of a run ended: `held`, `repeated`, `confirmed`, `released`, a
/// contract error code (`sold_out`, ...), or `transport` when the engine could not be
/// asked at all.
struct DriverOutcome: Sendable {
    var code: String
    /// The hold's state after a confirm or release that succeeded.
    var state: String?
}

/// Sends the engine's operations: in-process through `Inventory`, or over HTTP.
protocol LoadDriver: Sendable {
    /// A label for reports (`inprocess`, `http://...`).
    var target: String { get }
    func hold(sku: String, order: String, qty: Int64, buyer: String?, ttlMs: Int64) async -> DriverOutcome
    func confirm(sku: String, order: String) async -> DriverOutcome
    func release(sku: String, order: String) async -> DriverOutcome
    /// Fetches the codes of a confirmed hold of a codes SKU (`nil` when refused).
    func codes(sku: String, order: String) async -> [String]?
    /// Places an order of several SKUs (DESIGN section 14): `held`, `repeated`, or the
    /// refused line's code.
    func placeOrder(order: String, lines: [CartLine], buyer: String?, ttlMs: Int64) async -> DriverOutcome
    /// Confirms every line of an order: `confirmed`, or a code.
    func confirmOrder(order: String) async -> DriverOutcome
    /// Releases every line of an order: `released`, or a code.
    func releaseOrder(order: String) async -> DriverOutcome
}

/// One line of a cart: `qty` units of `sku`.
struct CartLine: Sendable, Hashable {
    var sku: String
    var qty: Int64
}
