import Foundation
import HotStockCore
import HotStockServer
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import Prometheus
import RedisClient
import ServiceLifecycle
import Testing

/// Builds the real application on the test Redis (ops/dev.sh test exports its URL).
enum TestServer {
    static let apiToken = "test-api-token"
    static let adminToken = "test-admin-token"
    static let logger = Logger(label: "hotstock.server.tests")

    /// The code key of the run (`HOTSTOCK_CODE_KEY`), or a key of the tests' own.
    static let codeSealer: CodeSealer = {
        let fallback = "tk:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
        let text: String = ProcessInfo.processInfo.environment["HOTSTOCK_CODE_KEY"] ?? fallback
        guard let ring = try? CodeKeyRing(current: text) else { preconditionFailure("HOTSTOCK_CODE_KEY is malformed") }
        return CodeSealer(ring: ring)
    }()

    /// One metrics registry for the whole test process (the metrics system is global).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static var redisURL: String {
        ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_URL"] ?? "redis://hotstock:hotstock-dev@127.0.0.1:16380/0"
    }

    /// An engine on the test Redis; a `namespace` of its own keeps a test that syncs or
    /// sweeps apart from the others.
    static func inventory(url: String = redisURL, namespace: String? = nil, retryBudget: Duration = .seconds(2))
        async throws -> Inventory
    {
        var configuration = try RedisConfiguration(url: url)
        configuration.connectTimeout = .milliseconds(500)
        let inventory = Inventory(
            redis: RedisConnectionPool(configuration: configuration, logger: logger),
            configuration: InventoryConfiguration(
                keySpace: KeySpace(namespace: namespace),
                retryBudget: retryBudget,
                codeSealer: codeSealer
            ),
            logger: logger
        )
        try? await inventory.prepare()
        return inventory
    }

    /// The application `hotstock serve` runs, on `inventory` (and `cold`, which adds the
    /// syncer); the sweeper runs only when asked, so tests see holds expire only by
    /// their own calls.
    static func application(
        _ inventory: Inventory,
        cold: ColdStore? = nil,
        runsSweeper: Bool = false,
        tokenRate: Double? = nil,
        buyerRate: Double? = nil,
        requestReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        soldOutGateLapse: Duration? = .seconds(1),
        logger: Logger = TestServer.logger
    ) -> some ApplicationProtocol {
        buildApplication(
            configuration: ServerConfiguration(
                host: "127.0.0.1",
                port: 0,
                apiToken: apiToken,
                adminToken: adminToken,
                tokenRate: tokenRate,
                buyerRate: buyerRate,
                requestReadTimeout: requestReadTimeout,
                idleTimeout: idleTimeout,
                runsSweeper: runsSweeper,
                soldOutGateLapse: soldOutGateLapse
            ),
            engine: HotStockEngine(inventory: inventory, cold: cold, logger: logger),
            registry: registry,
            logger: logger
        )
    }

    static func uniqueSKU(_ name: String = "http") -> String { "\(name)-\(UUID().uuidString.prefix(13))" }
}

/// A decoded JSON response body.
func json(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
}

/// The contract error code of a response, if it is an error body.
func errorCode(_ response: TestResponse) -> String? {
    (json(response)["error"] as? [String: Any])?["code"] as? String
}

extension TestClientProtocol {
    /// Sends a request with a bearer token and an optional JSON body.
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String? = TestServer.adminToken,
        body: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(
            uri: path,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        )
    }
}

extension TestClient {
    /// Sends a request with the API token over this live connection; returns the status
    /// and the contract error code, if any.
    func hold(_ path: String) async throws -> (status: Int, code: String?) {
        let response = try await execute(
            TestClient.Request(
                path,
                method: .put,
                authority: "127.0.0.1",
                headers: [.authorization: "Bearer \(TestServer.apiToken)"]
            )
        )
        let body = response.body.map { Data($0.readableBytesView) } ?? Data()
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        return (response.status.code, (object?["error"] as? [String: Any])?["code"] as? String)
    }
}
