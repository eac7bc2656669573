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
