import Foundation
import Logging
import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 14: a `serve` killed with SIGKILL at a step of a 3-line order's saga
/// (right after the hold of line 2, after the confirm of line 1, after the first
/// compensating release) leaves the order to recovery, which makes it whole or gone.
@Suite("hotstock serve killed in the middle of an order", .serialized)
struct ServeOrderCrashTests {
    enum Expected: Sendable { case held, confirmed, failed }

    @Test(arguments: [("hold:2", Expected.held), ("confirm:1", .confirmed), ("compensate:1", .failed)])
    func killNineAtAStepLeavesTheOrderWholeOrGone(step: String, expected: Expected) async throws {
        let port = try freePort()
        let server = try ServeKillCodesTests.startServer(
            port: port,
            environment: ["HOTSTOCK_FAULT_ORDER_STEP": step, "HOTSTOCK_ORDER_RECOVERY_MS": "500"]
        )
        defer { if server.isRunning { server.terminate() } }
        let client = HTTPProbe(port: port, token: "sigterm-admin-token")
        #expect(try await ServeKillCodesTests.waitUntilUp(client), "the server did not start")
        // Lines are walked in the order of their SKU ids: a, b, c; c is short when the
        // order is to be refused.
        let base = CommandLineTests.uniqueSKU()
        let skus = ["\(base)-a", "\(base)-b", "\(base)-c"]
        for (index, sku) in skus.enumerated() {
            let total = expected == .failed && index == 2 ? 1 : 10
            #expect(try await client.send("PUT", "/v1/skus/\(sku)", body: #"{"total": \#(total)}"#) == 200)
        }
        let order = "crash-\(base)"
        let request =
            #"{"lines": [{"sku": "\#(skus[2])", "qty": 2}, {"sku": "\#(skus[0])", "qty": 2}, {"sku": "\#(skus[1])", "qty": 2}]}"#
        if expected == .confirmed {
            #expect(try await client.send("PUT", "/v1/orders/\(order)", body: request) == 201)
            #expect((try? await client.send("POST", "/v1/orders/\(order)/confirm")) == nil, "the server answered")
        } else {
            #expect((try? await client.send("PUT", "/v1/orders/\(order)", body: request)) == nil, "the server answered")
        }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal && server.terminationStatus == SIGKILL)

        // Recovery: the sweeper takes the order over once its step is 500 ms old.
        let (pool, inventory) = try ServeKillCodesTests.engine()
        let sweeper = Sweeper(inventory: inventory, logger: Logger(label: "test"))
        var settled = try await inventory.order(order)
        for _ in 0..<50 where settled.state.isTransient {
            try await Task.sleep(for: .milliseconds(100))
            try await sweeper.sweepOnce()
            settled = try await inventory.order(order)
        }
        let lineStates = Set(settled.lines.map(\.state))
        switch expected {
        case .held: #expect(settled.state == .held && lineStates == [.held], "\(settled)")
        case .confirmed: #expect(settled.state == .confirmed && lineStates == [.confirmed], "\(settled)")
        case .failed: #expect(settled.state == .failed && !lineStates.contains(.held), "\(settled)")
        }
        for sku in skus {
            let stock = try await inventory.sku(sku)
            #expect(stock.isBalanced)
            switch expected {
            case .held: #expect(stock.held == 2 && stock.sold == 0)
            case .confirmed: #expect(stock.sold == 2 && stock.held == 0)
            case .failed: #expect(stock.held == 0 && stock.sold == 0)
            }
        }
        // The buyer's retry of the same request answers what recovery left.
        if expected == .held {
            _ = try await inventory.placeOrder(order, settled.request)
            #expect(try await inventory.order(order).state == .held)
        }
        await pool.shutdown()
    }
}

extension Order {
    /// The request that placed the order.
    fileprivate var request: OrderRequest { OrderRequest(lines: lines.map { OrderLine(sku: $0.sku, qty: $0.qty) }) }
}
