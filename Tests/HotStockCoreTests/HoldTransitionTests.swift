import HotStockCore
import Testing

@Suite("Hold transitions")
struct HoldTransitionTests {
    @Test func confirmBurnsHeldUnitsOnceAndRepeatsTheSameAnswer() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("confirm")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 4, buyer: "u1")

        let first = try await inventory.confirm(sku: sku, order: "o1")
        let again = try await inventory.confirm(sku: sku, order: "o1")
        #expect(first.hold.state == .confirmed && !first.reacquired)
        #expect(again == first)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.sold == 4 && snapshot.held == 0 && snapshot.available == 6)

        #expect(try await refusalCode { _ = try await inventory.release(sku: sku, order: "o1") } == .holdConfirmed)
        #expect(try await expectBalanced(inventory, sku) == snapshot)
    }

    @Test func releaseReturnsUnitsOnceAndRefusesConfirmAfterwards() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("release")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 2)

        let released = try await inventory.release(sku: sku, order: "o1")
        #expect(released.state == .released && released.finalAtMs != nil)
        #expect(try await inventory.release(sku: sku, order: "o1") == released)
        #expect(try await refusalCode { _ = try await inventory.confirm(sku: sku, order: "o1") } == .holdReleased)
        let snapshot = try await expectBalanced(inventory, sku)
        #expect(snapshot.available == 10 && snapshot.held == 0 && snapshot.sold == 0)
        #expect(try await inventory.hold(sku: sku, order: "o1").state == .released)
    }

    @Test func unknownHoldsAndSKUsAreNotFound() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("missing")
        #expect(try await refusalCode { _ = try await inventory.sku(sku) } == .skuNotFound)
        #expect(try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o") } == .skuNotFound)
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 1))
        #expect(try await refusalCode { _ = try await inventory.confirm(sku: sku, order: "nope") } == .holdNotFound)
        #expect(try await refusalCode { _ = try await inventory.release(sku: sku, order: "nope") } == .holdNotFound)
        #expect(try await refusalCode { _ = try await inventory.hold(sku: sku, order: "nope") } == .holdNotFound)
    }

    @Test func sameOrderUnderTwoSKUsIsTwoHolds() async throws {
        let inventory = try await TestEngine.inventory()
        let skuA = TestEngine.uniqueSKU("a")
        let skuB = TestEngine.uniqueSKU("b")
        _ = try await inventory.setSKU(skuA, SKUUpdate(total: 5))
        _ = try await inventory.setSKU(skuB, SKUUpdate(total: 5))
        #expect(try await inventory.placeHold(sku: skuA, order: "shared", qty: 1).created)
        #expect(try await inventory.placeHold(sku: skuB, order: "shared", qty: 2).created)
        #expect(try await expectBalanced(inventory, skuA).held == 1)
        #expect(try await expectBalanced(inventory, skuB).held == 2)
    }

    @Test func differentQtyOrBuyerForTheSameOrderIsAnIdempotencyConflict() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("conflict")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 2, buyer: "u1")
        let before = try await inventory.sku(sku)
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 3, buyer: "u1") }
                == .idempotencyConflict
        )
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 2, buyer: "u2") }
                == .idempotencyConflict
        )
        #expect(try await inventory.sku(sku) == before)
    }

    @Test func totalBelowCommittedIsRefusedAndTotalChangesMoveOnlyAvailable() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("total")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        _ = try await inventory.placeHold(sku: sku, order: "o1", qty: 3)
        _ = try await inventory.placeHold(sku: sku, order: "o2", qty: 2)
        _ = try await inventory.confirm(sku: sku, order: "o2")
        let before = try await inventory.sku(sku)
        #expect(
            try await refusalCode { _ = try await inventory.setSKU(sku, SKUUpdate(total: 4)) } == .totalBelowCommitted
        )
        #expect(try await inventory.sku(sku) == before)
        let (updated, created) = try await inventory.setSKU(sku, SKUUpdate(total: 5))
        #expect(!created)
        #expect(
            updated.available == 0 && updated.held == 3 && updated.sold == 2 && updated.version == before.version + 1
        )
        let (grown, _) = try await inventory.setSKU(sku, SKUUpdate(total: 25))
        #expect(grown.available == 20 && grown.isBalanced)
    }
}
