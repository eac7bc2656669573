import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The code pool routes of DESIGN section 5b over HTTP.
@Suite("Code pool routes")
struct CodeRouteTests {
    static func batch(_ id: String, _ codes: [String]) -> String {
        let list = codes.map { "\"\($0)\"" }.joined(separator: ",")
        return "{\"batch\": \"\(id)\", \"codes\": [\(list)]}"
    }

    @Test func loadHoldConfirmAndFetchTheSameCodesEveryTime() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("codes")
        let run = UUID().uuidString.prefix(8)
        let loaded = (0..<5).map { "GIFT-TEST-\(run)-\($0)" }
        try await TestServer.application(inventory).test(.router) { client in
            let created = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"kind": "codes"}"#)
            #expect(created.status == .ok && json(created)["kind"] as? String == "codes")
            #expect(json(created)["total"] as? Int == 0)
            let load = try await client.call(
                .post,
                "/v1/skus/\(sku)/codes",
                body: Self.batch("b1", loaded + [loaded[0]])
            )
            #expect(load.status == .ok)
            #expect(json(load)["added"] as? Int == 5 && json(load)["duplicates"] as? Int == 1)
            #expect(json(load)["total"] as? Int == 5 && json(load)["batch"] as? String == "b1")
            // The same batch again: the same body, nothing added.
            let again = try await client.call(
                .post,
                "/v1/skus/\(sku)/codes",
                body: Self.batch("b1", loaded + [loaded[0]])
            )
            #expect(again.status == .ok && String(buffer: again.body) == String(buffer: load.body))
            let conflict = try await client.call(.post, "/v1/skus/\(sku)/codes", body: Self.batch("b1", ["OTHER-1"]))
            #expect(conflict.status.code == 422 && errorCode(conflict) == "idempotency_conflict")
            // Only the admin token loads codes.
            let api = try await client.call(
                .post,
                "/v1/skus/\(sku)/codes",
                token: TestServer.apiToken,
                body: Self.batch("b2", ["X-1"])
            )
            #expect(api.status == .unauthorized)

            let hold = try await client.call(
                .put,
                "/v1/skus/\(sku)/holds/o1",
                token: TestServer.apiToken,
                body: #"{"qty": 2}"#
            )
            #expect(hold.status == .created && json(hold)["codes_count"] is NSNull)
            let early = try await client.call(.get, "/v1/skus/\(sku)/holds/o1/codes", token: TestServer.apiToken)
            #expect(early.status == .conflict && errorCode(early) == "hold_not_confirmed")
            let confirm = try await client.call(.post, "/v1/skus/\(sku)/holds/o1/confirm", token: TestServer.apiToken)
            #expect(confirm.status == .ok && json(confirm)["codes_count"] as? Int == 2)
            let fetched = try await client.call(.get, "/v1/skus/\(sku)/holds/o1/codes", token: TestServer.apiToken)
            #expect(fetched.status == .ok && fetched.headers[.cacheControl] == "no-store")
            let codes = json(fetched)["codes"] as? [String] ?? []
            #expect(codes.count == 2 && Set(codes).isSubset(of: Set(loaded)))
            let first = json(fetched)["first_delivered_at_ms"] as? Int
            let refetched = try await client.call(.get, "/v1/skus/\(sku)/holds/o1/codes", token: TestServer.apiToken)
            #expect(
                json(refetched)["codes"] as? [String] == codes
                    && json(refetched)["first_delivered_at_ms"] as? Int == first
            )
            let read = try await client.call(.get, "/v1/skus/\(sku)/holds/o1", token: TestServer.apiToken)
            #expect(json(read)["codes_count"] as? Int == 2)
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.sold == 2 && snapshot.available == 3)
        #expect(try await inventory.poolSize(sku: sku) == 3)
    }

    @Test func badBatchesGetTheContractsErrorAndLoadNothing() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("codes")
        let counted = TestServer.uniqueSKU("counted")
        _ = try await inventory.setSKU(sku, SKUUpdate(kind: .codes))
        _ = try await inventory.setSKU(counted, SKUUpdate(total: 5))
        try await TestServer.application(inventory).test(.router) { client in
            let tooMany = (0..<10_001).map { "C\($0)" }
            let bad: [(String, Int, String)] = [
                (#"{"batch": "b1", "codes": ["OK-1", "BAD\nLINE"]}"#, 400, "invalid_argument"),
                (Self.batch("b1", [String(repeating: "x", count: 300)]), 400, "invalid_argument"),
                (Self.batch("b1", tooMany), 400, "invalid_argument"),
                (Self.batch("b1", []), 400, "invalid_argument"),
                (Self.batch("b1", ["with space"]), 400, "invalid_argument"),
                (#"{"batch": "b1", "codes": [1, 2]}"#, 400, "invalid_argument"),
                (#"{"batch": "a/b", "codes": ["X"]}"#, 400, "invalid_argument"),
                (#"{"codes": ["X"]}"#, 400, "invalid_argument"),
                (#"{"batch": "b1", "codes": ["X"], "extra": 1}"#, 400, "invalid_argument"),
            ]
            for (body, status, code) in bad {
                let response = try await client.call(.post, "/v1/skus/\(sku)/codes", body: body)
                #expect(response.status.code == status && errorCode(response) == code, "\(body.prefix(60))")
            }
            let onCounted = try await client.call(.post, "/v1/skus/\(counted)/codes", body: Self.batch("b1", ["X-1"]))
            #expect(onCounted.status == .conflict && errorCode(onCounted) == "not_a_code_sku")
            let missing = try await client.call(
                .post,
                "/v1/skus/\(TestServer.uniqueSKU())/codes",
                body: Self.batch("b1", ["X"])
            )
            #expect(missing.status == .notFound && errorCode(missing) == "sku_not_found")
            let huge = Self.batch("b1", ["X-1"]) + String(repeating: " ", count: 4 * 1024 * 1024)
            let tooLarge = try await client.call(.post, "/v1/skus/\(sku)/codes", body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            for body in [#"{"total": 5}"#, #"{"kind": "counted"}"#] {
                let change = try await client.call(.put, "/v1/skus/\(sku)", body: body)
                #expect(change.status == .badRequest, "\(body)")
            }
            let counts = try await client.call(.get, "/v1/skus/\(counted)/holds/none/codes", token: TestServer.apiToken)
            #expect(counts.status == .notFound)
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.total == 0 && snapshot.version == 1)
        #expect(try await inventory.poolSize(sku: sku) == 0)
        #expect(try await inventory.sku(counted).total == 5)
    }
}
