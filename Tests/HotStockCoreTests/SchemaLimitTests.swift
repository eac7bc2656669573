import HotStockCore
import Testing

/// The limits and field lists are written once, in Swift, and reach the scripts through
/// the generated prelude: the scripts must accept exactly the bounds Swift names.
@Suite("One schema for Swift and Lua")
struct SchemaLimitTests {
    @Test func holdBoundsOfInventoryLimitsAreTheScriptsBounds() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("bounds")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        let ttl = InventoryLimits.ttlRange
        let shortest = try await inventory.placeHold(sku: sku, order: "short", ttlMs: ttl.lowerBound)
        let longest = try await inventory.placeHold(sku: sku, order: "long", ttlMs: ttl.upperBound)
        #expect(shortest.hold.expiresAtMs - shortest.hold.createdAtMs == ttl.lowerBound)
        #expect(longest.hold.expiresAtMs - longest.hold.createdAtMs == ttl.upperBound)
        let unset = try await inventory.placeHold(sku: sku, order: "default")
        #expect(unset.hold.expiresAtMs - unset.hold.createdAtMs == InventoryLimits.defaultTTLMs)
        for bad in [ttl.lowerBound - 1, ttl.upperBound + 1] {
            #expect(
                try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "bad", ttlMs: bad) }
                    == .invalidArgument
            )
        }
        let after = try await expectBalanced(inventory, sku)
        #expect(after.held == 3 && after.available == 7)
    }

    @Test func maxQtyBoundsOfInventoryLimitsAreTheScriptsBounds() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("maxqty")
        var update = SKUUpdate(total: InventoryLimits.defaultMaxQty + 1)
        _ = try await inventory.setSKU(sku, update)
        // Without a max_qty, a hold takes at most defaultMaxQty units.
        #expect(
            try await refusalCode {
                _ = try await inventory.placeHold(sku: sku, order: "big", qty: InventoryLimits.defaultMaxQty + 1)
            } == .invalidArgument
        )
        _ = try await inventory.placeHold(sku: sku, order: "most", qty: InventoryLimits.defaultMaxQty)
        update.maxQty = .set(InventoryLimits.maxMaxQty)
        #expect(try await inventory.setSKU(sku, update).sku.config.maxQty == InventoryLimits.maxMaxQty)
        update.maxQty = .set(InventoryLimits.maxMaxQty + 1)
        #expect(try await refusalCode { _ = try await inventory.setSKU(sku, update) } == .invalidArgument)
        let after = try await expectBalanced(inventory, sku)
        #expect(after.held == InventoryLimits.defaultMaxQty)
    }

    @Test func everyFieldReadFromRedisIsTheSchemasField() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("fields")
        var update = SKUUpdate(total: 5)
        update.perBuyerLimit = .set(2)
        update.maxQty = .set(2)
        update.defaultTTLMs = .set(60_000)
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "o", qty: 2, buyer: "b1")
        let stored = try await inventory.sku(sku)
        #expect(stored.config.perBuyerLimit == 2 && stored.config.maxQty == 2 && stored.config.defaultTTLMs == 60_000)
        let hold = try await inventory.hold(sku: sku, order: "o")
        #expect(hold.buyer == "b1" && hold.qty == 2 && hold.version == 1)
        #expect(hold.expiresAtMs - hold.createdAtMs == 60_000)
    }
}
