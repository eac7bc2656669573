import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 14: an order a process left between two steps is finished or
/// compensated by the sweeper within seconds; a held order's lines expire together.
/// Each test leaves the order as a dead process would (the steps it took, none after),
/// then sweeps. (`ServeOrderCrashTests` kills a real server at these steps.)
@Suite("Order recovery")
struct OrderRecoveryTests {
    /// Each test has a namespace of its own: no other test's sweeper takes its orders.
    private func setUp(_ totals: [Int64], namespace: String) async throws -> (Inventory, [String], String) {
        let inventory = try await TestEngine.inventory(namespace: namespace, orderRecoveryAfterMs: 300)
        try await TestEngine.wipe(inventory)
        let made = try await makeSKUs(inventory, totals)
        return (inventory, made.sorted(), TestEngine.uniqueSKU("order"))
    }

    /// Sweeps until the order is final or wholly held (recovery takes it after 300 ms;
    /// at most 20 s, for a loaded machine).
    private func recovered(_ inventory: Inventory, _ order: String) async throws -> Order {
        let sweeper = Sweeper(inventory: inventory, logger: TestEngine.logger)
        for _ in 0..<200 {
            try await Task.sleep(for: .milliseconds(100))
            try await sweeper.sweepOnce()
            let state = try await inventory.order(order).state
            if !state.isTransient && state != .held { break }
            if state == .held, try await inventory.order(order).lines.allSatisfy({ $0.state == .held }) { break }
        }
        return try await inventory.order(order)
    }

    private func begin(_ inventory: Inventory, _ order: String, _ request: OrderRequest) async throws {
        let reply = try await inventory.call(
            HotStockFunction.orderBegin,
            keys: inventory.orderKeys(order),
            arguments: [
                order, request.canonical, request.buyer ?? "", request.encodedLines,
                request.ttlMs.map(String.init) ?? "",
                "300",
            ]
        )
        #expect(reply.isOK)
    }

    @Test func anOrderLeftPlacingIsPlacedForward() async throws {
        let (inventory, made, order) = try await setUp([10, 10, 10], namespace: "d26")
        let request = OrderRequest(lines: made.map { OrderLine(sku: $0, qty: 2) }, buyer: "b1")
        try await begin(inventory, order, request)
        // Died after the second line's hold.
        for sku in made.prefix(2) {
            _ = try await inventory.placeHold(sku: sku, order: order, qty: 2, buyer: "b1", ttlMs: nil, orderLine: true)
        }
        let order_ = try await recovered(inventory, order)
        #expect(order_.state == .held && order_.lines.allSatisfy { $0.state == .held })
        for sku in made { #expect(try await expectBalanced(inventory, sku).held == 2) }
        // The buyer's retry answers the order as recovery left it.
        #expect(try await inventory.placeOrder(order, request).order.state == .held)
    }

    @Test func anOrderLeftCompensatingIsCompensated() async throws {
        let (inventory, made, order) = try await setUp([10, 10, 1], namespace: "d27")
        let request = OrderRequest(lines: made.map { OrderLine(sku: $0, qty: 1) })
        try await begin(inventory, order, request)
        // Held the first line, found the second refused, died before releasing the first.
        _ = try await inventory.placeHold(sku: made[0], order: order, qty: 1, buyer: nil, ttlMs: nil, orderLine: true)
        #expect(
            try await inventory.mark(
                order,
                from: .placing,
                to: .compensating,
                ["error", "sold_out", "error_sku", made[1]]
            )
        )
        let order_ = try await recovered(inventory, order)
        #expect(order_.state == .failed && !order_.lines.contains { $0.state == .held })
        for sku in made { #expect(try await expectBalanced(inventory, sku).held == 0) }
        do {
            _ = try await inventory.placeOrder(order, request)
            Issue.record("a compensated order was held")
        } catch let error as InventoryError {
            #expect(error.code == .soldOut && error.sku == made[1])
        }
    }

    @Test func anOrderLeftConfirmingIsConfirmedOnEveryLine() async throws {
        let (inventory, made, order) = try await setUp([10, 10, 10], namespace: "d28")
        _ = try await inventory.placeOrder(
            order,
            OrderRequest(lines: made.map { OrderLine(sku: $0, qty: 1) }, ttlMs: 5000)
        )
        // Pinned every line, confirmed the first, died.
        #expect(try await inventory.mark(order, from: .held, to: .confirming, ["reacquire", "0"]))
        for sku in made {
            _ = try await inventory.transition(HotStockFunction.pin, sku: sku, order: order, extra: ["0", "3600000"])
        }
        #expect(try await inventory.mark(order, from: .confirming, to: .confirming, ["pinned", "1"]))
        _ = try await inventory.confirm(sku: made[0], order: order, reacquire: false, byOrder: true)
        // The lines' own TTL passes meanwhile: pinned, they do not expire.
        try await Task.sleep(for: .milliseconds(5100))
        let order_ = try await recovered(inventory, order)
        #expect(order_.state == .confirmed && order_.lines.allSatisfy { $0.state == .confirmed })
        for sku in made { #expect(try await expectBalanced(inventory, sku).sold == 1) }
    }

    @Test func anOrderLeftReleasingIsReleasedAndAHeldOneExpiresWhole() async throws {
        let (inventory, made, order) = try await setUp([10, 10], namespace: "d29")
        _ = try await inventory.placeOrder(order, OrderRequest(lines: made.map { OrderLine(sku: $0, qty: 1) }))
        #expect(try await inventory.mark(order, from: .held, to: .releasing, ["outcome", "released"]))
        _ = try await inventory.release(sku: made[0], order: order, byOrder: true)
        let released = try await recovered(inventory, order)
        #expect(released.state == .released && released.lines.allSatisfy { $0.state == .released })

        let short = TestEngine.uniqueSKU("order")
        _ = try await inventory.placeOrder(
            short,
            OrderRequest(lines: made.map { OrderLine(sku: $0, qty: 1) }, ttlMs: 1000)
        )
        try await Task.sleep(for: .milliseconds(1000))
        let expired = try await recovered(inventory, short)
        #expect(expired.state == .expired && !expired.lines.contains { $0.state == .held })
        for sku in made { #expect(try await expectBalanced(inventory, sku).held == 0) }
    }
}
