import RedisClient
import Testing

@testable import HotStockCore

/// A new SKU of `total` units spread over `buckets` buckets.
func spreadSKU(_ inventory: Inventory, _ name: String = "hot", total: Int64, buckets: Int) async throws -> String {
    let sku = TestEngine.uniqueSKU(name)
    _ = try await inventory.setSKU(sku, SKUUpdate(total: total))
    try await inventory.spread(sku, over: buckets)
    return sku
}

/// DESIGN section 12: a SKU spread over buckets keeps the contract of one SKU. A hold is
/// refused for stock only when the SKU as a whole lacks the units; one (sku, order) is
/// one hold whatever its bucket; every transition finds the hold where it is.
@Suite("Holds over buckets")
struct BucketHoldTests {
    /// Every bucket balanced, and the SKU's sums equal to what the records add up to.
    private func expectBucketsBalanced(_ inventory: Inventory, _ sku: String, buckets: Int) async throws -> SKU {
        let records = try await inventory.bucketRecords(of: sku, records: buckets)
        #expect(records.count == buckets)
        for record in records { #expect(record.isBalanced && record.available >= 0, "bucket \(record.id)") }
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.total == records.reduce(0) { $0 + $1.total })
        return stock
    }

    @Test func sixHundredHoldsOnThreeHundredUnitsInFourBucketsHoldExactlyThreeHundred() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = try await spreadSKU(inventory, total: 300, buckets: 4)
        let spread = try await inventory.bucketRecords(of: sku, records: 4)
        #expect(spread.allSatisfy { $0.available == 75 })
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<600 {
                group.addTask {
                    do {
                        _ = try await inventory.placeHold(sku: sku, order: "o\(index)")
                        return "held"
                    } catch let error as InventoryError {
                        return error.code.rawValue
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(outcomes == ["held": 300, "sold_out": 300])
        let stock = try await expectBucketsBalanced(inventory, sku, buckets: 4)
        #expect(stock.held == 300 && stock.available == 0 && stock.total == 300)
    }

    @Test(arguments: [(Int64(2), 5), (Int64(3), 3)])
    func tenUnitsInFourBucketsTakeExactlyWhatTheyHold(qty: Int64, holds: Int) async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await spreadSKU(inventory, total: 10, buckets: 4)
        var placed = 0
        for index in 0..<8 {
            do {
                _ = try await inventory.placeHold(sku: sku, order: "o\(index)", qty: qty)
                placed += 1
            } catch let error as InventoryError {
                #expect(error.code == .soldOut)
                #expect(
                    (error.soldOut?.available ?? -1) < qty,
                    "sold_out with \(error.soldOut?.available ?? -1) available"
                )
            }
        }
        #expect(placed == holds)
        let stock = try await expectBucketsBalanced(inventory, sku, buckets: 4)
        #expect(stock.held == qty * Int64(holds) && stock.available == 10 - qty * Int64(holds))
    }

