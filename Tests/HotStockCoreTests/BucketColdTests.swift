import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// MySQL keeps a row per bucket, moved forward by version like a SKU's, and `sku_sums`
/// adds a SKU's rows up.
@Suite("Bucket rows in MySQL", .serialized)
struct BucketColdTests {
    @Test func theSyncerKeepsARowPerBucketAndTheSumsAddUp() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d19")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("cold-buckets")
        let records = (0..<3).map { BucketID(sku: sku, index: $0).description }
        for record in records { _ = try await inventory.setRecord(record, SKUUpdate(total: 10)) }
        #expect(try await inventory.moveUnits(from: records[1], to: records[2], want: 4) == 4)
        _ = try await inventory.placeHold(sku: records[0], order: "o", qty: 3)
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        try await syncer.syncOnce()

        let rows = try await cold.pool.withConnection { connection in
            try await connection.query(
                "SELECT bucket, total, available, held, sold, version FROM sku_buckets WHERE sku = ? ORDER BY bucket",
                [.text(sku)]
            )
        }
        #expect(rows.map { $0.int("bucket") } == [1, 2])
        for (row, record) in zip(rows, records.dropFirst()) {
            let hot = try await inventory.record(record)
            #expect(row.int("total") == hot.total && row.int("available") == hot.available)
            #expect(row.int("version") == hot.version)
        }
        let sums = try await cold.pool.withConnection { connection in
            try await connection.query(
                "SELECT total, available, held, bucket_rows FROM sku_sums WHERE sku = ?",
                [.text(sku)]
            )
        }
        #expect(sums.first?.int("total") == 30 && sums.first?.int("available") == 27)
        #expect(sums.first?.int("held") == 3 && sums.first?.int("bucket_rows") == 3)
        // Replaying the whole outbox changes nothing.
        try await syncer.syncOnce()
        #expect(try await cold.versionRegressions(skus: records) == 0)
    }
}

/// `reconcile` compares a spread SKU bucket by bucket, and repairs MySQL from Redis.
@Suite("Reconciling a spread SKU", .serialized)
struct BucketReconcileTests {
    @Test func driftInABucketIsFoundAndRepaired() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d22")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = try await spreadSKU(inventory, "reconcile-spread", total: 20, buckets: 3)
        for index in 0..<6 { _ = try await inventory.placeHold(sku: sku, order: "o\(index)") }
        _ = try await inventory.confirm(sku: sku, order: "o2")
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let reconciler = Reconciler(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let clean = try await reconciler.reconcile(fix: false, only: [sku])
        #expect(clean.drift.isEmpty, "\(clean.drift)")
        #expect(clean.compared == 1 + 2 + 6)

        // MySQL loses a bucket's change and a hold's state in that bucket.
        let order = (0..<6).map { "o\($0)" }.first { BucketRouting.record(sku: sku, order: $0, buckets: 3) != sku }!
        let bucket = BucketID(BucketRouting.record(sku: sku, order: order, buckets: 3))!.index
        try await cold.pool.withConnection { connection in
            _ = try await connection.execute(
                "UPDATE sku_buckets SET available = available + 5 WHERE sku = ? AND bucket = ?",
                [.text(sku), .int(Int64(bucket))]
            )
            _ = try await connection.execute(
                "UPDATE holds SET state = 'released' WHERE sku = ? AND order_id = ?",
                [.text(sku), .text(order)]
            )
        }
        let drifted = try await reconciler.reconcile(fix: false, only: [sku])
        #expect(Set(drifted.drift.map(\.kind)) == ["bucket", "hold"])
        #expect(drifted.drift.contains { $0.id == "\(sku)#\(bucket)" && $0.field == "available" })
        let fixed = try await reconciler.reconcile(fix: true, only: [sku])
        #expect(fixed.drift.isEmpty && fixed.repaired == 2, "\(fixed.drift)")
        let held = try await cold.allHolds(sku: sku, bucket: bucket).first { $0.order == order }
        #expect(held?.state == .held)
    }
}
