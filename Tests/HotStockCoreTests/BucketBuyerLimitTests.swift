import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 12: a per-buyer limit stays exact over buckets. Holds of a SKU with a
/// limit route by buyer, so each buyer's units are counted in one bucket; an order is
/// bound to its buyer once (its claim), so the same order with another buyer is one
/// conflict wherever it would land, and a confirm or release finds the hold.
@Suite("Per-buyer limits over buckets")
struct BucketBuyerLimitTests {
    private func limitedSKU(_ inventory: Inventory, total: Int64, limit: Int64, buckets: Int64?) async throws -> String
    {
        let sku = TestEngine.uniqueSKU("limited")
        var update = SKUUpdate(total: total)
        update.perBuyerLimit = .set(limit)
        update.buckets = buckets
        _ = try await inventory.setSKU(sku, update)
        return sku
    }

    /// The units `buyer` has counted in each bucket record of `sku` that counts any.
    private func buyerUnits(_ inventory: Inventory, _ sku: String, _ buyer: String, records: Int) async throws
        -> [String: Int64]
    {
        var units: [String: Int64] = [:]
        for record in BucketRouting.records(sku: sku, buckets: records) {
            let reply = try await inventory.redis.send(.hmget(inventory.keys.buyersKey(record), fields: [buyer]))
            if let count = reply.array?.first?.int { units[record] = count }
        }
        return units
    }

    @Test func oneBuyerWithLimitTwoOverEightBucketsGetsTwoUnits() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = try await limitedSKU(inventory, total: 100, limit: 2, buckets: 8)
        let outcomes = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for index in 0..<20 {
                for buyer in ["b1", "other\(index)"] {
                    group.addTask {
                        do {
                            _ = try await inventory.placeHold(sku: sku, order: "\(buyer)-\(index)", buyer: buyer)
                            return (buyer, "held")
                        } catch let error as InventoryError {
                            return (buyer, error.code.rawValue)
                        }
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) {
                $0["\($1.0 == "b1" ? "b1" : "others") \($1.1)", default: 0] += 1
            }
        }
        #expect(outcomes == ["b1 held": 2, "b1 buyer_limit": 18, "others held": 20])
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 22 && stock.available == 78 && stock.total == 100)
        // The buyer's units are counted in one bucket only.
        let counted = try await buyerUnits(inventory, sku, "b1", records: 8)
        #expect(counted.count == 1 && counted.values.first == 2)

