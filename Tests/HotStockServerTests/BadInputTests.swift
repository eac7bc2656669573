import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Hostile and malformed HTTP input")
struct HTTPBadInputTests {
    static let holdBodies = [
        "{", "[]", "null", "\"text\"", "42", #"{"qty": 0}"#, #"{"qty": -1}"#, #"{"qty": 1.5}"#, #"{"qty": "1"}"#,
        #"{"qty": true}"#, #"{"qty": 9223372036854775808}"#, #"{"qty": 1e400}"#, #"{"qty": null, "x": 1}"#,
        #"{"qty": 1001}"#, #"{"ttl_ms": 999}"#, #"{"ttl_ms": 86400001}"#, #"{"ttl_ms": "60000"}"#,
        #"{"buyer": "a/b"}"#, #"{"buyer": ""}"#, #"{"buyer": 42}"#, #"{"colour": "red"}"#,
        "{\"buyer\": \"\(String(repeating: "b", count: 65))\"}", #"{"qty": -0.0}"#, #"{"qty": 1}{"qty": 2}"#,
        #"{"qty": 1, "qty": 2}"#,
    ]

    @Test func badHoldRequestsAreRejectedAndMoveNoCounter() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("bad")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 5))
        let before = try await inventory.sku(sku)
        try await TestServer.application(inventory).test(.router) { client in
            for body in Self.holdBodies {
                let response = try await client.call(
                    .put,
                    "/v1/skus/\(sku)/holds/o1",
                    token: TestServer.apiToken,
                    body: body
                )
                #expect(
                    response.status == .badRequest && errorCode(response) == "invalid_argument",
                    "\(body) → \(response.status)"
                )
            }
            let badPaths = [
                "/v1/skus/\(sku)/holds/a%2Fb", "/v1/skus/\(sku)/holds/\(String(repeating: "o", count: 65))",
                "/v1/skus/%F0%9F%92%A5/holds/o1", "/v1/skus/\(sku)/holds/%20",
            ]
            for path in badPaths {
                let response = try await client.call(.put, path, token: TestServer.apiToken)
                #expect(response.status.code / 100 == 4, "\(path) → \(response.status)")
            }
            for body in ["{", #"{"reacquire": "yes"}"#, #"{"reacquire": 1}"#, #"{"other": true}"#] {
                let response = try await client.call(
                    .post,
                    "/v1/skus/\(sku)/holds/o1/confirm",
                    token: TestServer.apiToken,
                    body: body
                )
                #expect(response.status == .badRequest || response.status == .notFound, "\(body)")
            }
            let skuBodies = [
                "{}", #"{"total": -1}"#, #"{"total": 1.5}"#, #"{"total": "10"}"#, #"{"total": 10, "max_qty": 0}"#,
                #"{"total": 10, "release_rate": 2}"#, #"{"total": 10, "release_rate": -1, "opens_at_ms": 1}"#,
                #"{"total": 10, "kind": "codes"}"#, #"{"total": 10, "default_ttl_ms": 5}"#,
                #"{"total": 10, "surprise": 1}"#,
                #"{"total": 1000000000001}"#,
            ]
            for body in skuBodies {
                let response = try await client.call(.put, "/v1/skus/\(sku)", body: body)
                #expect(response.status == .badRequest && errorCode(response) == "invalid_argument", "\(body)")
            }
            for token in [nil, "", "Bearer", TestServer.apiToken + "x", String(TestServer.adminToken.dropLast())] {
                let response = try await client.call(.put, "/v1/skus/\(sku)/holds/o1", token: token)
                #expect(response.status == .unauthorized, "\(String(describing: token))")
            }
            let oversized = "{\"qty\": 1, \"buyer\": \"\(String(repeating: "x", count: 17_000))\"}"
            let large = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/o1",
                token: TestServer.apiToken,
                body: oversized
            )
            #expect(large.status == .contentTooLarge)
        }
        #expect(try await inventory.sku(sku) == before)
    }

    /// Values that break naive parsers, put into every field and every id of every route.
    static let nastyNumbers = [
        "NaN", "Infinity", "-Infinity", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "1e3", "1E3", "\"1e3\"", "-0", "-0.0", "0x10", "1_000", "+1", ".5", "1.", "00", "[]", "{}", "null", "true",
        "\"\"", "\"\\u0000\"", "1e-400", "123456789012345678901234567890",
    ]
    static let nastyIDs = [
        "%C3%A9t%C3%A9", "%F0%9F%92%A5", "%E2%80%AE", "%E2%80%8B", "%00", "a%20b", "a%2Fb",
        "%FF", "a%0Ab", "a%0D%0AX-Injected:%201", String(repeating: "i", count: 8 * 1024), "%25", "*", "a%3Fb",
    ]

    @Test func nastyValuesInEveryFieldAndIDGetAContractErrorAndMoveNothing() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("nasty")
        let soldOut = TestServer.uniqueSKU("nasty0")
        let scratch = TestServer.uniqueSKU("nasty-total")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 5))
        _ = try await inventory.setSKU(soldOut, SKUUpdate(total: 0))
        _ = try await inventory.placeHold(sku: sku, order: "kept")
        let before = try await inventory.sku(sku)
        let skuFields = [
            "per_buyer_limit", "opens_at_ms", "release_rate", "release_burst", "default_ttl_ms", "max_qty",
        ]
        try await TestServer.application(inventory).test(.router) { client in
            var calls = 0
            func check(_ method: HTTPRequest.Method, _ path: String, _ token: String, _ body: String?) async throws {
                let response = try await client.call(method, path, token: token, body: body)
                calls += 1
                let label = "\(method) \(path.prefix(60)) \(body ?? "") → \(response.status)"
                #expect(response.status.code < 500, "\(label)")
                if response.status.code >= 400 { #expect(errorCode(response) != nil, "\(label): no error body") }
            }
            for value in Self.nastyNumbers {
                // A hold on a sold-out SKU, and totals below what the kept hold holds: even a
                // value that parsed could not move a unit.
                for field in ["qty", "ttl_ms", "buyer"] {
                    try await check(
                        .put,
                        "/v1/skus/\(soldOut)/holds/n1",
                        TestServer.apiToken,
                        "{\"\(field)\": \(value)}"
                    )
                }
                for field in skuFields {
                    try await check(
                        .put,
                        "/v1/skus/\(sku)",
                        TestServer.adminToken,
                        "{\"total\": 0, \"\(field)\": \(value)}"
                    )
                }
                // `1e3` is the JSON number 1000: a valid total, so totals go to a scratch SKU.
                try await check(.put, "/v1/skus/\(scratch)", TestServer.adminToken, "{\"total\": \(value)}")
                try await check(.put, "/v1/skus/\(sku)", TestServer.adminToken, "{\"total\": 0, \"kind\": \(value)}")
                try await check(
                    .post,
                    "/v1/skus/\(sku)/holds/none/confirm",
                    TestServer.apiToken,
                    "{\"reacquire\": \(value)}"
                )
            }
            for id in Self.nastyIDs {
                for path in ["/v1/skus/\(id)", "/v1/skus/\(id)/holds/o1", "/v1/skus/\(sku)/holds/\(id)"] {
                    try await check(.get, path, TestServer.adminToken, nil)
                    let body = path.contains("/holds/") ? #"{"qty": 1}"# : #"{"total": 1}"#
                    try await check(.put, path, TestServer.adminToken, body)
                }
                for action in ["confirm", "release"] {
                    try await check(.post, "/v1/skus/\(sku)/holds/\(id)/\(action)", TestServer.apiToken, nil)
                }
                let buyer = try await client.call(
                    .put,
                    "/v1/skus/\(sku)/holds/b1",
                    token: TestServer.apiToken,
                    body: "{\"buyer\": \"\(id)\"}"
                )
                #expect(buyer.status == .badRequest, "buyer \(id.prefix(40)) → \(buyer.status)")
            }
            #expect(calls > 400)
        }
        // No nasty id is a valid id and no nasty value a valid change: nothing moved.
        #expect(try await inventory.sku(sku) == before)
        #expect(try await inventory.sku(soldOut).total == 0)
        #expect(try await inventory.sku(scratch).isBalanced)
        #expect(try await inventory.hold(sku: sku, order: "kept").state == .held)
    }
}
