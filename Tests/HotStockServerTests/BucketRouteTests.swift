import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

/// DESIGN section 12 over HTTP: `buckets` on a SKU, and the contract of one SKU kept.
@Suite("Buckets over HTTP")
struct BucketRouteTests {
    @Test func aSKUCreatedWithBucketsKeepsTheContractOfOneSKU() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("buckets")
        try await TestServer.application(inventory).test(.router) { client in
            let body = #"{"total": 12, "buckets": 4, "max_qty": 5}"#
            let created = try await client.call(.put, "/v1/skus/\(sku)", body: body)
            #expect(created.status == .ok)
            #expect(json(created)["buckets"] as? Int == 4 && json(created)["total"] as? Int == 12)
            #expect(json(created)["available"] as? Int == 12)
            // The same PUT again answers the same; a change is refused, for now, and changes nothing.
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: body).status == .ok)
            let changed = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 20}"#)
            #expect(changed.status == .badRequest && errorCode(changed) == "invalid_argument")
            for index in 0..<4 {
                let hold = try await client.call(
                    .put,
                    "/v1/skus/\(sku)/holds/o\(index)",
                    token: TestServer.apiToken,
                    body: #"{"qty": 3}"#
                )
                #expect(hold.status == .created && json(hold)["sku"] as? String == sku)
            }
            let late = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/late",
                token: TestServer.apiToken,
                body: #"{"qty": 1}"#
            )
            #expect(late.status.code == 409 && errorCode(late) == "sold_out")
            let paid = try await client.call(.post, "/v1/skus/\(sku)/holds/o2/confirm", token: TestServer.apiToken)
            #expect(paid.status == .ok && json(paid)["state"] as? String == "confirmed")
            let read = try await client.call(.get, "/v1/skus/\(sku)")
            #expect(json(read)["buckets"] as? Int == 4 && json(read)["held"] as? Int == 9)
            #expect(json(read)["sold"] as? Int == 3 && json(read)["available"] as? Int == 0)
        }
    }

    @Test(arguments: [
        #"{"kind": "codes", "buckets": 2}"#, #"{"total": 5, "buckets": 0}"#, #"{"total": 5, "buckets": 65}"#,
        #"{"total": 5, "buckets": 2.5}"#, #"{"total": 5, "buckets": "2"}"#,
    ])
    func bucketsOutsideTheRulesAreRefusedAndCreateNothing(body: String) async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("bad-buckets")
        try await TestServer.application(inventory).test(.router) { client in
            let response = try await client.call(.put, "/v1/skus/\(sku)", body: body)
            #expect(response.status == .badRequest && errorCode(response) == "invalid_argument", "\(body)")
            #expect(try await client.call(.get, "/v1/skus/\(sku)").status == .notFound)
        }
    }

    @Test func theBucketsOfASKUThatExistsChangeAndItsStockStaysWhole() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("late-buckets")
        try await TestServer.application(inventory).test(.router) { client in
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 5}"#).status == .ok)
            let held = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/early",
                token: TestServer.apiToken,
                body: "{}"
            )
            #expect(held.status == .created)
            for buckets in [3, 1, 4] {
                let spread = try await client.call(
                    .put,
                    "/v1/skus/\(sku)",
                    body: #"{"total": 5, "buckets": \#(buckets)}"#
                )
                #expect(spread.status == .ok && json(spread)["buckets"] as? Int == buckets)
                #expect(json(spread)["total"] as? Int == 5 && json(spread)["held"] as? Int == 1)
                #expect(json(spread)["available"] as? Int == 4)
            }
            // Another change beside the count is refused and changes nothing.
            let both = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 9, "buckets": 2}"#)
            #expect(both.status == .badRequest && errorCode(both) == "invalid_argument")
            #expect(json(try await client.call(.get, "/v1/skus/\(sku)"))["buckets"] as? Int == 4)
            // The hold placed before every change is still the same hold.
            let again = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/early",
                token: TestServer.apiToken,
                body: "{}"
            )
            #expect(again.status == .ok && json(again)["state"] as? String == "held")
            let paid = try await client.call(.post, "/v1/skus/\(sku)/holds/early/confirm", token: TestServer.apiToken)
            #expect(paid.status == .ok)
            let read = json(try await client.call(.get, "/v1/skus/\(sku)"))
            #expect(read["sold"] as? Int == 1 && read["held"] as? Int == 0 && read["available"] as? Int == 4)
        }
    }
}
