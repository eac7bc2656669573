import Foundation
import HotStockCore
import Testing

@Suite("Sale rules")
struct SaleRuleTests {
    private func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func holdsBeforeTheOpeningAreRefusedWithoutTouchingStock() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("opens")
        var update = SKUUpdate(total: 10)
        update.opensAtMs = .set(nowMs() + 3_600_000)
        let (before, _) = try await inventory.setSKU(sku, update)
        do {
            _ = try await inventory.placeHold(sku: sku, order: "early")
            Issue.record("a hold before the opening was accepted")
        } catch let error as InventoryError {
            #expect(error.code == .saleNotOpen)
            #expect((error.retryAfterMilliseconds ?? 0) > 3_500_000)
        }
        #expect(try await expectBalanced(inventory, sku) == before)

        var open = SKUUpdate(total: 10)
        open.opensAtMs = .clear
        _ = try await inventory.setSKU(sku, open)
        #expect(try await inventory.placeHold(sku: sku, order: "on-time").created)
    }

    @Test func tokenBucketReleasesUnitsOverTimeAndSaysWhenToRetry() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("bucket")
        var update = SKUUpdate(total: 100)
        update.opensAtMs = .set(nowMs() - 1_000)
        update.releaseRate = .set(0.5)
        update.releaseBurst = .set(3)
        _ = try await inventory.setSKU(sku, update)

        // At t = 1 s after opening: 3 + floor(0.5 * 1) = 3 units released.
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 3)
        let before = try await inventory.sku(sku)
        do {
            _ = try await inventory.placeHold(sku: sku, order: "o2", qty: 2)
            Issue.record("the bucket gave units it had not released")
        } catch let error as InventoryError {
            #expect(error.code == .notReleasedYet)
            #expect((error.retryAfterSeconds ?? 0) >= 1)
        }
        #expect(try await expectBalanced(inventory, sku) == before)
        // More than total is sold_out, not a wait.
        #expect(try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o3", qty: 98) } == .soldOut)
    }

    @Test func releaseRateWithoutOpeningTimeIsInvalid() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("rate")
        var update = SKUUpdate(total: 10)
        update.releaseRate = .set(5)
        #expect(try await refusalCode { _ = try await inventory.setSKU(sku, update) } == .invalidArgument)
        #expect(try await refusalCode { _ = try await inventory.sku(sku) } == .skuNotFound)
    }

    @Test func maxQtyBuyerRequirementAndDefaultTTLFollowTheSKU() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("rules")
        var update = SKUUpdate(total: 100)
        update.maxQty = .set(5)
        update.defaultTTLMs = .set(60_000)
        update.perBuyerLimit = .set(10)
        let (before, _) = try await inventory.setSKU(sku, update)
        #expect(before.config.maxQty == 5 && before.config.defaultTTLMs == 60_000)

        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "big", qty: 6, buyer: "u") }
                == .invalidArgument
        )
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "anon") } == .invalidArgument
        )
        #expect(try await inventory.sku(sku) == before)

        let hold = try await inventory.placeHold(sku: sku, order: "ok", qty: 5, buyer: "u").hold
        #expect(hold.expiresAtMs - hold.createdAtMs == 60_000)
        let explicit = try await inventory.placeHold(sku: sku, order: "ttl", qty: 1, buyer: "v", ttlMs: 5_000).hold
        #expect(explicit.expiresAtMs - explicit.createdAtMs == 5_000)
        try await expectBalanced(inventory, sku)
    }
}
