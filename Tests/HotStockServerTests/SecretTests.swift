import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import Logging
import RedisClient
import Testing

/// Passwords and tokens never reach a log line, an error body or `/metrics`, even when
/// every request fails: wrong tokens, an unreachable Redis whose URL holds a password.
@Suite("Secrets stay secret")
struct SecretTests {
    static let redisPassword = "redis-pass-never-logged-7"
    static let wrongToken = "wrong-token-never-logged-7"

    @Test func noSecretInLogsErrorBodiesOrMetrics() async throws {
        let lines = CapturingLogHandler.Lines()
        let logger = CapturingLogHandler.logger("hotstock.secrets", into: lines)
        var configuration = try RedisConfiguration(url: "redis://hotstock:\(Self.redisPassword)@127.0.0.1:1/0")
        configuration.connectTimeout = .milliseconds(200)
        let unreachable = Inventory(
            redis: RedisConnectionPool(configuration: configuration, logger: logger),
            configuration: InventoryConfiguration(retryBudget: .milliseconds(300)),
            logger: logger
        )
        let bodies = try await TestServer.application(unreachable, logger: logger).test(.router) { client in
            var bodies: [String] = []
            let requests: [(HTTPRequest.Method, String, String?, String?)] = [
                (.put, "/v1/skus/s1/holds/o1", TestServer.apiToken, #"{"qty": 1}"#),
                (.get, "/v1/skus/s1", TestServer.apiToken, nil),
                (.put, "/v1/skus/s1", TestServer.adminToken, #"{"total": 5}"#),
                (.put, "/v1/skus/s1/holds/o1", Self.wrongToken, #"{"qty": 1}"#),
                (.put, "/v1/skus/s1", TestServer.apiToken, #"{"total": 5}"#),
                (.get, "/health/ready", nil, nil),
            ]
            for (method, path, token, body) in requests {
                let response = try await client.call(method, path, token: token, body: body)
                #expect(response.status.code == 503 || response.status.code == 401, "\(path) → \(response.status)")
                bodies.append(String(buffer: response.body) + "\(response.headers)")
            }
            let metrics = try await client.call(.get, "/metrics", token: nil)
            bodies.append(String(buffer: metrics.body))
            return bodies
        }
        let logged = lines.all
        #expect(logged.contains { $0.contains("127.0.0.1:1") }, "the outage was logged")
        for secret in [Self.redisPassword, Self.wrongToken, TestServer.apiToken, TestServer.adminToken] {
            #expect(!logged.contains { $0.contains(secret) }, "a log line holds a secret")
            #expect(!bodies.contains { $0.contains(secret) }, "a response holds a secret")
        }
    }
}
