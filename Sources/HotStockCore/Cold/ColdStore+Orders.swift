import MariaDBClient

/// Orders of several SKUs in cold stock (DESIGN section 14): the `orders` table and the
/// states of their lines' holds.
extension ColdStore {
    /// An order's row, as the outbox last wrote it.
    public struct ColdOrder: Sendable, Equatable {
        public var order: String
        public var state: OrderState
        public var lines: [OrderLine]
        public var version: Int64
    }

    /// Every order's row.
    public func orders() async throws -> [ColdOrder] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT order_id, state, order_lines, version FROM orders ORDER BY order_id")
                .compactMap { row in
                    guard let order = row["order_id"], let state = row["state"].flatMap(OrderState.init(rawValue:))
                    else { return nil }
                    return ColdOrder(
                        order: order,
                        state: state,
                        lines: OrderRecord.decodeLines(row["order_lines"] ?? ""),
                        version: row.int("version") ?? 0
                    )
                }
        }
    }

    /// The state of every hold whose order id is an order's, keyed `SKU/ORDER`.
    public func orderLineStates() async throws -> [String: HoldState] {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                "SELECT h.sku, h.order_id, h.state FROM holds h JOIN orders o ON o.order_id = h.order_id"
            )
            var states: [String: HoldState] = [:]
            for row in rows {
                guard let sku = row["sku"], let order = row["order_id"],
                    let state = row["state"].flatMap(HoldState.init(rawValue:))
                else { continue }
                states["\(sku)/\(order)"] = state
            }
            return states
        }
    }
}
