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
        let heldByScalper = try await TestServer.application(inventory, buyerRate: 2).test(.router) { client in
            var scalper: [Int: Int] = [:]
            var retryAfter: [String] = []
            let started = ContinuousClock.now
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
            // At 2 holds/s with bursts of 4, the flood may pass at most 4 + 2/s of its duration
            // (however slowly a busy machine sends it), and everything else is 429.
            let allowed = 4 + Int(2 * seconds(ContinuousClock.now - started)) + 1
            #expect((scalper[201] ?? 0) <= allowed && (scalper[201] ?? 0) + (scalper[429] ?? 0) == 50, "\(scalper)")
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
            return scalper[201] ?? 0
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.held == Int64(20 + heldByScalper))
    }

    @Test func aTokenSendingFasterThanItsRateGets429() async throws {
        let inventory = try await TestServer.inventory()
        try await TestServer.application(inventory, tokenRate: 5).test(.router) { client in
            var limited = 0
            let started = ContinuousClock.now
            for _ in 0..<40 {
                let response = try await client.call(.get, "/v1/skus/none-here", token: TestServer.apiToken)
                if response.status == .tooManyRequests { limited += 1 }
            }
            // 5/s with bursts of 10: at most 10 + 5/s of the loop's duration get through.
            #expect(40 - limited <= 10 + Int(5 * seconds(ContinuousClock.now - started)) + 1)
            // The limit is per token: the admin token still gets through.
            #expect(try await client.call(.get, "/v1/skus/none-here").status == .notFound)
        }
    }
}

/// A duration in seconds.
private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