        // The same order with another buyer is a conflict, wherever that buyer routes.
        let mine = (0..<20).map { "b1-\($0)" }
        var held: [String] = []
        for order in mine where try await refusalCode({ _ = try await inventory.hold(sku: sku, order: order) }) == nil {
            held.append(order)
        }
        #expect(held.count == 2)
        for thief in (0..<8).map({ "thief\($0)" }) {
            let code = try await refusalCode {
                _ = try await inventory.placeHold(sku: sku, order: held[0], buyer: thief)
            }
            #expect(code == .idempotencyConflict)
        }
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: held[0]) } == .invalidArgument
        )
        let again = try await inventory.placeHold(sku: sku, order: held[0], buyer: "b1")
        #expect(!again.created && again.hold.buyer == "b1")

        // Another process, which never saw the SKU, confirms one and releases the other;
        // the released unit is the buyer's to take again, and no more.
        let other = try await TestEngine.inventory()
        #expect(try await other.confirm(sku: sku, order: held[0]).hold.state == .confirmed)
        #expect(try await other.release(sku: sku, order: held[1]).state == .released)
        _ = try await other.placeHold(sku: sku, order: "b1-late", buyer: "b1")
        #expect(
            try await refusalCode { _ = try await other.placeHold(sku: sku, order: "b1-later", buyer: "b1") }
                == .buyerLimit
        )
        let after = try await expectBalanced(inventory, sku)
        #expect(after.sold == 1 && after.held == 21 && after.available == 78)
        #expect(try await buyerUnits(inventory, sku, "b1", records: 8).values.sorted() == [2])
    }

    @Test func aLimitedSKUSpreadFromOneBucketFindsItsEarlierHolds() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await limitedSKU(inventory, total: 10, limit: 2, buckets: nil)
        _ = try await inventory.placeHold(sku: sku, order: "first", buyer: "b1")
        _ = try await inventory.release(sku: sku, order: "first")
        _ = try await inventory.setSKU(
            sku,
            {
                var u = SKUUpdate(total: 10); u.buckets = 4; return u
            }()
        )
        #expect(try await inventory.buckets(of: sku).count == 4)

        // The order held (and released) in bucket 0 before the change is the same hold.
        let retry = try await inventory.placeHold(sku: sku, order: "first", buyer: "b1")
        #expect(!retry.created && retry.hold.state == .released)
        let code = try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "first", buyer: "b2") }
        #expect(code == .idempotencyConflict)
        let other = try await TestEngine.inventory()
        #expect(try await other.hold(sku: sku, order: "first").state == .released)

        _ = try await inventory.placeHold(sku: sku, order: "second", qty: 2, buyer: "b1")
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "third", buyer: "b1") }
                == .buyerLimit
        )
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 2 && stock.available == 8 && stock.config.buckets == 4)
    }

    @Test func aLimitedSKUsCountChangesWhileItSellsAndEveryBuyerKeepsItsLimit() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let sku = try await limitedSKU(inventory, total: 200, limit: 2, buckets: nil)
        let buyers = (0..<12).map { "b\($0)" }
        for buyer in buyers { _ = try await inventory.placeHold(sku: sku, order: "\(buyer)-first", buyer: buyer) }
        _ = try await inventory.placeHold(sku: sku, order: "b0-second", buyer: "b0")

        // 1 -> 8 while holds of the same buyers race it, each buyer wanting 4 more, sent
        // through four engines that learned the SKU before the change.
        var engines: [Inventory] = []
        for _ in 0..<4 { engines.append(try await TestEngine.inventory()) }
        let outcomes = try await withThrowingTaskGroup(of: String.self) { [engines] group in
            group.addTask {
                var update = SKUUpdate(total: 200)
                update.buckets = 8
                _ = try await inventory.setSKU(sku, update)
                return "changed"
            }
            for buyer in buyers {
                for index in 0..<4 {
                    group.addTask {
                        do {
                            _ = try await engines[index].placeHold(
                                sku: sku,
                                order: "\(buyer)-more\(index)",
                                buyer: buyer
                            )
                            return "held"
                        } catch let error as InventoryError {
                            return error.code.rawValue
                        }
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
        // b0 had its two units; the eleven others had one and take exactly one more.
        #expect(outcomes == ["changed": 1, "held": 11, "buyer_limit": 37])
        for buyer in buyers {
            let counted = try await buyerUnits(inventory, sku, buyer, records: 8)
            #expect(counted.count == 1 && counted.values.first == 2, "\(buyer): \(counted)")
        }

        // 8 -> 2: holds from before both changes are found, limits still hold, new buyers route anew.
        var update = SKUUpdate(total: 200)
        update.buckets = 2
        _ = try await inventory.setSKU(sku, update)
        let other = try await TestEngine.inventory()
        #expect(try await !other.placeHold(sku: sku, order: "b3-first", buyer: "b3").created)
        #expect(try await other.confirm(sku: sku, order: "b3-first").hold.state == .confirmed)
        #expect(
            try await refusalCode { _ = try await other.placeHold(sku: sku, order: "b3-late", buyer: "b3") }
                == .buyerLimit
        )
        _ = try await other.release(sku: sku, order: "b5-first")
        _ = try await other.placeHold(sku: sku, order: "b5-late", buyer: "b5")
        #expect(
            try await refusalCode { _ = try await other.placeHold(sku: sku, order: "b5-later", buyer: "b5") }
                == .buyerLimit
        )
        for index in 0..<3 {
            let outcome = try await refusalCode {
                _ = try await other.placeHold(sku: sku, order: "new-\(index)", buyer: "new")
            }
            #expect(outcome == (index < 2 ? nil : .buyerLimit))
        }
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.sold == 1 && stock.held == 25 && stock.available == 174)
        #expect(try await inventory.unitsInTransit(of: sku, records: 8) == 0)
        // Many engines in one test process hold many sockets: close them.
        for engine in engines + [other] { await engine.redis.shutdown() }
    }

    @Test func anExpiredHoldFromBeforeAChangeIsNotTakenAgainAboveTheLimit() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = try await limitedSKU(inventory, total: 20, limit: 2, buckets: nil)
        // A buyer that routes away from bucket 0 once the SKU has 8 buckets.
        let buyer = (0..<50).map { "buyer\($0)" }.first { BucketRouting.record(sku: sku, key: $0, buckets: 8) != sku }!
        _ = try await inventory.placeHold(sku: sku, order: "old", buyer: buyer, ttlMs: 1_000)
        try await Task.sleep(for: .milliseconds(1_100))
        _ = try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce()
        #expect(try await inventory.hold(sku: sku, order: "old").state == .expired)
        var update = SKUUpdate(total: 20)
        update.buckets = 8
        _ = try await inventory.setSKU(sku, update)
        _ = try await inventory.placeHold(sku: sku, order: "new", qty: 2, buyer: buyer)
        // The old hold is in bucket 0, the buyer's units in its home: no third unit.
        let code = try await refusalCode { _ = try await inventory.confirm(sku: sku, order: "old", reacquire: true) }
        #expect(code == .holdExpired)
        let counted = try await buyerUnits(inventory, sku, buyer, records: 8)
        #expect(counted.values.reduce(0, +) == 2)
        let stock = try await expectBalanced(inventory, sku)
        #expect(stock.held == 2 && stock.sold == 0)
    }
}
