import MariaDBClient

extension ColdStore {
    /// The codes of an order from MySQL, opened: the answer once Redis has dropped the
    /// hold (after its idempotency retention). The first delivery is recorded here if
    /// Redis never saw one. `nil` when MySQL has no codes for the order.
    public func deliverCodes(sku: String, order: String, sealer: CodeSealer, nowMs: Int64) async throws
        -> CodeDelivery?
    {
        try Identifier.validate(sku, field: "sku")
        try Identifier.validate(order, field: "order")
        let rows = try await pool.withConnection { connection in
            try await connection.transaction { connection in
                try connection.execute(
                    "UPDATE codes SET delivered_at_ms = ? WHERE sku = ? AND order_id = ? AND delivered_at_ms IS NULL",
                    [.int(nowMs), .text(sku), .text(order)]
                )
                return try connection.query(
                    "SELECT sealed, delivered_at_ms FROM codes WHERE sku = ? AND order_id = ?",
                    [.text(sku), .text(order)]
                )
            }
        }
        guard !rows.isEmpty else { return nil }
        let codes = try rows.map { row in
            do {
                return try sealer.open(row["sealed"] ?? "", sku: sku)
            } catch {
                throw InventoryError(.unavailable, "a code of \(sku)/\(order) does not open: \(error)")
            }
        }
        let delivered = rows.compactMap { $0.int("delivered_at_ms") }.min() ?? nowMs
        return CodeDelivery(sku: sku, order: order, codes: codes.sorted(), firstDeliveredAtMs: delivered)
    }
}
