import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 15: reconcile reports SKUs whose counters do not add up or that sold
/// beyond their total, and a full reconcile keeps its result in Redis for every
/// server's metrics (the alerts read them).
@Suite("Reconcile checks the stock invariant", .serialized)
struct ReconcileInvariantTests {
    @Test func anImbalancedSKUIsReportedAndTheLastFullRunKeptInRedis() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d31")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("imbalanced")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 2)
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let reconciler = Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let clean = try await reconciler.reconcile(fix: false, only: [sku])
        #expect(clean.imbalancedSKUs == 0 && clean.oversoldUnits == 0 && clean.drift.isEmpty, "\(clean.drift)")

        // A unit appears from nowhere, then the SKU sells past its total.
        _ = try await inventory.redis.send(.hset(inventory.keys.skuKey(sku), [("available", "9")]))
        var report = try await reconciler.reconcile(fix: false, only: [sku])
        #expect(report.imbalancedSKUs == 1 && report.oversoldUnits == 0)
        #expect(report.drift.contains { $0.id == sku && $0.field == "balance" })
        _ = try await inventory.redis.send(.hset(inventory.keys.skuKey(sku), [("available", "0"), ("sold", "11")]))
        report = try await reconciler.reconcile(fix: false, only: [sku])
        #expect(report.oversoldUnits == 1 && report.imbalancedSKUs == 1)
        // `--fix` cannot mend Redis's own counters: the breach stays reported.
        #expect(try await reconciler.reconcile(fix: true, only: [sku]).oversoldUnits == 1)

        // A full run keeps its result where every server's monitor reads it (a full run
        // over the suite's shared MySQL is slow: the step it ends with, on this report).
        try await reconciler.record(report)
        let kept = try await inventory.redis.send(
            .hmget(inventory.keys.reconcileKey, fields: ["at_ms", "compared", "oversold", "imbalanced"])
        )
        let values = (kept.array ?? []).map { $0.string ?? "" }
        #expect(values.count == 4 && (Int64(values[0]) ?? 0) > 0)
        #expect(values.dropFirst() == [String(report.compared), "1", "1"])
    }
}
