import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 14: every step of an order reaches MySQL's `orders` table through the
/// outbox, guarded by the log's version; reconcile checks each order against its row
/// and its lines against its state.
@Suite("Orders in MySQL", .serialized)
struct OrderColdTests {
    @Test func ordersReachMySQLAndReconcileChecksTheirLines() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d23")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let made = try await makeSKUs(inventory, [10, 10, 1])
        let prefix = TestEngine.uniqueSKU("cold-order")
        let both = made.prefix(2).map { OrderLine(sku: $0, qty: 1) }
        _ = try await inventory.placeOrder("\(prefix)-paid", OrderRequest(lines: both))
        _ = try await inventory.confirmOrder("\(prefix)-paid")
        _ = try await inventory.placeOrder("\(prefix)-cancelled", OrderRequest(lines: both))
        _ = try await inventory.releaseOrder("\(prefix)-cancelled")
        _ = try await inventory.placeOrder("\(prefix)-open", OrderRequest(lines: both))
        let short = made.map { OrderLine(sku: $0, qty: 2) }
        #expect(
            try await refusalCode { _ = try await inventory.placeOrder("\(prefix)-short", OrderRequest(lines: short)) }
                == .soldOut
        )
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        try await syncer.syncOnce()

        let rows = try await cold.orders().filter { $0.order.hasPrefix(prefix) }
        #expect(rows.map(\.order) == ["cancelled", "open", "paid", "short"].map { "\(prefix)-\($0)" })
        #expect(rows.map(\.state) == [.released, .held, .confirmed, .failed])
        for row in rows {
            #expect(row.version == (try await inventory.order(row.order)).version)
        }
        let reconciler = Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let clean = try await reconciler.reconcile(fix: false, only: Set(made))
        #expect(clean.drift.isEmpty, "\(clean.drift)")
        // Replaying the outbox changes nothing.
        try await syncer.syncOnce()
        #expect(try await cold.orders().filter { $0.order.hasPrefix(prefix) } == rows)

        // MySQL loses the confirm of the paid order and the confirm of one of its lines.
        try await cold.pool.withConnection { connection in
            _ = try await connection.execute(
                "UPDATE orders SET state = 'held', version = version - 1 WHERE order_id = ?",
                [.text("\(prefix)-paid")]
            )
            _ = try await connection.execute(
                "UPDATE holds SET state = 'released' WHERE sku = ? AND order_id = ?",
                [.text(made[0]), .text("\(prefix)-paid")]
            )
        }
        let drifted = try await reconciler.reconcile(fix: false, only: Set(made))
        #expect(drifted.drift.contains { $0.kind == "order" && $0.field == "state" })
        #expect(drifted.drift.contains { $0.kind == "order" && $0.field == "lines" })
        let fixed = try await reconciler.reconcile(fix: true, only: Set(made))
        #expect(fixed.drift.isEmpty, "\(fixed.drift)")
        #expect(try await cold.orders().first { $0.order == "\(prefix)-paid" }?.state == .confirmed)
    }
}
