import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

/// DESIGN section 14 over HTTP: orders of several SKUs.
@Suite("Orders over HTTP")
struct OrderRouteTests {
    private func lines(_ body: [String: Any]) -> [[String: Any]] { body["lines"] as? [[String: Any]] ?? [] }

    @Test func anOrderIsHeldConfirmedAndAnsweredTheSameAgain() async throws {
        let inventory = try await TestServer.inventory()
        let a = TestServer.uniqueSKU("order-a")
        let b = TestServer.uniqueSKU("order-b")
        let order = TestServer.uniqueSKU("order")
        try await TestServer.application(inventory).test(.router) { client in
            for sku in [a, b] {
                #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 5}"#).status == .ok)
            }
            let request =
                #"{"lines": [{"sku": "\#(a)", "qty": 2}, {"sku": "\#(b)", "qty": 1}], "buyer": "u1", "ttl_ms": 60000}"#
            let placed = try await client.call(.put, "/v1/orders/\(order)", token: TestServer.apiToken, body: request)
            #expect(placed.status == .created && json(placed)["state"] as? String == "held")
            #expect(lines(json(placed)).map { $0["state"] as? String } == ["held", "held"])
            #expect(json(placed)["buyer"] as? String == "u1" && json(placed)["final_at_ms"] is NSNull)
            let again = try await client.call(.put, "/v1/orders/\(order)", token: TestServer.apiToken, body: request)
            #expect(again.status == .ok && String(buffer: again.body) == String(buffer: placed.body))
            let changed = request.replacingOccurrences(of: #""qty": 2"#, with: #""qty": 1"#)
            let conflict = try await client.call(.put, "/v1/orders/\(order)", token: TestServer.apiToken, body: changed)
            #expect(conflict.status.code == 422 && errorCode(conflict) == "idempotency_conflict")
            // The lines are ordinary holds.
            let line = try await client.call(.get, "/v1/skus/\(a)/holds/\(order)", token: TestServer.apiToken)
            #expect(json(line)["qty"] as? Int == 2 && json(line)["state"] as? String == "held")
            let paid = try await client.call(.post, "/v1/orders/\(order)/confirm", token: TestServer.apiToken)
            #expect(paid.status == .ok && json(paid)["state"] as? String == "confirmed")
            #expect(lines(json(paid)).allSatisfy { $0["state"] as? String == "confirmed" })
            let repeated = try await client.call(.post, "/v1/orders/\(order)/confirm", token: TestServer.apiToken)
            #expect(String(buffer: repeated.body) == String(buffer: paid.body))
            let cancel = try await client.call(.post, "/v1/orders/\(order)/release", token: TestServer.apiToken)
            #expect(cancel.status.code == 409 && errorCode(cancel) == "hold_confirmed")
            let read = try await client.call(.get, "/v1/orders/\(order)", token: TestServer.apiToken)
            #expect(String(buffer: read.body) == String(buffer: paid.body))
            let stock = try await client.call(.get, "/v1/skus/\(a)")
            #expect(json(stock)["sold"] as? Int == 2 && json(stock)["held"] as? Int == 0)
        }
    }

    @Test func aRefusedLineAnswersItsSKUAndLeavesNothingHeld() async throws {
        let inventory = try await TestServer.inventory()
        let plenty = "a-" + TestServer.uniqueSKU("order")
        let scarce = "b-" + TestServer.uniqueSKU("order")
        let order = TestServer.uniqueSKU("order")
        try await TestServer.application(inventory).test(.router) { client in
            #expect(
                try await client.call(.put, "/v1/skus/\(plenty)", body: #"{"total": 5, "max_qty": 3}"#).status == .ok
            )
            #expect(try await client.call(.put, "/v1/skus/\(scarce)", body: #"{"total": 1}"#).status == .ok)
            let request = #"{"lines": [{"sku": "\#(scarce)", "qty": 2}, {"sku": "\#(plenty)", "qty": 1}]}"#
            for _ in 0..<2 {
                let refused = try await client.call(
                    .put,
                    "/v1/orders/\(order)",
                    token: TestServer.apiToken,
                    body: request
                )
                #expect(refused.status.code == 409 && errorCode(refused) == "sold_out")
                #expect((json(refused)["error"] as? [String: Any])?["sku"] as? String == scarce)
            }
            let read = try await client.call(.get, "/v1/orders/\(order)", token: TestServer.apiToken)
            #expect(read.status.code == 409 && errorCode(read) == "sold_out")
            for sku in [plenty, scarce] {
                #expect(json(try await client.call(.get, "/v1/skus/\(sku)"))["held"] as? Int == 0)
            }
            // Refused for a line over its SKU's max_qty (after the line before it, in the
            // order of SKU ids, was held):
            // the order id is spent; a corrected request goes under a new one.
            let bad = TestServer.uniqueSKU("order")
            let tooMany = #"{"lines": [{"sku": "\#(scarce)", "qty": 1001}, {"sku": "\#(plenty)", "qty": 1}]}"#
            let refused = try await client.call(.put, "/v1/orders/\(bad)", token: TestServer.apiToken, body: tooMany)
            #expect(refused.status == .badRequest && errorCode(refused) == "invalid_argument")
            #expect((json(refused)["error"] as? [String: Any])?["sku"] as? String == scarce)
            #expect(json(try await client.call(.get, "/v1/skus/\(plenty)"))["held"] as? Int == 0)
            let fixed = tooMany.replacingOccurrences(of: #""qty": 1001"#, with: #""qty": 1"#)
            let reused = try await client.call(.put, "/v1/orders/\(bad)", token: TestServer.apiToken, body: fixed)
            #expect(reused.status.code == 422 && errorCode(reused) == "idempotency_conflict")
            let fresh = "\(bad)-2"
            let placed = try await client.call(.put, "/v1/orders/\(fresh)", token: TestServer.apiToken, body: fixed)
            #expect(placed.status == .created)
            let released = try await client.call(.post, "/v1/orders/\(fresh)/release", token: TestServer.apiToken)
            #expect(released.status == .ok && json(released)["state"] as? String == "released")
            #expect(json(try await client.call(.get, "/v1/skus/\(scarce)"))["available"] as? Int == 1)
        }
    }

    @Test(arguments: [
        #"{}"#, #"{"lines": []}"#, #"{"lines": {}}"#, #"{"lines": [1]}"#, #"{"lines": [{"qty": 1}]}"#,
        #"{"lines": [{"sku": "x", "qty": 0}]}"#, #"{"lines": [{"sku": "x", "qty": "1"}]}"#,
        #"{"lines": [{"sku": "x", "color": "red"}]}"#, #"{"lines": [{"sku": "x"}, {"sku": "x"}]}"#,
        #"{"lines": [{"sku": "x"}], "extra": 1}"#, #"{"lines": [{"sku": "bad sku"}]}"#,
        #"{"lines": [{"sku": "x"}], "ttl_ms": 5}"#, #"{"lines": [{"sku": "x"}], "buyer": 7}"#, "[]", "nope",
    ])
    func badOrderRequestsAreRefusedAndChangeNothing(body: String) async throws {
        let inventory = try await TestServer.inventory()
        let order = TestServer.uniqueSKU("bad-order")
        try await TestServer.application(inventory).test(.router) { client in
            let response = try await client.call(.put, "/v1/orders/\(order)", token: TestServer.apiToken, body: body)
            #expect(response.status == .badRequest && errorCode(response) == "invalid_argument", "\(body)")
            let read = try await client.call(.get, "/v1/orders/\(order)", token: TestServer.apiToken)
            #expect(read.status == .notFound && errorCode(read) == "order_not_found")
        }
    }

    @Test func twentyOneLinesAreTooMany() async throws {
        let inventory = try await TestServer.inventory()
        try await TestServer.application(inventory).test(.router) { client in
            let lines = (0..<21).map { #"{"sku": "s\#($0)"}"# }.joined(separator: ",")
            let response = try await client.call(
                .put,
                "/v1/orders/\(TestServer.uniqueSKU("wide"))",
                token: TestServer.apiToken,
                body: #"{"lines": [\#(lines)]}"#
            )
            #expect(response.status == .badRequest && errorCode(response) == "invalid_argument")
        }
    }
}
