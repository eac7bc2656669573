import Foundation
import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// Outbox events stay small: the SKU's config rides only on the events that set it, and
/// MySQL still ends up with the newest counters and the newest config, whatever order
/// the events are applied in.
@Suite("Lean outbox events")
struct LeanOutboxTests {
    static func events(_ inventory: Inventory, _ sku: String) async throws -> [OutboxEvent] {
        let stream = inventory.keys.eventsKey(partition: inventory.keys.partition(of: sku))
        let entries = try await inventory.redis.send(.xrange(stream)).array ?? []
        return entries.compactMap(OutboxEvent.init(entry:)).filter { $0.sku.id == sku }
    }

    @Test func holdAndTransitionEventsCarryCountersAndTheHoldButNoConfig() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("lean")
        var update = SKUUpdate(total: 10)
        update.maxQty = .set(3)
        update.defaultTTLMs = .set(60_000)
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "a", qty: 2, buyer: "b1")
        _ = try await inventory.placeHold(sku: sku, order: "b", qty: 1)
        _ = try await inventory.confirm(sku: sku, order: "a")
        _ = try await inventory.release(sku: sku, order: "b")
        let events = try await Self.events(inventory, sku)
        #expect(events.map(\.op) == ["sku", "hold", "hold", "confirm", "release"])
        #expect(events[0].carriesConfig && events[0].sku.config.maxQty == 3)
        for event in events.dropFirst() {
            #expect(!event.carriesConfig && event.sku.config == SKUConfig(), "\(event.op) carried config")
            #expect(event.sku.isBalanced && event.sku.total == 10 && event.hold != nil)
        }
        let hold = try #require(events[1].hold)
        #expect(hold.qty == 2 && hold.buyer == "b1" && hold.state == .held && hold.version == 1)
        #expect(hold.expiresAtMs - hold.createdAtMs == 60_000)
        #expect(
            events.last?.sku
                == SKU(
                    id: sku,
                    total: 10,
                    available: 8,
                    held: 0,
                    sold: 2,
                    version: 5,
                    config: SKUConfig(),
                    kind: .counted
                )
        )
    }

    @Test func configAndCountersLandWhateverOrderTheEventsAreAppliedIn() async throws {
        let inventory = try await TestEngine.inventory()
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("order")
        var update = SKUUpdate(total: 10)
        update.maxQty = .set(3)
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "a")
        update = SKUUpdate(total: 12)
        update.perBuyerLimit = .set(4)
        update.maxQty = .clear
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "b", qty: 2, buyer: "u1")
        _ = try await inventory.confirm(sku: sku, order: "b")
        let events = try await Self.events(inventory, sku)
        #expect(events.map(\.op) == ["sku", "hold", "sku", "hold", "confirm"])
        // Newest first, one commit each.
        let applier = EventApplier(cold: cold, logger: TestEngine.logger)
        for event in events.reversed() { try await applier.apply([event]) }
        let hot = try await expectBalanced(inventory, sku)
        #expect(try await cold.sku(sku)?.sku == hot)
        #expect(hot.config.perBuyerLimit == 4 && hot.config.maxQty == nil && hot.available == 9)
        #expect(applier.regressionsSeen == 0)
    }
}
