import Foundation
import HotStockCore
import HotStockServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("openapi.yaml stays true")
struct OpenAPIConformanceTests {
    /// One exchange: the documented path template, the method, and what came back.
    struct Exchange: Sendable {
        var template: String
        var method: HTTPRequest.Method
        var response: TestResponse
    }

    @Test func realResponsesMatchTheServedDocument() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("openapi")
        let (exchanges, yaml) = try await TestServer.application(inventory).test(.router) { client in
            var exchanges: [Exchange] = []
            func record(
                _ method: HTTPRequest.Method,
                _ template: String,
                _ path: String,
                token: String? = TestServer.adminToken,
                body: String? = nil
            ) async throws {
                let response = try await client.call(method, path, token: token, body: body)
                exchanges.append(Exchange(template: template, method: method, response: response))
            }
            let yaml = String(buffer: try await client.call(.get, "/openapi.yaml", token: nil).body)

            let skuPath = "/v1/skus/{sku}"
            let holdPath = "/v1/skus/{sku}/holds/{order}"
            try await record(
                .put,
                skuPath,
                "/v1/skus/\(sku)",
                body: #"{"total": 3, "release_rate": 2.5, "opens_at_ms": 1}"#
            )
            try await record(
                .put,
                skuPath,
                "/v1/skus/\(sku)",
                body: #"{"total": 3, "release_rate": null, "opens_at_ms": null}"#
            )
            try await record(.put, skuPath, "/v1/skus/\(sku)", body: #"{"total": -3}"#)
            try await record(.put, skuPath, "/v1/skus/\(sku)", token: TestServer.apiToken, body: #"{"total": 3}"#)
            try await record(.get, skuPath, "/v1/skus/\(sku)")
            try await record(.get, skuPath, "/v1/skus/missing-\(sku)")
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/a", body: #"{"qty": 2, "buyer": "u1"}"#)
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/a", body: #"{"qty": 2, "buyer": "u1"}"#)
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/a", body: #"{"qty": 1}"#)
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/b", body: #"{"qty": 2}"#)
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/c", body: #"{"qty": "x"}"#)
            try await record(.get, holdPath, "/v1/skus/\(sku)/holds/a")
            try await record(.get, holdPath, "/v1/skus/\(sku)/holds/none")
            try await record(.post, holdPath + "/confirm", "/v1/skus/\(sku)/holds/a/confirm")
            try await record(.post, holdPath + "/confirm", "/v1/skus/\(sku)/holds/none/confirm")
            try await record(.post, holdPath + "/release", "/v1/skus/\(sku)/holds/a/release")
            try await record(.put, holdPath, "/v1/skus/\(sku)/holds/d")
            try await record(.post, holdPath + "/release", "/v1/skus/\(sku)/holds/d/release")
            try await record(.post, holdPath + "/confirm", "/v1/skus/\(sku)/holds/d/confirm")
            let orderPath = "/v1/orders/{order}"
            let lines = #"{"lines": [{"sku": "\#(sku)", "qty": 1}, {"sku": "\#(sku)-x"}], "buyer": "u2"}"#
            try await record(.put, skuPath, "/v1/skus/\(sku)-x", body: #"{"total": 1}"#)
            try await record(.put, orderPath, "/v1/orders/\(sku)-o1", body: lines)
            try await record(.put, orderPath, "/v1/orders/\(sku)-o1", body: lines)
            try await record(.get, orderPath, "/v1/orders/\(sku)-o1")
            try await record(.put, orderPath, "/v1/orders/\(sku)-o2", body: lines)
            try await record(.get, orderPath, "/v1/orders/\(sku)-o2")
            try await record(.put, orderPath, "/v1/orders/\(sku)-o3", body: #"{"lines": []}"#)
            try await record(.post, orderPath + "/confirm", "/v1/orders/\(sku)-o1/confirm", body: "{}")
            try await record(.post, orderPath + "/release", "/v1/orders/\(sku)-o1/release")
            try await record(.get, orderPath, "/v1/orders/\(sku)-none")
            for path in ["/health/live", "/health/ready"] { try await record(.get, path, path, token: nil) }
            return (exchanges, yaml)
        }
        let openAPI = try OpenAPIDocument(yaml: yaml)
        #expect(exchanges.count > 20)
        for exchange in exchanges {
            let headers = Dictionary(
                exchange.response.headers.map { ($0.name.canonicalName, $0.value) },
                uniquingKeysWith: { first, _ in first }
            )
            let problems = openAPI.problems(
                path: exchange.template,
                method: exchange.method.rawValue.lowercased(),
                status: exchange.response.status.code,
                body: Data(exchange.response.body.readableBytesView),
                headers: headers
            )
            #expect(problems.isEmpty, "\(problems)")
        }
        // Every documented error code is one HotStock knows.
        let codes = Set(InventoryError.Code.httpCodes.map(\.rawValue))
        let schema = ((openAPI.root["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Error"]
        let documented =
            (((((schema as? [String: Any])?["properties"] as? [String: Any])?["error"] as? [String: Any])?["properties"]
            as? [String: Any])?["code"] as? [String: Any])?["enum"] as? [String] ?? []
        #expect(Set(documented).isSubset(of: codes) && !documented.isEmpty)
    }
}
