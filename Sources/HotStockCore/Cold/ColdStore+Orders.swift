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

    /// Every order's row; with `skus`, only those with a line of one of them (a LIKE on
    /// the lines finds candidates, the caller checks the lines).
    public func orders(withLinesOf skus: Set<String>? = nil) async throws -> [ColdOrder] {
        let filter = skus.map { skus in
            skus.isEmpty
                ? " WHERE 0"
                : " WHERE "
                    + Array(repeating: "order_lines LIKE ?", count: skus.count)
                    .joined(separator: " OR ")
        }
        // SKU ids hold neither `%` nor `_`, LIKE's wildcards.
        let patterns: [MariaDBValue] = (skus ?? []).sorted().map { .text("%" + $0 + ":%") }
        return try await pool.withConnection { connection in
            try await connection.query(
                "SELECT order_id, state, order_lines, version FROM orders\(filter ?? "") ORDER BY order_id",
                patterns
            )
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

    /// The state of every hold of the given orders, keyed `SKU/ORDER`.
    public func lineStates(of orders: [String]) async throws -> [String: HoldState] {
        var states: [String: HoldState] = [:]
        var start = 0
        while start < orders.count {
            let chunk = Array(orders[start..<min(start + 500, orders.count)])
            start += chunk.count
            let rows = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT sku, order_id, state FROM holds WHERE order_id IN ("
                        + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + ")",
                    chunk.map { .text($0) }
                )
            }
            for row in rows {
                guard let sku = row["sku"], let order = row["order_id"],
                    let state = row["state"].flatMap(HoldState.init(rawValue:))
                else { continue }
                states["\(sku)/\(order)"] = state
            }
        }
        return states
    }
}
