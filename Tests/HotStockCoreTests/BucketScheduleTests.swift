import Testing

@testable import HotStockCore

/// DESIGN section 12: a release schedule (the token bucket) stays exact for a SKU spread
/// over buckets. The schedule lives in bucket 0, which counts every unit it lent to the
/// other buckets as released, so they only ever hold released units.
@Suite("Release schedules over buckets")
struct BucketScheduleTests {
    private func scheduledSKU(_ inventory: Inventory, total: Int64, burst: Int64, buckets: Int64) async throws -> String
    {
        let sku = TestEngine.uniqueSKU("paced")
        var update = SKUUpdate(total: total)
        update.opensAtMs = .set(try await inventory.redisTimeMs() - 1_000)
        // One unit per 1,000 s on top of the burst: what is released stays put during the test.
        update.releaseRate = .set(0.001)
        update.releaseBurst = .set(burst)
        update.buckets = buckets
        _ = try await inventory.setSKU(sku, update)
        return sku
    }

    private func attempt(_ inventory: Inventory, _ sku: String, orders: [String]) async throws -> [String: Int] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for order in orders {
                group.addTask {
                    do {
                        _ = try await inventory.placeHold(sku: sku, order: order)
                        return "held"
                    } catch let error as InventoryError {
                        #expect(error.code != .notReleasedYet || (error.retryAfterMilliseconds ?? 0) > 0)
                        return error.code.rawValue
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
    }

    @Test func onlyTheReleasedUnitsAreTakenWhateverTheBucket() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = try await scheduledSKU(inventory, total: 100, burst: 10, buckets: 4)
        let records = try await inventory.buckets(of: sku)
        #expect(records.count == 4 && records[0].config.spreadTotal == 100)
        // Only released units left bucket 0 when the stock was shared out.
        #expect(records.dropFirst().reduce(0) { $0 + $1.total } <= 10)

        let first = try await attempt(inventory, sku, orders: (0..<40).map { "o\($0)" })
        // Units moving back and forth under contention may leave a hold 503 (retryable).
        #expect(first["held"] == 10 && first["sold_out"] == nil)
        #expect((first["not_released_yet"] ?? 0) + (first["unavailable"] ?? 0) == 30)
        var stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 10 && stock.available == 90)

        // Units released back (wherever their hold was) are taken again, and no more.
        let other = try await TestEngine.inventory()
        var released = 0
        for index in 0..<40 where released < 4 {
            if try await refusalCode({ _ = try await other.release(sku: sku, order: "o\(index)") }) == nil {
                released += 1
            }
        }
        let second = try await attempt(other, sku, orders: (0..<12).map { "again\($0)" })
        #expect(second["held"] == 4 && (second["not_released_yet"] ?? 0) + (second["unavailable"] ?? 0) == 8)
        stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 10 && stock.available == 90 && stock.total == 100)
        for record in try await inventory.buckets(of: sku) {
            #expect(record.isBalanced && record.available >= 0, "bucket \(record.id)")
        }
        #expect(try await inventory.unitsInTransit(of: sku, records: 4) == 0)
    }

    @Test func aFullyReleasedScheduleSellsEveryUnit() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = try await scheduledSKU(inventory, total: 40, burst: 40, buckets: 4)
        let result = try await attempt(inventory, sku, orders: (0..<50).map { "o\($0)" })
        #expect(result["held"] == 40 && result["not_released_yet"] == nil)
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 40 && stock.available == 0)
    }

    @Test func aScheduledSKUSpreadWhileItsSaleRunsKeepsItsSchedule() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await scheduledSKU(inventory, total: 50, burst: 6, buckets: 1)
        for index in 0..<4 { _ = try await inventory.placeHold(sku: sku, order: "early\(index)") }
        var update = SKUUpdate(total: 50)
        update.buckets = 8
        _ = try await inventory.setSKU(sku, update)
        #expect(try await inventory.record(sku).config.spreadTotal == 50)
        let result = try await attempt(inventory, sku, orders: (0..<10).map { "late\($0)" })
        #expect(result == ["held": 2, "not_released_yet": 8])
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 6 && stock.available == 44)
    }
}
