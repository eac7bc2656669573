import RedisClient
import Synchronization
import Testing

@testable import HotStockCore

/// DESIGN section 12: a SKU's bucket count changes while the sale runs (1 -> 8, 8 -> 2).
/// Units move, none is lost or doubled; a hold placed before a change is the same hold
/// after it (a retry answers it, a changed request is a conflict) and confirm, release
/// and reads find it; retired buckets keep their holds and lend their units.
@Suite("Changing the bucket count")
struct BucketResizeTests {
    /// Every record balanced, none in transit, and the SKU's sums what the records add up to.
    private func expectExact(_ inventory: Inventory, _ sku: String, total: Int64) async throws -> [SKU] {
        let records = try await inventory.buckets(of: sku)
        for record in records { #expect(record.isBalanced && record.available >= 0, "bucket \(record.id)") }
        #expect(try await inventory.unitsInTransit(of: sku, records: records.count) == 0)
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.total == total && records.reduce(0) { $0 + $1.total } == total)
        return records
    }

    private func setBuckets(_ inventory: Inventory, _ sku: String, _ buckets: Int64, total: Int64) async throws {
        var update = SKUUpdate(total: total)
        update.buckets = buckets
        _ = try await inventory.setSKU(sku, update)
    }

    @Test func holdsPlacedBeforeEachChangeStayTheSameHolds() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("resize")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 200))
        let early = (0..<50).map { "early\($0)" }
        for order in early { _ = try await inventory.placeHold(sku: sku, order: order) }

        try await setBuckets(inventory, sku, 8, total: 200)
        var records = try await expectExact(inventory, sku, total: 200)
        #expect(
            records.count == 8
                && records.dropFirst().allSatisfy { $0.available == 150 / 8 || $0.available == 150 / 8 + 1 }
        )
        for order in early { #expect(try await !inventory.placeHold(sku: sku, order: order).created, "\(order)") }
        // A process that never learned the SKU confirms and releases holds of the old layout.
        let other = try await TestEngine.inventory()
        for order in early.prefix(10) { _ = try await other.confirm(sku: sku, order: order) }
        for order in early.dropFirst(10).prefix(10) { _ = try await other.release(sku: sku, order: order) }
        let late = (0..<50).map { "late\($0)" }
        for order in late { #expect(try await inventory.placeHold(sku: sku, order: order).created) }

        try await setBuckets(inventory, sku, 2, total: 200)
        records = try await expectExact(inventory, sku, total: 200)
        #expect(records.count == 8 && records.allSatisfy { $0.config.buckets == 2 })
        // The retired buckets lent every available unit to the two that take holds.
        #expect(records.dropFirst(2).allSatisfy { $0.available == 0 })
        for order in early + late {
            let again = try await other.placeHold(sku: sku, order: order)
            #expect(!again.created, "\(order)")
        }
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "late3", qty: 2) }
                == .idempotencyConflict
        )
        #expect(try await other.hold(sku: sku, order: "early0").state == .confirmed)
        #expect(try await other.hold(sku: sku, order: "early15").state == .released)
        var stock = try await inventory.sku(sku)
        #expect(stock.sold == 10 && stock.held == 80 && stock.available == 110)

        // Released anywhere, retired buckets included, every unit sells: none is stranded.
        for order in early.dropFirst(20) + late { _ = try await other.release(sku: sku, order: order) }
        var sold = 0
        while try await refusalCode({ _ = try await inventory.placeHold(sku: sku, order: "end\(sold)") }) == nil {
            sold += 1
        }
        #expect(sold == 190)
        stock = try await inventory.sku(sku)
        #expect(stock.available == 0 && stock.held == 190 && stock.sold == 10)
        _ = try await expectExact(inventory, sku, total: 200)
    }

    @Test func theCountChangesFromOneToEightToTwoWhileHoldsRun() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = TestEngine.uniqueSKU("live-resize")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 3_000))
        let placed = PlacedCount()
        let workers = 6
        let perWorker = 250
        let changer = Task { [self] in
            for (threshold, buckets) in [(300, Int64(8)), (900, Int64(2))] {
                while placed.value.load(ordering: .relaxed) < threshold { try await Task.sleep(for: .milliseconds(2)) }
                try await setBuckets(inventory, sku, buckets, total: 3_000)
            }
        }
        // Each worker's own engine (its own cache of the layout), each order sent twice,
        // the second time after a change may have happened: it must answer the first.
        let held = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let engine = try await TestEngine.inventory()
                    var orders: [String] = []
                    for index in 0..<perWorker {
                        let order = "w\(worker)-\(index)"
                        let first = try await engine.placeHold(sku: sku, order: order)
                        placed.value.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(1))
                        let retry = try await engine.placeHold(sku: sku, order: order)
                        #expect(first.created && !retry.created && retry.hold.qty == 1, "\(order)")
                        if index % 5 == 0 { _ = try await engine.confirm(sku: sku, order: order) }
                        if index % 5 == 1 { _ = try await engine.release(sku: sku, order: order) }
                        orders.append(order)
                    }
                    await engine.redis.shutdown()
                    return orders
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        try await changer.value
        #expect(held.count == workers * perWorker)
        // Every order is one hold: the sums count each exactly once.
        let stock = try await inventory.sku(sku)
        let confirmed = workers * (perWorker / 5)
        #expect(stock.sold == Int64(confirmed))
        #expect(stock.held == Int64(workers * perWorker - 2 * confirmed))
        let records = try await expectExact(inventory, sku, total: 3_000)
        #expect(records.count == 8 && stock.config.buckets == 2)
        for order in held.shuffled().prefix(200) {
            #expect(try await !inventory.placeHold(sku: sku, order: order).created, "\(order)")
        }
    }
}

/// How many holds the workers of a test placed so far.
private final class PlacedCount: Sendable {
    let value = Atomic<Int>(0)
}
