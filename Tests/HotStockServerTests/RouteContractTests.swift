import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP routes answer the contract")
struct RouteContractTests {
    @Test func everyRouteSucceedsWithTheContractBodies() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU()
        try await TestServer.application(inventory).test(.router) { client in
            let put = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 10, "max_qty": 5}"#)
            #expect(put.status == .ok)
            #expect(json(put)["total"] as? Int == 10 && json(put)["per_buyer_limit"] is NSNull)
            #expect(json(put)["kind"] as? String == "counted")
            let get = try await client.call(.get, "/v1/skus/\(sku)", token: TestServer.apiToken)
            #expect(get.status == .ok && json(get)["available"] as? Int == 10)

            let hold = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/o1",
                token: TestServer.apiToken,
                body: #"{"qty": 2, "buyer": "u42", "ttl_ms": 60000}"#
            )
            #expect(hold.status == .created)
            #expect(json(hold)["state"] as? String == "held" && json(hold)["final_at_ms"] is NSNull)
            let again = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/o1",
                token: TestServer.apiToken,
                body: #"{"qty": 2, "buyer": "u42"}"#
            )
            #expect(again.status == .ok && again.body == hold.body)
            let read = try await client.call(.get, "/v1/skus/\(sku)/holds/o1", token: TestServer.apiToken)
            #expect(read.status == .ok && read.body == hold.body)

            let confirm = try await client.call(.post, "/v1/skus/\(sku)/holds/o1/confirm", token: TestServer.apiToken)
            #expect(confirm.status == .ok && json(confirm)["state"] as? String == "confirmed")
            let confirmAgain = try await client.call(
                .post,
                "/v1/skus/\(sku)/holds/o1/confirm",
                token: TestServer.apiToken,
                body: "{}"
            )
            #expect(confirmAgain.status == .ok && confirmAgain.body == confirm.body)

            let anonymous = try await client.call(.put, "/v1/skus/\(sku)/holds/o2", token: TestServer.apiToken)
            #expect(
                anonymous.status == .created && json(anonymous)["buyer"] is NSNull
                    && json(anonymous)["qty"] as? Int == 1
            )
            let release = try await client.call(.post, "/v1/skus/\(sku)/holds/o2/release", token: TestServer.apiToken)
            #expect(release.status == .ok && json(release)["state"] as? String == "released")

            for path in ["/health/live", "/health/ready", "/metrics", "/openapi.yaml"] {
                // Another suite flushes Redis's functions now and then; readiness reloads them.
                if path == "/health/ready" { _ = try await client.call(.get, path, token: nil) }
                #expect(try await client.call(.get, path, token: nil).status == .ok, "\(path)")
            }
            let metrics = String(buffer: try await client.call(.get, "/metrics", token: nil).body)
            #expect(metrics.contains("hotstock_hold_outcomes_total"))
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.sold == 2 && snapshot.held == 0 && snapshot.available == 8)
    }

    @Test func everyErrorCodeOfTheContract() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("errors")
        let limited = TestServer.uniqueSKU("limited")
        let later = TestServer.uniqueSKU("later")
        let bucket = TestServer.uniqueSKU("bucket")
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        // The engine's own answers: with the sold-out gate on, a changed request for an
        // order of a sold-out SKU is answered sold_out (SoldOutGateTests).
        try await TestServer.application(inventory, soldOutGateLapse: nil).test(.router) { client in
            func expectError(
                _ response: TestResponse,
                _ status: HTTPResponse.Status,
                _ code: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) {
                #expect(response.status == status, sourceLocation: sourceLocation)
                #expect(errorCode(response) == code, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            }
            _ = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 2}"#)
            _ = try await client.call(.put, "/v1/skus/\(limited)", body: #"{"total": 10, "per_buyer_limit": 1}"#)
            _ = try await client.call(
                .put,
                "/v1/skus/\(later)",
                body: "{\"total\": 10, \"opens_at_ms\": \(nowMs + 3_600_000)}"
            )
            _ = try await client.call(
                .put,
                "/v1/skus/\(bucket)",
                body: "{\"total\": 10, \"opens_at_ms\": \(nowMs), \"release_rate\": 0.001, \"release_burst\": 1}"
            )

            expectError(
                try await client.call(.put, "/v1/skus/\(sku)/holds/x", token: nil),
                .unauthorized,
                "unauthorized"
            )
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)/holds/x", token: "nope"),
                .unauthorized,
                "unauthorized"
            )
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)", token: TestServer.apiToken, body: #"{"total": 5}"#),
                .unauthorized,
                "unauthorized"
            )
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)/holds/x", token: TestServer.apiToken, body: "{"),
                .badRequest,
                "invalid_argument"
            )
            expectError(
                try await client.call(.get, "/v1/skus/nope-\(sku)", token: TestServer.apiToken),
                .notFound,
                "sku_not_found"
            )
            expectError(
                try await client.call(.get, "/v1/skus/\(sku)/holds/none", token: TestServer.apiToken),
                .notFound,
                "hold_not_found"
            )
            expectError(try await client.call(.post, "/v1/skus/\(sku)/holds/none/confirm"), .notFound, "hold_not_found")

            #expect(try await client.call(.put, "/v1/skus/\(sku)/holds/a", body: #"{"qty": 2}"#).status == .created)
            expectError(try await client.call(.put, "/v1/skus/\(sku)/holds/b"), .conflict, "sold_out")
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)/holds/a", body: #"{"qty": 1}"#),
                .unprocessableContent,
                "idempotency_conflict"
            )
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1}"#),
                .conflict,
                "total_below_committed"
            )
            _ = try await client.call(.post, "/v1/skus/\(sku)/holds/a/confirm")
            expectError(try await client.call(.post, "/v1/skus/\(sku)/holds/a/release"), .conflict, "hold_confirmed")

            _ = try await client.call(.put, "/v1/skus/\(limited)/holds/r", body: #"{"buyer": "u1"}"#)
            _ = try await client.call(.post, "/v1/skus/\(limited)/holds/r/release")
            expectError(try await client.call(.post, "/v1/skus/\(limited)/holds/r/confirm"), .conflict, "hold_released")
            _ = try await client.call(.put, "/v1/skus/\(limited)/holds/s", body: #"{"buyer": "u1"}"#)
            expectError(
                try await client.call(.put, "/v1/skus/\(limited)/holds/t", body: #"{"buyer": "u1"}"#),
                .conflict,
                "buyer_limit"
            )
            expectError(try await client.call(.put, "/v1/skus/\(limited)/holds/t"), .badRequest, "invalid_argument")

            _ = try await client.call(.put, "/v1/skus/\(limited)/holds/e", body: #"{"buyer": "u2", "ttl_ms": 1000}"#)
            try await Task.sleep(for: .milliseconds(1_100))
            expectError(try await client.call(.post, "/v1/skus/\(limited)/holds/e/confirm"), .conflict, "hold_expired")
            expectError(try await client.call(.post, "/v1/skus/\(limited)/holds/e/release"), .conflict, "hold_expired")

            expectError(try await client.call(.put, "/v1/skus/\(later)/holds/early"), .conflict, "sale_not_open")
            _ = try await client.call(.put, "/v1/skus/\(bucket)/holds/first")
            let wait = try await client.call(.put, "/v1/skus/\(bucket)/holds/second")
            expectError(wait, .tooManyRequests, "not_released_yet")
            #expect(Int(wait.headers[.retryAfter] ?? "") ?? 0 >= 1)

            let huge = String(repeating: " ", count: 16 * 1024 + 1)
            expectError(
                try await client.call(.put, "/v1/skus/\(sku)/holds/big", body: "{}" + huge),
                .contentTooLarge,
                "payload_too_large"
            )
        }
        for id in [sku, limited, later, bucket] { #expect(try await inventory.sku(id).isBalanced) }
    }

    @Test func unreachableRedisIsServiceUnavailableWithRetryAfter() async throws {
        let inventory = try await TestServer.inventory(url: "redis://127.0.0.1:1/0", retryBudget: .milliseconds(200))
        try await TestServer.application(inventory).test(.router) { client in
            let hold = try await client.call(.put, "/v1/skus/any/holds/o1", token: TestServer.apiToken)
            #expect(hold.status == .serviceUnavailable && errorCode(hold) == "unavailable")
            #expect(Int(hold.headers[.retryAfter] ?? "") ?? 0 >= 1)
            let ready = try await client.call(.get, "/health/ready", token: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect(try await client.call(.get, "/health/live", token: nil).status == .ok)
        }
    }
}
