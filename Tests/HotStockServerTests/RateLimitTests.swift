import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Per-client rate limits")
struct RateLimitTests {
    @Test func aFloodFromOneBuyerGets429WhileOtherBuyersSucceed() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("flood")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 1_000))
        try await TestServer.application(inventory, buyerRate: 2).test(.router) { client in
            var scalper: [Int: Int] = [:]
            var retryAfter: [String] = []
            for index in 0..<50 {
                let response = try await client.call(
                    .put,
                    "/v1/skus/\(sku)/holds/s\(index)",
                    token: TestServer.apiToken,
                    body: #"{"buyer": "scalper"}"#
                )
                scalper[response.status.code, default: 0] += 1
                if response.status == .tooManyRequests {
                    #expect(errorCode(response) == "rate_limited")
                    retryAfter.append(response.headers[.retryAfter] ?? "")
                }
            }
            #expect((scalper[201] ?? 0) <= 5 && (scalper[429] ?? 0) >= 45, "\(scalper)")
            #expect(retryAfter.allSatisfy { (Int($0) ?? 0) >= 1 })
            // Everyone else buys at their normal pace.
            for buyer in 0..<20 {
                let response = try await client.call(
                    .put,
                    "/v1/skus/\(sku)/holds/b\(buyer)",
                    token: TestServer.apiToken,
                    body: "{\"buyer\": \"fan\(buyer)\"}"
                )
                #expect(response.status == .created)
            }
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.held <= 25)
    }

    @Test func aTokenSendingFasterThanItsRateGets429() async throws {
        let inventory = try await TestServer.inventory()
        try await TestServer.application(inventory, tokenRate: 5).test(.router) { client in
            var limited = 0
            for _ in 0..<40 {
                let response = try await client.call(.get, "/v1/skus/none-here", token: TestServer.apiToken)
                if response.status == .tooManyRequests { limited += 1 }
            }
            #expect(limited >= 25)
            // The limit is per token: the admin token still gets through.
            #expect(try await client.call(.get, "/v1/skus/none-here").status == .notFound)
        }
    }
}
