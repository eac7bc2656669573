import Foundation
import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// Syncers commit out of stream order (a restarted one reads new entries before it
/// claims a dead one's): the codes in MySQL must end up the same whatever the order.
@Suite("Code events in any order")
struct CodeEventOrderTests {
    @Test func aConfirmAndADeliveryAppliedBeforeTheirLoadStillRecordEverything() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d6")
        let cold = try await TestCold.store()
        let sku = try await CodePoolTests.codesSKU(inventory, codes: CodePoolTests.codes(4, prefix: "ORDER"))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 2)
        _ = try await inventory.confirm(sku: sku, order: "o1")
        let delivered = try await inventory.deliverCodes(sku: sku, order: "o1")
        let partition = inventory.keys.partition(of: sku)
        func events(_ stream: String) async throws -> [OutboxEvent] {
            let entries = try await inventory.redis.send(.xrange(stream)).array ?? []
            return entries.compactMap(OutboxEvent.init(entry:)).filter { $0.sku.id == sku }
        }
        let state = try await events(inventory.keys.eventsKey(partition: partition))
        let codes = try await events(inventory.keys.codeEventsKey(partition: partition))
        #expect(state.map(\.op).suffix(4) == ["codes", "hold", "confirm", "deliver"])
        #expect(state.allSatisfy { $0.codes.isEmpty }, "no code in the state outbox")
        #expect(codes.map(\.op) == ["codes", "confirm", "deliver"])
        #expect(codes.map(\.codes.count) == [4, 2, 2])
        // Newest first, one commit each: the delivery, the confirm, then the load; the
        // code outbox before the state outbox.
        let applier = EventApplier(cold: cold, logger: TestEngine.logger)
        for event in codes.reversed() { try await applier.apply([event], carryingState: false) }
        for event in state.reversed() { try await applier.apply([event]) }
        let rows = try await cold.pool.withConnection { connection in
            try await connection.query(
                "SELECT sealed, order_id, delivered_at_ms, batch FROM codes WHERE sku = ?",
                [.text(sku)]
            )
        }
        #expect(rows.count == 4 && rows.allSatisfy { $0["batch"] == "b0" })
        let owned = rows.filter { $0["order_id"] == "o1" }
        #expect(owned.count == 2)
        #expect(owned.allSatisfy { $0.int("delivered_at_ms") == delivered.firstDeliveredAtMs })
        let opened = try owned.map { try TestEngine.codeSealer.open($0["sealed"] ?? "", sku: sku) }
        #expect(opened.sorted() == delivered.codes)
        #expect(try await cold.codeCounts(sku: sku) == (pooled: 2, assigned: 2))
        #expect(applier.regressionsSeen == 0)
    }
}
