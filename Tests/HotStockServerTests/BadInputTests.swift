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
}
