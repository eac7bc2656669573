import Foundation
import HotStockCore
import Logging
import RedisClient
import Synchronization
import Testing

/// Runs the real `hotstock serve` process and stops it with SIGTERM mid-load.
@Suite("hotstock serve under SIGTERM")
struct ServeShutdownTests {
    final class Acknowledged: Sendable {
        let orders = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
    }

    @Test func sigtermDuringLoadLosesNoAcknowledgedHold() async throws {
        let port = try freePort()
        let server = try ServeKillCodesTests.startServer(port: port, sweeper: true)
        defer { if server.isRunning { server.terminate() } }

        let sku = CommandLineTests.uniqueSKU()
        let client = HTTPProbe(port: port, token: "sigterm-admin-token")
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? await client.send("GET", "/health/live")) == 200
        }
        #expect(up, "the server did not start")
        #expect(try await client.send("PUT", "/v1/skus/\(sku)", body: #"{"total": 1000000}"#) == 200)

        let acknowledged = Acknowledged()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var step = 0
                    while !acknowledged.stop.load(ordering: .relaxed) {
                        let order = "w\(worker)-\(step)"
                        step += 1
                        if (try? await client.send("PUT", "/v1/skus/\(sku)/holds/\(order)")) == 201 {
                            acknowledged.orders.withLock { $0.append(order) }
                        }
                    }
                }
            }
            // SIGTERM lands mid-load: once 100 holds are in, however busy the machine.
            let started = ContinuousClock.now
            while acknowledged.orders.withLock({ $0.count }) < 100 && ContinuousClock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(20))
            }
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
            acknowledged.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        #expect(server.terminationStatus == 0, "serve exited \(server.terminationStatus) on SIGTERM")

        let orders = acknowledged.orders.withLock { $0 }
        #expect(orders.count >= 100)
        let (pool, inventory) = try ServeKillCodesTests.engine()
        let snapshot = try await inventory.sku(sku)
        #expect(snapshot.isBalanced)
        // Every acknowledged hold is there; a request cut by the shutdown may have landed too.
        #expect(snapshot.held >= Int64(orders.count))
        for order in orders {
            #expect(try await inventory.hold(sku: sku, order: order).state == .held)
        }
        await pool.shutdown()
    }
}

/// The engine dies (kill -9) between a confirm and the buyer's fetch: the next server
/// answers the same codes.
@Suite("hotstock serve killed between confirm and fetch")
struct ServeKillCodesTests {
    /// A `hotstock serve` child on `port` (no syncer; the sweeper when asked), quiet.
    static func startServer(
        port: Int,
        sweeper: Bool = false,
        syncer: Bool = false,
        environment extra: [String: String] = [:]
    ) throws -> Process {
        let server = Process()
        server.executableURL = CommandLineTests.binary
        server.arguments =
            ["serve", "--port", String(port), "--log-level", "warning"]
            + (sweeper ? [] : ["--no-sweeper"]) + (syncer ? [] : ["--no-syncer"])
        var environment = ProcessInfo.processInfo.environment
        environment["HOTSTOCK_API_TOKEN"] = "sigterm-api-token"
        environment["HOTSTOCK_ADMIN_TOKEN"] = "sigterm-admin-token"
        environment["HOTSTOCK_CODE_KEY"] = environment["HOTSTOCK_CODE_KEY"] ?? CommandLineTests.testCodeKey
        environment.merge(extra) { $1 }
        server.environment = environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        return server
    }

    /// A pool and an engine on the run's Redis, as the engine's user.
    static func engine() throws -> (RedisConnectionPool, Inventory) {
        let redisURL =
            ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_URL"]
            ?? "redis://hotstock:hotstock-dev@127.0.0.1:16380/0"
        let pool = RedisConnectionPool(
            configuration: try RedisConfiguration(url: redisURL),
            logger: Logger(label: "test")
        )
        return (pool, Inventory(redis: pool, logger: Logger(label: "test")))
    }

    static func waitUntilUp(_ client: HTTPProbe) async throws -> Bool {
        // 30 s: the whole suite shares two cores with the services.
        for _ in 0..<300 {
            if (try? await client.send("GET", "/health/live")) == 200 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func theNextServerAnswersTheSameCodes() async throws {
        let port = try freePort()
        let client = HTTPProbe(port: port, token: "sigterm-admin-token")
        let first = try Self.startServer(port: port)
        defer { if first.isRunning { first.terminate() } }
        #expect(try await Self.waitUntilUp(client), "the server did not start")
        let sku = CommandLineTests.uniqueSKU()
        #expect(try await client.send("PUT", "/v1/skus/\(sku)", body: #"{"kind": "codes"}"#) == 200)
        let codes = #"{"batch": "b1", "codes": ["KILL-TEST-1", "KILL-TEST-2", "KILL-TEST-3"]}"#
        #expect(try await client.send("POST", "/v1/skus/\(sku)/codes", body: codes) == 200)
        #expect(try await client.send("PUT", "/v1/skus/\(sku)/holds/o1", body: #"{"qty": 2}"#) == 201)
        #expect(try await client.send("POST", "/v1/skus/\(sku)/holds/o1/confirm") == 200)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()

        let second = try Self.startServer(port: port)
        defer { if second.isRunning { second.terminate() } }
        #expect(try await Self.waitUntilUp(client), "the second server did not start")
        let fetched = try await client.fetch("GET", "/v1/skus/\(sku)/holds/o1/codes")
        let again = try await client.fetch("GET", "/v1/skus/\(sku)/holds/o1/codes")
        #expect(fetched.status == 200 && again.body == fetched.body)
        let object = (try? JSONSerialization.jsonObject(with: Data(fetched.body.utf8))) as? [String: Any]
        let delivered = object?["codes"] as? [String] ?? []
        #expect(delivered.count == 2 && Set(delivered).isSubset(of: ["KILL-TEST-1", "KILL-TEST-2", "KILL-TEST-3"]))
        // A payment callback retried against the new server changes nothing.
        #expect(try await client.send("POST", "/v1/skus/\(sku)/holds/o1/confirm") == 200)
        #expect(try await client.fetch("GET", "/v1/skus/\(sku)/holds/o1/codes").body == fetched.body)
    }
}

/// A minimal HTTP/1.1 client over a fresh TCP connection per request (blocking I/O on a
/// thread of its own), enough to probe the server from outside its process.
struct HTTPProbe: Sendable {
    let port: Int
    let token: String

    /// Sends a request and returns the status code.
    func send(_ method: String, _ path: String, body: String = "") async throws -> Int {
        try await fetch(method, path, body: body).status
    }

    /// Sends a request and returns the status code and the body.
    func fetch(_ method: String, _ path: String, body: String = "") async throws -> (status: Int, body: String) {
        let port = self.port
        let token = self.token
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try Self.exchange(port: port, token: token, method, path, body))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    struct Failure: Error {}

    private static func exchange(port: Int, token: String, _ method: String, _ path: String, _ body: String) throws
        -> (status: Int, body: String)
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure() }
        let request =
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw Failure() }
        // The server closes the connection after its answer: read to the end.
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        guard response.count > 12, let code = Int(String(decoding: response[9..<12], as: UTF8.self)) else {
            throw Failure()
        }
        let text = String(decoding: response, as: UTF8.self)
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (code, body)
    }
}
