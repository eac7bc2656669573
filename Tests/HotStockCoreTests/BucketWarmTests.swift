import MariaDBClient
import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 12: `warm` rebuilds a spread SKU from MySQL, bucket by bucket, with
/// what was in transit between its buckets when Redis was lost.
@Suite("Warming a spread SKU", .serialized)
struct BucketWarmTests {
    @Test func redisLostMidTransferIsRebuiltExactly() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d21")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = try await spreadSKU(inventory, "warm-spread", total: 40, buckets: 4)
        let records = BucketRouting.records(sku: sku, buckets: 4)
        for index in 0..<6 { _ = try await inventory.placeHold(sku: sku, order: "o\(index)", qty: 2) }
        _ = try await inventory.confirm(sku: sku, order: "o1")
        // One transfer whole, one whose process died after the debit, one whose debit
        // MySQL will lack (its entry is rewound below, as if its stream never arrived).
        #expect(try await inventory.moveUnits(from: records[1], to: records[2], want: 3) == 3)
        let halfway = TransferIDs.next()
        #expect(try await inventory.transferOut(id: halfway, from: records[3], to: records[0], want: 2, least: 2) == 2)
        #expect(try await inventory.moveUnits(from: records[2], to: records[3], want: 1) == 1)
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        let before = try await inventory.sku(sku)
        // 2 units in transit, counted available in the SKU's sums.
        #expect(before.total == 40 && before.available == 28)
        #expect(try await inventory.unitsInTransit(of: sku, records: 4) == 2)
        try await cold.pool.withConnection { connection in
            let last = try await connection.query(
                "SELECT transfer_id FROM bucket_transfers WHERE sku = ? AND from_bucket = 2 AND to_bucket = 3",
                [.text(sku)]
            )
            let id = try #require(last.first?["transfer_id"])
            _ = try await connection.execute(
                "UPDATE bucket_transfers SET debited = 0 WHERE transfer_id = ?",
                [.text(id)]
            )
            _ = try await connection.execute(
                """
                UPDATE sku_buckets SET total = total + 1, available = available + 1, version = version - 1
                WHERE sku = ? AND bucket = 2
                """,
                [.text(sku)]
            )
        }

        // Redis loses everything; warm brings the SKU back from MySQL.
        try await TestEngine.wipe(inventory)
        let other = try await TestEngine.inventory(namespace: "d21")
        let report = try await Warmer(inventory: other, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        #expect(report.warmed == [sku] && report.liveHolds == 5)
        let after = try await other.sku(sku)
        #expect(after.total == 40 && after.held == 10 && after.sold == 2 && after.available == 28)
        for record in try await other.bucketRecords(of: sku, records: 4) {
            #expect(record.isBalanced && record.available >= 0, "bucket \(record.id)")
        }
        #expect(try await other.unitsInTransit(of: sku, records: 4) == 0)
        // A process that never learned the buckets finds the holds where they were.
        let fresh = try await TestEngine.inventory(namespace: "d21")
        #expect(try await fresh.confirm(sku: sku, order: "o4").hold.state == .confirmed)
        #expect(try await fresh.hold(sku: sku, order: "o1").state == .confirmed)
        #expect(try await fresh.sku(sku).sold == 4)
        // MySQL takes the warmed buckets as they are now, with no version regression.
        try await syncer.syncOnce()
        let rows = try await cold.buckets(sku: sku)
        for (bucket, row) in rows {
            let hot = try await fresh.record(records[bucket])
            #expect(row.total == hot.total && row.available == hot.available && row.version == hot.version)
        }
        #expect(rows.count == 3)
        #expect(try await cold.versionRegressions(skus: records) == 0)
    }

    @Test func aSKUWhoseCountChangedIsRebuiltWithWhereItsOlderHoldsAre() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d21")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("warm-resized")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 60))
        for index in 0..<8 { _ = try await inventory.placeHold(sku: sku, order: "one\(index)", qty: 2) }
        for buckets: Int64 in [6, 2] {
            var update = SKUUpdate(total: 60)
            update.buckets = buckets
            _ = try await inventory.setSKU(sku, update)
            for index in 0..<8 { _ = try await inventory.placeHold(sku: sku, order: "b\(buckets)-\(index)") }
        }
        let syncer = Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
        try await syncer.syncOnce()
        let before = try await inventory.sku(sku)

        // Redis loses everything; warm brings back the buckets, the retired ones too,
        // and the counts the SKU routed over before.
        try await TestEngine.wipe(inventory)
        let other = try await TestEngine.inventory(namespace: "d21")
        let report = try await Warmer(inventory: other, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        #expect(report.warmed == [sku] && report.liveHolds == 24)
        let after = try await other.sku(sku)
        #expect(after == before)
        #expect(after.config.buckets == 2 && after.config.bucketRecords == 6)
        #expect(try await other.buckets(of: sku).count == 6)
        let fresh = try await TestEngine.inventory(namespace: "d21")
        for order in (0..<8).flatMap({ ["one\($0)", "b6-\($0)", "b2-\($0)"] }) {
            let retry = try await fresh.placeHold(sku: sku, order: order, qty: order.hasPrefix("one") ? 2 : 1)
            #expect(!retry.created, "\(order)")
        }
        #expect(try await fresh.confirm(sku: sku, order: "one3").hold.state == .confirmed)
        _ = try await expectBalanced(fresh, sku)
    }

    @Test func aLimitedSpreadSKUGetsItsOrderClaimsBack() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d21")
        try await TestEngine.wipe(inventory)
        let cold = try await TestCold.store()
        let sku = TestEngine.uniqueSKU("warm-limited")
        var update = SKUUpdate(total: 40)
        update.perBuyerLimit = .set(2)
        update.buckets = 4
        _ = try await inventory.setSKU(sku, update)
        for index in 0..<10 { _ = try await inventory.placeHold(sku: sku, order: "o\(index)", buyer: "b\(index)") }
        // The count changes: new buyers get homes, which warm must bring back.
        update.buckets = 3
        _ = try await inventory.setSKU(sku, update)
        for index in 0..<3 {
            _ = try await inventory.placeHold(sku: sku, order: "n\(index)", qty: 2, buyer: "n\(index)")
        }
        try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()

        try await TestEngine.wipe(inventory)
        let other = try await TestEngine.inventory(namespace: "d21")
        _ = try await Warmer(inventory: other, cold: cold, logger: TestEngine.logger).warm(sku: sku)
        let fresh = try await TestEngine.inventory(namespace: "d21")
        #expect(try await fresh.confirm(sku: sku, order: "o1").hold.state == .confirmed)
        let code = try await refusalCode { _ = try await fresh.placeHold(sku: sku, order: "o2", buyer: "someone") }
        #expect(code == .idempotencyConflict)
        _ = try await fresh.placeHold(sku: sku, order: "o3b", buyer: "b3")
        #expect(
            try await refusalCode { _ = try await fresh.placeHold(sku: sku, order: "o3c", buyer: "b3") } == .buyerLimit
        )
        for index in 0..<3 {
            let code = try await refusalCode {
                _ = try await fresh.placeHold(sku: sku, order: "n\(index)x", buyer: "n\(index)")
            }
            #expect(code == .buyerLimit)
        }
        let stock = try await expectBalanced(fresh, sku)
        #expect(stock.sold == 1 && stock.held == 16 && stock.available == 23)
    }
}
