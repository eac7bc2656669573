import HotStockCore
import Testing

@Suite("Concurrent holds")
struct ConcurrentHoldTests {
    @Test func thousandConcurrentHoldsOnHundredUnitsNeverOversell() async throws {
        let first = try await TestEngine.inventory(poolSize: 4)
        let second = try await TestEngine.inventory(poolSize: 3)
        let sku = TestEngine.uniqueSKU("flash")
        _ = try await first.setSKU(sku, SKUUpdate(total: 100))

        let outcomes = try await withThrowingTaskGroup(of: InventoryError.Code?.self) { group in
            for index in 0..<1_000 {
                let inventory = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    try await refusalCode {
                        _ = try await inventory.placeHold(sku: sku, order: "order-\(index)")
                    }
                }
            }
            return try await group.reduce(into: [String: Int]()) { counts, code in
                counts[code?.rawValue ?? "held", default: 0] += 1
            }
        }
        #expect(outcomes == ["held": 100, "sold_out": 900])
        let snapshot = try await expectBalanced(first, sku)
        #expect(snapshot.available == 0 && snapshot.held == 100 && snapshot.sold == 0)
    }

    @Test func sameHoldRequestedTwentyTimesConcurrentlyMakesOneHold() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("idem")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 50))

        let placements = try await withThrowingTaskGroup(of: HoldPlacement.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await inventory.placeHold(sku: sku, order: "the-order", qty: 3, buyer: "u1")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(placements.filter(\.created).count == 1)
        #expect(Set(placements.map(\.hold.createdAtMs)).count == 1)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held == 3 && snapshot.available == 47)
    }

    @Test func fiftyParallelHoldsByOneBuyerUnderLimitTwoAdmitExactlyTwo() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("limit")
        var update = SKUUpdate(total: 100)
        update.perBuyerLimit = .set(2)
        _ = try await inventory.setSKU(sku, update)

        let codes = try await withThrowingTaskGroup(of: InventoryError.Code?.self) { group in
            for index in 0..<50 {
                group.addTask {
                    try await refusalCode {
                        _ = try await inventory.placeHold(sku: sku, order: "o-\(index)", buyer: "scalper")
                    }
                }
            }
            return try await group.reduce(into: [InventoryError.Code?]()) { $0.append($1) }
        }
        #expect(codes.filter { $0 == nil }.count == 2)
        #expect(codes.filter { $0 == .buyerLimit }.count == 48)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.held == 2)

        // Released units count no more: after one release the buyer may hold again.
        let admitted = (0..<50).map { "o-\($0)" }
        var released = false
        for order in admitted where !released {
            if (try? await inventory.release(sku: sku, order: order)) != nil { released = true }
        }
        #expect(released)
        _ = try await inventory.placeHold(sku: sku, order: "after-release", buyer: "scalper")
        #expect(
            try await refusalCode {
                _ = try await inventory.placeHold(sku: sku, order: "one-too-many", buyer: "scalper")
            } == .buyerLimit
        )
        try await expectBalanced(inventory, sku)
    }
}