    @Test func unitsReleasedAnywhereAreFoundByAnyNewHold() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await spreadSKU(inventory, total: 8, buckets: 4)
        for index in 0..<8 { _ = try await inventory.placeHold(sku: sku, order: "o\(index)") }
        #expect(try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "late") } == .soldOut)
        // Release in one bucket; new orders routed to every other bucket find the unit.
        let released = BucketRouting.record(sku: sku, order: "o3", buckets: 4)
        _ = try await inventory.release(sku: sku, order: "o3")
        let elsewhere = (0..<400).map { "n\($0)" }.first {
            BucketRouting.record(sku: sku, order: $0, buckets: 4) != released
        }!
        #expect(try await inventory.placeHold(sku: sku, order: elsewhere).created)
        let stock = try await expectBucketsBalanced(inventory, sku, buckets: 4)
        #expect(stock.held == 8 && stock.available == 0)
    }

    @Test func theSameOrderTwentyTimesAtOnceOverEightBucketsIsOneHold() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await spreadSKU(inventory, total: 100, buckets: 8)
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await inventory.placeHold(sku: sku, order: "same", qty: 2).created } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(created == 1)
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "same", qty: 3) }
                == .idempotencyConflict
        )
        let stock = try await expectBucketsBalanced(inventory, sku, buckets: 8)
        #expect(stock.held == 2 && stock.available == 98)
    }

    @Test func confirmReleaseExpiryAndAnotherProcessFindTheHoldInItsBucket() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d20")
        let sku = try await spreadSKU(inventory, total: 12, buckets: 4)
        _ = try await inventory.placeHold(sku: sku, order: "paid", qty: 2)
        _ = try await inventory.placeHold(sku: sku, order: "cancelled", qty: 2)
        _ = try await inventory.placeHold(sku: sku, order: "abandoned", qty: 2, ttlMs: 1_000)
        _ = try await inventory.placeHold(sku: sku, order: "late", qty: 2, ttlMs: 1_000)
        // Another process, which never learned the buckets, finds the holds where they are.
        let other = try await TestEngine.inventory(namespace: "d20")
        #expect(try await other.confirm(sku: sku, order: "paid").hold.state == .confirmed)
        #expect(try await other.release(sku: sku, order: "cancelled").state == .released)
        #expect(try await other.hold(sku: sku, order: "paid").state == .confirmed)
        try await Task.sleep(for: .milliseconds(1_100))
        #expect(try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce().expired >= 1)
        #expect(try await inventory.hold(sku: sku, order: "abandoned").state == .expired)
        // A reacquire gets its units back, from siblings if its bucket ran dry.
        let again = try await other.confirm(sku: sku, order: "late", reacquire: true)
        #expect(again.reacquired && again.hold.state == .confirmed)
        let stock = try await expectBucketsBalanced(inventory, sku, buckets: 4)
        #expect(stock.sold == 4 && stock.held == 0 && stock.available == 8)
    }

    @Test func aCodesSKUKeepsOneBucket() async throws {
        let inventory = try await TestEngine.inventory()
        let coded = TestEngine.uniqueSKU("codes")
        _ = try await inventory.setSKU(coded, SKUUpdate(kind: .codes))
        #expect(try await refusalCode { try await inventory.spread(coded, over: 2) } == .invalidArgument)
        #expect(try await inventory.buckets(of: coded).count == 1)
    }
}

/// The sold-out gate learns a spread SKU's sums, so a restock message of any of its
/// buckets, the SKU's own record included, names the SKU without a version.
@Suite("Restock messages of buckets")
struct BucketRestockTests {
    @Test func aReleaseInAnyBucketPublishesTheBareSKU() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await spreadSKU(inventory, "restock", total: 8, buckets: 2)
        let order = (0..<100).map { "o\($0)" }.first { BucketRouting.record(sku: sku, order: $0, buckets: 2) == sku }!
        _ = try await inventory.placeHold(sku: sku, order: order)
        let channel = inventory.keys.restockChannel(partition: inventory.keys.partition(of: sku))
        var node = inventory.redis.configuration
        node.seeds = [try await inventory.redis.node(serving: channel)]
        let subscription = try await RedisSubscription.open(
            channels: [channel],
            configuration: node,
            logger: TestEngine.logger
        )
        _ = try await inventory.release(sku: sku, order: order)
        var messages = subscription.messages.makeAsyncIterator()
        var payload: String?
        while let message = await messages.next() {
            if message.payload.hasPrefix(sku) {
                payload = message.payload
                break
            }
        }
        #expect(payload == sku)
        await subscription.close()
    }
}

/// What cannot yet keep a spread SKU exact refuses it and changes nothing; a warm
/// rebuilds it whole.
@Suite("Spread SKUs refuse what is not ready")
struct BucketGuardTests {
    @Test func aSpreadSKUTakesNoSetYetAndAWarmRebuildsItWhole() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await spreadSKU(inventory, "guard", total: 8, buckets: 2)
        let before = try await inventory.sku(sku)
        #expect(try await refusalCode { _ = try await inventory.setSKU(sku, SKUUpdate(total: 20)) } == .invalidArgument)
        let cold = try await TestCold.store()
        _ = try await Syncer(redis: inventory.redis, keys: inventory.keys, cold: cold, logger: TestEngine.logger)
            .syncOnce()
        let warmer = Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger)
        #expect(try await inventory.sku(sku) == before)
        #expect(try await warmer.warm(sku: sku, force: true).warmed == [sku])
        let warmed = try await inventory.sku(sku)
        #expect(warmed.total == before.total && warmed.available == before.available)
    }
}
