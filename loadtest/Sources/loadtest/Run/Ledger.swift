import Synchronization

/// What the clients of a run saw succeed: holds placed, and confirms (counted once per
/// order, whatever the retries), per SKU.
final class Ledger: Sendable {
    struct Placed: Sendable, Hashable {
        var sku: String
        var order: String
        var buyer: String?
        var qty: Int64
    }

    private let placed = Mutex<[String: Placed]>([:])
    private let confirmed = Mutex<[String: Int64]>([:])
    private let confirmedOrders = Mutex<Set<String>>([])
    private let delivered = Mutex<[String: [String]]>([:])
    private let falseSoldOuts = Mutex<[String]>([])
    private let orders = Mutex<[String: OrderFate]>([:])

    /// What the client saw of an order of several SKUs.
    enum OrderFate: Sendable {
        /// Asked for; no answer said it was held (refused, or the engine was away).
        case tried
        /// Every line held.
        case held
        /// Every line confirmed.
        case confirmed
    }

    /// An order the client sent, and the furthest it saw it get.
    func recordOrder(_ order: String, _ fate: OrderFate) {
        orders.withLock { orders in
            switch (orders[order], fate) {
            case (.confirmed, _), (.held, .tried): break
            default: orders[order] = fate
            }
        }
    }

    /// Every order sent, with what its client saw.
    var orderFates: [String: OrderFate] { orders.withLock { $0 } }

    /// A `sold_out` answered while the SKU had the units (DESIGN section 12).
    func recordFalseSoldOut(sku: String, order: String, qty: Int64) {
        falseSoldOuts.withLock { $0.append("\(sku)/\(order) (qty \(qty))") }
    }

    /// Every false `sold_out` the clients saw.
    var falseSoldOutOrders: [String] { falseSoldOuts.withLock { $0 } }

    /// The codes a buyer fetched for a confirmed order (codes SKUs).
    func recordCodes(sku: String, order: String, codes: [String]) {
        delivered.withLock { $0["\(sku)/\(order)"] = codes }
    }

    /// Every order's fetched codes, by `sku/order`.
    var deliveredCodes: [String: [String]] { delivered.withLock { $0 } }

    func recordHold(_ hold: Placed) {
        placed.withLock { $0["\(hold.sku)/\(hold.order)"] = hold }
    }

    func recordConfirm(sku: String, order: String, qty: Int64) {
        let first = confirmedOrders.withLock { $0.insert("\(sku)/\(order)").inserted }
        if first { confirmed.withLock { $0[sku, default: 0] += qty } }
    }

    var holds: [Placed] { placed.withLock { Array($0.values) } }

    func confirmedUnits(_ sku: String) -> Int64 { confirmed.withLock { $0[sku] ?? 0 } }

    /// Whether a client saw this order's confirm succeed.
    func isConfirmed(sku: String, order: String) -> Bool {
        confirmedOrders.withLock { $0.contains("\(sku)/\(order)") }
    }
}
