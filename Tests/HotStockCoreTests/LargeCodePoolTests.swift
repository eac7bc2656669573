import Foundation
import RedisClient
import Testing

@testable import HotStockCore

/// Code pools of many codes: no outbox entry, syncer read or warm call grows with the
/// pool.
@Suite("Large code pools in bounded pieces")
struct LargeCodePoolTests {
    @Test func aBatchReachesTheCodeOutboxInEntriesOfAThousandCodesAndMySQLWhole() async throws {
        let inventory = try await TestEngine.inventory()
        let cold = try await TestCold.store()
        let loaded = CodePoolTests.codes(2_500, prefix: "BULK")
        let sku = try await CodePoolTests.codesSKU(inventory, codes: loaded)
        let partition = inventory.keys.partition(of: sku)
        func events(_ stream: String) async throws -> [OutboxEvent] {
            let entries = try await inventory.redis.send(.xrange(stream)).array ?? []
            return entries.compactMap(OutboxEvent.init(entry:)).filter { $0.sku.id == sku && $0.op == "codes" }
        }
        let state = try await events(inventory.keys.eventsKey(partition: partition))
        let parts = try await events(inventory.keys.codeEventsKey(partition: partition))
        #expect(state.count == 1 && state[0].codes.isEmpty && state[0].sku.total == 2_500)
        #expect(parts.map(\.codes.count) == [1_000, 1_000, 500])
        #expect(parts.allSatisfy { $0.sku.version == state[0].sku.version }, "every part restates the load's version")

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

    @Test func aReadNeverAsksForMoreEntriesThanTheByteBudgetHoldsAtTheLargestEntry() {
        let keys = KeySpace(partitions: 8)
        let (state, codes) = (OutboxStream.of(partition: 3, in: keys)[0], OutboxStream.of(partition: 3, in: keys)[1])
        #expect(state.key == keys.eventsKey(partition: 3) && codes.key == keys.codeEventsKey(partition: 3))
        let budget = SyncerConfiguration().maxBatchBytes
        for stream in [state, codes] {
            let count = stream.readCount(batchSize: 4_000, maxBytes: budget)
            let largest = stream.carriesState ? OutboxStream.maxStateEntryBytes : OutboxStream.maxCodeEntryBytes
            #expect(count >= 1 && count * largest <= budget)
        }
        #expect(state.readCount(batchSize: 4_000, maxBytes: budget) == 4_000)
        #expect(codes.readCount(batchSize: 4_000, maxBytes: 1) == 1, "at least one entry, whatever the budget")
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

    @Test func aStagedChunkSentTwiceIsStagedOnceAndAChunkOutOfStepIsRefused() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("stage")
        let staging = inventory.keys.warmStagingKeys(sku)
        func stage(_ offset: Int, _ codes: [(String, String)]) async throws -> ScriptReply {
            try await inventory.call(
                HotStockFunction.warmStage,
                keys: [staging.pool, staging.fingerprints],
                arguments: [sku, String(offset)] + codes.flatMap { [$0.0, $0.1] }
            )
        }
        let first = (0..<3).map { ("fp\($0)", "sealed\($0)") }
        let second = [("fp3", ""), ("fp4", "sealed4")]
        #expect(try await stage(0, first).isOK)
        #expect(try await stage(3, second).isOK)
        #expect(try await stage(3, second).isOK, "a retry of an applied chunk")
        #expect(try await stage(9, [("fp9", "x")]).refusal().code == .invalidArgument)
        let admin = try TestEngine.adminPool()
        #expect(try await admin.send("SCARD", staging.fingerprints).int == 5)
        #expect(try await admin.send("LLEN", staging.pool).int == 4)
        #expect(try await stage(0, [("fpA", "sealedA")]).isOK, "offset 0 starts over")
        #expect(try await admin.send("SCARD", staging.fingerprints).int == 1)
        _ = try await admin.send("DEL", staging.pool, staging.fingerprints)
        await admin.shutdown()
    }

    @Test func aWarmThatWillNotReplaceASKUStagesNothing() async throws {
        let inventory = try await TestEngine.inventory()
        let cold = try await TestCold.store()
        let sku = try await CodePoolTests.codesSKU(inventory, codes: CodePoolTests.codes(1_200, prefix: "KEEP"))
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let report = try await Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        #expect(report.warmed.isEmpty && report.skipped == [sku])
        let staging = inventory.keys.warmStagingKeys(sku)
        #expect(try await inventory.redis.send(.exists(staging.pool, staging.fingerprints)).int == 0)
        #expect(try await inventory.poolSize(sku: sku) == 1_200)
    }

    @Test func aSyncerReadsAPartitionsCodeStreamOnlyWhenDueAndItsPendingEntriesOnlyUntilDrained() {
        let plan = OutboxPollPlan(partitions: 4)
        #expect((0..<4).allSatisfy(plan.codeStreamDue), "every code stream is due at the start")
        #expect(plan.needsPendingRead("s"))
        plan.pendingDrained("s")
        plan.codesDrained(2)
        #expect(!plan.needsPendingRead("s") && !plan.codeStreamDue(2) && plan.codeStreamDue(1))
        plan.markCodesDue(2)
        #expect(plan.codeStreamDue(2))
        plan.codesDrained(2)
        plan.reset()
        #expect(plan.needsPendingRead("s") && plan.codeStreamDue(2), "a failure reads everything again")
    }
}
