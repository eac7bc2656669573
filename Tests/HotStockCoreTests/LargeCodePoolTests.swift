import Foundation
import RedisClient
import Testing

@testable import HotStockCore

/// Code pools of many codes: no outbox entry, syncer read or warm call grows with the
/// pool.
@Suite("Large code pools in bounded pieces")
struct LargeCodePoolTests {
    @Test func aBatchReachesTheOutboxInEntriesOfAThousandCodesAndMySQLWhole() async throws {
        let inventory = try await TestEngine.inventory()
        let cold = try await TestCold.store()
        let loaded = CodePoolTests.codes(2_500, prefix: "BULK")
        let sku = try await CodePoolTests.codesSKU(inventory, codes: loaded)
        let stream = inventory.keys.eventsKey(partition: inventory.keys.partition(of: sku))
        let entries = try await inventory.redis.send(.xrange(stream)).array ?? []
        let parts = entries.compactMap(OutboxEvent.init(entry:)).filter { $0.sku.id == sku && $0.op == "codes" }
        #expect(parts.map(\.codes.count) == [1_000, 1_000, 500])
        #expect(Set(parts.map(\.sku.version)).count == 1, "every part restates the batch's version")

        let syncer = Syncer(
            redis: inventory.redis,
            keys: inventory.keys,
            cold: cold,
            configuration: SyncerConfiguration(maxBatchBytes: 64 * 1024),
            logger: TestEngine.logger
        )
        try await syncer.syncOnce()
        #expect(syncer.regressionsSeen == 0, "a batch's later parts are no version regression")
        #expect(try await cold.codeCounts(sku: sku) == (pooled: 2_500, assigned: 0))
        #expect(try await cold.sku(sku)?.sku == inventory.sku(sku))
    }

    @Test func readsShrinkToTheByteBudgetAndGrowBackAtMostFourfold() {
        let sizer = OutboxReadSizer(maxEntries: 4_000, maxBytes: 1_000_000)
        #expect(sizer.count(for: 3) == OutboxReadSizer.firstCount)
        sizer.record(partition: 3, entries: 16, bytes: 16 * 150_000)
        #expect(sizer.count(for: 3) == 6)
        sizer.record(partition: 3, entries: 6, bytes: 6 * 100)
        #expect(sizer.count(for: 3) == 24)
        for _ in 0..<10 { sizer.record(partition: 3, entries: 24, bytes: 24 * 100) }
        #expect(sizer.count(for: 3) == 4_000)
        #expect(sizer.count(for: 4) == OutboxReadSizer.firstCount)
    }

    @Test func warmStagesABigPoolInChunksAndMovesItIntoPlaceWhole() async throws {
        let inventory = try await TestEngine.inventory()
        let cold = try await TestCold.store()
        let loaded = CodePoolTests.codes(2_300, prefix: "WARMBULK")
        let sku = try await CodePoolTests.codesSKU(inventory, codes: loaded)
        _ = try await inventory.placeHold(sku: sku, order: "sold", qty: 3)
        _ = try await inventory.confirm(sku: sku, order: "sold")
        let delivered = try await inventory.deliverCodes(sku: sku, order: "sold")
        _ = try await inventory.placeHold(sku: sku, order: "live", qty: 2)
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let before = try await inventory.sku(sku)

        // Redis loses the SKU; an earlier warm left a half-staged pool behind.
        let keys = inventory.keys
        let staging = keys.warmStagingKeys(sku)
        let admin = try TestEngine.adminPool()
        for key in [
            keys.skuKey(sku), keys.poolKey(sku), keys.fingerprintsKey(sku), keys.holdKey(sku: sku, order: "sold"),
            keys.holdKey(sku: sku, order: "live"),
        ] {
            _ = try await admin.send("DEL", key)
        }
        _ = try await admin.send("RPUSH", staging.pool, "stale entry")
        let warm = try await Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        #expect(warm.warmed == [sku] && warm.liveHolds == 1)

        let after = try await expectBalanced(inventory, sku)
        #expect(after.total == before.total && after.available == before.available && after.sold == 3)
        #expect(try await inventory.poolSize(sku: sku) == after.available + after.held)
        #expect(try await admin.send("SCARD", keys.fingerprintsKey(sku)).int == 2_300)
        #expect(try await admin.send("EXISTS", staging.pool, staging.fingerprints).int == 0)
        #expect(try await admin.send("PTTL", keys.poolKey(sku)).int == -1, "the live pool never expires")
        #expect(try await inventory.deliverCodes(sku: sku, order: "sold") == delivered)
        // Every code came back once: a reload adds nothing.
        let again = try await inventory.loadCodes(sku: sku, batch: "again", codes: Array(loaded.prefix(10)))
        #expect(again.added == 0 && again.duplicates == 10)
        _ = try await inventory.confirm(sku: sku, order: "live")
        let second = try await inventory.deliverCodes(sku: sku, order: "live").codes
        #expect(second.count == 2 && Set(second).isDisjoint(with: delivered.codes))
        await admin.shutdown()
    }
}
