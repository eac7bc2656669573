import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Drives a running `hotstock serve` over HTTP/1.1 keep-alive connections.
struct HTTPDriver: LoadDriver {
    let client: HTTPClient
    let baseURL: String
    let token: String
    var target: String { baseURL }

    /// A driver with up to `connections` keep-alive connections to `baseURL`.
    static func make(baseURL: String, token: String, connections: Int) -> HTTPDriver {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: connections
        )
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        return HTTPDriver(
            client: client,
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
            token: token
        )
    }

    func hold(sku: String, order: String, qty: Int64, buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        var body = "{\"qty\": \(qty), \"ttl_ms\": \(ttlMs)"
        if let buyer { body += ", \"buyer\": \"\(buyer)\"" }
        body += "}"
        return placed(await send(.PUT, "/v1/skus/\(sku)/holds/\(order)", body: body))
    }

    func confirm(sku: String, order: String) async -> DriverOutcome {
        settled(await send(.POST, "/v1/skus/\(sku)/holds/\(order)/confirm", body: nil), as: "confirmed")
    }

    func release(sku: String, order: String) async -> DriverOutcome {
        settled(await send(.POST, "/v1/skus/\(sku)/holds/\(order)/release", body: nil), as: "released")
    }

    func codes(sku: String, order: String) async -> [String]? {
        var request = HTTPClientRequest(url: baseURL + "/v1/skus/\(sku)/holds/\(order)/codes")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        guard let response = try? await client.execute(request, timeout: .seconds(15)), response.status == .ok,
            let bytes = try? await response.body.collect(upTo: 1024 * 1024)
        else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
        return object?["codes"] as? [String]
    }

    func placeOrder(order: String, lines: [CartLine], buyer: String?, ttlMs: Int64) async -> DriverOutcome {
        let items = lines.map { "{\"sku\": \"\($0.sku)\", \"qty\": \($0.qty)}" }.joined(separator: ", ")
        var body = "{\"lines\": [\(items)], \"ttl_ms\": \(ttlMs)"
        if let buyer { body += ", \"buyer\": \"\(buyer)\"" }
        body += "}"
        return placed(await send(.PUT, "/v1/orders/\(order)", body: body))
    }

    func confirmOrder(order: String) async -> DriverOutcome {
        settled(await send(.POST, "/v1/orders/\(order)/confirm", body: nil), as: "confirmed")
    }

    func releaseOrder(order: String) async -> DriverOutcome {
        settled(await send(.POST, "/v1/orders/\(order)/release", body: nil), as: "released")
    }

    /// Creates or resets a SKU through the admin route.
    func putSKU(_ sku: String, json: String, adminToken: String) async throws {
        var request = HTTPClientRequest(url: baseURL + "/v1/skus/\(sku)")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(adminToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw ScenarioError("PUT /v1/skus/\(sku) answered \(response.status)") }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// A hold's or an order's placement: `held` (201), `repeated` (200), or the refusal.
    private func placed(_ response: Answer) -> DriverOutcome {
        switch response.status {
        case 201: DriverOutcome(code: "held", state: response.state)
        case 200: DriverOutcome(code: "repeated", state: response.state)
        default: DriverOutcome(code: response.code)
        }
    }

    /// A confirm's or a release's answer: `code` (200) or the refusal.
    private func settled(_ response: Answer, as code: String) -> DriverOutcome {
        response.status == 200 ? DriverOutcome(code: code, state: response.state) : DriverOutcome(code: response.code)
    }

    private struct Answer {
        var status: UInt
        var code: String
        var state: String?
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let bytes = try await response.body.collect(upTo: 64 * 1024)
            let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
            let code = (object?["error"] as? [String: Any])?["code"] as? String ?? "http_\(response.status.code)"
            return Answer(status: response.status.code, code: code, state: object?["state"] as? String)
        } catch {
            return Answer(status: 0, code: "transport")
        }
    }
}
