import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 14: confirm and release walk every line of an order; a confirmed order
/// is confirmed on every line, never some.
@Suite("Confirming and releasing orders")
struct OrderSettlingTests {
    private func request(_ skus: [String], ttlMs: Int64? = nil) -> OrderRequest {
        OrderRequest(lines: skus.enumerated().map { OrderLine(sku: $1, qty: Int64($0 + 1)) }, buyer: "u1", ttlMs: ttlMs)
    }

    @Test func confirmConfirmsEveryLineAndRepeatsAnswerTheSame() async throws {
        let inventory = try await TestEngine.inventory()
        let made = try await makeSKUs(inventory, [10, 10, 10])
        let order = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(order, request(made))
        let confirmed = try await inventory.confirmOrder(order)
        #expect(confirmed.state == .confirmed && confirmed.lines.allSatisfy { $0.state == .confirmed })
        #expect(confirmed.finalAtMs != nil)
        for (index, sku) in made.enumerated() {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.sold == Int64(index + 1) && stock.held == 0)
        }
        #expect(try await inventory.confirmOrder(order) == confirmed)
        #expect(try await refusalCode { _ = try await inventory.releaseOrder(order) } == .holdConfirmed)
        #expect(try await inventory.order(order) == confirmed)
    }

    @Test func releaseReleasesEveryLineAndRepeatsAnswerTheSame() async throws {
        let inventory = try await TestEngine.inventory()
        let made = try await makeSKUs(inventory, [10, 10])
        let order = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(order, request(made))
        let released = try await inventory.releaseOrder(order)
        #expect(released.state == .released && released.lines.allSatisfy { $0.state == .released })
        for sku in made {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.available == 10 && stock.held == 0 && stock.sold == 0)
        }
        #expect(try await inventory.releaseOrder(order) == released)
        #expect(try await refusalCode { _ = try await inventory.confirmOrder(order) } == .holdReleased)
    }

    @Test func anExpiredLineReleasesTheRestUnlessReacquired() async throws {
        // A namespace of its own: no other test's sweeper expires these orders first.
        let inventory = try await TestEngine.inventory(namespace: "d24")
        try await TestEngine.wipe(inventory)
        let made = try await makeSKUs(inventory, [10, 10, 10])
        let late = TestEngine.uniqueSKU("order")
        let retried = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(late, request(made, ttlMs: 1000))
        _ = try await inventory.placeOrder(retried, request(made, ttlMs: 1000))
        try await Task.sleep(for: .milliseconds(1100))
        do {
            _ = try await inventory.confirmOrder(late)
            Issue.record("an order whose lines expired was confirmed")
        } catch let error as InventoryError {
            #expect(error.code == .holdExpired && error.sku == made.min())
        }
        let expired = try await inventory.order(late)
        #expect(expired.state == .expired && expired.lines.allSatisfy { $0.state == .expired })
        #expect(try await refusalCode { _ = try await inventory.confirmOrder(late) } == .holdExpired)

        let reacquired = try await inventory.confirmOrder(retried, reacquire: true)
        #expect(reacquired.state == .confirmed && reacquired.lines.allSatisfy { $0.state == .confirmed })
        for (index, sku) in made.enumerated() {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.sold == Int64(index + 1) && stock.held == 0)
        }
    }

    @Test func aReacquireShortOfOneLineConfirmsNone() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d25")
        try await TestEngine.wipe(inventory)
        // The scarce SKU sorts last, so the lines before it are taken again first.
        let plenty = try await makeSKUs(inventory, [10, 10])
        let scarce = "zz-" + TestEngine.uniqueSKU("scarce")
        _ = try await inventory.setSKU(scarce, SKUUpdate(total: 1))
        let order = TestEngine.uniqueSKU("order")
        let lines = (plenty + [scarce]).map { OrderLine(sku: $0, qty: 1) }
        _ = try await inventory.placeOrder(order, OrderRequest(lines: lines, ttlMs: 1000))
        try await Task.sleep(for: .milliseconds(1100))
        // The scarce line's hold expires (the order not yet) and another order takes the unit.
        _ = try await inventory.expireDue(partition: inventory.keys.partition(of: scarce), limit: 100)
        _ = try await inventory.placeHold(sku: scarce, order: "other", qty: 1)
        do {
            _ = try await inventory.confirmOrder(order, reacquire: true)
            Issue.record("an order short of a line was confirmed")
        } catch let error as InventoryError {
            #expect(error.code == .holdExpired && error.sku == scarce)
        }
        let log = try await inventory.order(order)
        #expect(log.state == .expired && !log.lines.contains { $0.state == .confirmed || $0.state == .held })
        for sku in plenty {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.sold == 0 && stock.held == 0)
        }
        #expect(try await expectBalanced(inventory, scarce).held == 1)
    }

    @Test func anOrderRecoveryEndedStaysEndedEvenForAReacquire() async throws {
        let inventory = try await TestEngine.inventory(namespace: "d30")
        try await TestEngine.wipe(inventory)
        let made = try await makeSKUs(inventory, [10, 10])
        let order = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(order, request(made, ttlMs: 1000))
        try await Task.sleep(for: .milliseconds(1100))
        let sweeper = Sweeper(inventory: inventory, logger: TestEngine.logger)
        for _ in 0..<100 where try await inventory.order(order).state != .expired {
            try await sweeper.sweepOnce()
            try await Task.sleep(for: .milliseconds(50))
        }
        // Recovery ends a held order once its last line has expired: every line expired.
        let ended = try await inventory.order(order)
        #expect(ended.state == .expired && ended.lines.allSatisfy { $0.state == .expired })
        for reacquire in [false, true] {
            #expect(
                try await refusalCode { _ = try await inventory.confirmOrder(order, reacquire: reacquire) }
                    == .holdExpired
            )
        }
        #expect(try await refusalCode { _ = try await inventory.releaseOrder(order) } == .holdExpired)
        for sku in made {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.sold == 0 && stock.held == 0)
        }
    }

    @Test func aLineIsConfirmedOrReleasedOnlyWithItsOrder() async throws {
        let inventory = try await TestEngine.inventory()
        let made = try await makeSKUs(inventory, [10, 10])
        let order = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(order, request(made))
        // The hold operations refuse a line and change nothing; reads show it.
        #expect(
            try await refusalCode { _ = try await inventory.confirm(sku: made[0], order: order) } == .invalidArgument
        )
        #expect(
            try await refusalCode { _ = try await inventory.release(sku: made[1], order: order) } == .invalidArgument
        )
        #expect(try await inventory.hold(sku: made[0], order: order).state == .held)
        // A hold of the same id placed first is not adopted as a line: the order is refused.
        let taken = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeHold(sku: made[0], order: taken, qty: 1, buyer: "u1")
        do {
            _ = try await inventory.placeOrder(taken, request(made))
            Issue.record("an order adopted a hold of its id")
        } catch let error as InventoryError {
            #expect(error.code == .idempotencyConflict && error.sku == made[0])
        }
        #expect(try await inventory.hold(sku: made[0], order: taken).state == .held)
        #expect(try await expectBalanced(inventory, made[1]).held == 2)
        let confirmed = try await inventory.confirmOrder(order)
        #expect(confirmed.lines.allSatisfy { $0.state == .confirmed })
    }

    @Test func racingConfirmsAndReleasesSettleEachOrderWhole() async throws {
        let inventory = try await TestEngine.inventory(poolSize: 8)
        let made = try await makeSKUs(inventory, [200, 200, 200])
        let other = try await TestEngine.inventory()
        let prefix = TestEngine.uniqueSKU("race")
        for index in 0..<60 {
            _ = try await inventory.placeOrder("\(prefix)-\(index)", request(made))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<60 {
                group.addTask { _ = try? await inventory.confirmOrder("\(prefix)-\(index)") }
                group.addTask { _ = try? await other.releaseOrder("\(prefix)-\(index)") }
            }
            try await group.waitForAll()
        }
        var confirmed = 0
        for index in 0..<60 {
            let order = try await inventory.order("\(prefix)-\(index)")
            let states = Set(order.lines.map(\.state))
            #expect(
                (order.state == .confirmed && states == [.confirmed])
                    || (order.state == .released && states == [.released]),
                "\(index): \(order.state) \(states)"
            )
            if order.state == .confirmed { confirmed += 1 }
        }
        for (index, sku) in made.enumerated() {
            let stock = try await expectBalanced(inventory, sku)
            #expect(stock.held == 0 && stock.sold == Int64(confirmed * (index + 1)))
        }
        await other.redis.shutdown()
    }
}
