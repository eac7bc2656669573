import Foundation
import HotStockCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

/// Slow-loris clients: a body or a head trickled in a byte at a time must not hold a
/// request (or the server) hostage.
@Suite("Slow clients")
struct SlowClientTests {
    /// A raw TCP connection that writes `head`, then `drip` every `interval` (up to
    /// `drips` times) while reading whatever the server answers; returns the answer and
    /// when the server closed the connection (`nil`: still open 10 s after the last drip).
    static func trickle(
        port: Int,
        head: String,
        drip: String,
        interval: Duration = .milliseconds(200),
        drips: Int = 40
    ) async throws -> (answer: String, closedAfter: Duration?) {
        let started = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: (String, Duration?)?.self) { group in
                group.addTask {
                    // The writer fails once the server has closed the connection.
                    try? await outbound.write(ByteBuffer(string: head))
                    for _ in 0..<drips {
                        try? await Task.sleep(for: interval)
                        guard (try? await outbound.write(ByteBuffer(string: drip))) != nil else { break }
                    }
                    return nil
                }
                group.addTask {
                    var answer = ""
                    // A reset counts as closed too (what was read before it stays).
                    do {
                        for try await buffer in inbound { answer += String(buffer: buffer) }
                    } catch {}
                    return (answer, ContinuousClock.now - started)
                }
                group.addTask {
                    // After the last drip the server still has a while to answer and close.
                    try await Task.sleep(for: interval * drips + .seconds(10))
                    return ("", nil)
                }
                while let result = try await group.next() {
                    if let result {
                        group.cancelAll()
                        return result
                    }
                }
                return ("", nil)
            }
        }
    }

    static func holdHead(sku: String, order: String, contentLength: Int) -> String {
        "PUT /v1/skus/\(sku)/holds/\(order) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(TestServer.apiToken)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(contentLength)\r\n\r\n{"
    }

    @Test func aTrickledBodyGets408AndItsConnectionClosed() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("loris")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        let app = TestServer.application(inventory, requestReadTimeout: .seconds(1), idleTimeout: .seconds(2))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (answer, closedAfter) = try await Self.trickle(
                port: port,
                head: Self.holdHead(sku: sku, order: "slow", contentLength: 200),
                drip: " "
            )
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("\"request_timeout\""))
            let closed = try #require(closedAfter, "the connection stayed open")
            #expect(closed < .seconds(4))
        }
        await #expect(throws: InventoryError.self) { try await inventory.hold(sku: sku, order: "slow") }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.available == 10)
    }

    @Test func aTrickledHeadIsCutOffByTheIdleTimeout() async throws {
        let inventory = try await TestServer.inventory()
        let app = TestServer.application(inventory, requestReadTimeout: .seconds(1), idleTimeout: .seconds(2))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (answer, closedAfter) = try await Self.trickle(
                port: port,
                head: "GET /v1/skus/x HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                drip: "X-Slow: a\r\n",
                interval: .milliseconds(300)
            )
            #expect(!answer.contains("200 OK"))
            let closed = try #require(closedAfter, "the connection stayed open")
            #expect(closed < .seconds(6))
        }
    }

    @Test func aHundredSlowClientsDoNotStarveOthers() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("loris")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 50))
        let app = TestServer.application(inventory, requestReadTimeout: .seconds(2), idleTimeout: .seconds(3))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let (answer, _) = try await Self.trickle(
                            port: port,
                            head: Self.holdHead(sku: sku, order: "slow-\(index)", contentLength: 100),
                            drip: " ",
                            interval: .milliseconds(500),
                            drips: 10
                        )
                        return answer.hasPrefix("HTTP/1.1 408") ? 1 : 0
                    }
                }
                // While they trickle, a normal buyer is served at once.
                try await Task.sleep(for: .milliseconds(300))
                try await TestClient.withClient(host: "127.0.0.1", port: port) { http in
                    for index in 0..<20 {
                        let response = try await http.hold("/v1/skus/\(sku)/holds/fast-\(index)")
                        #expect(response.status == 201)
                    }
                }
                var timedOut = 0
                for try await count in group { timedOut += count }
                #expect(timedOut == 100)
            }
        }
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced && snapshot.held == 20 && snapshot.available == 30)
    }
}
