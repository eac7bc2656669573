import Foundation
import Logging
import RedisClient
import Testing

/// Tests against the Redis that ops/dev.sh started for the test run.
@Suite("Connections and the pool")
struct RedisConnectionTests {
    static let logger = Logger(label: "hotstock.redis.tests")

    static func configuration(admin: Bool = false) throws -> RedisConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let url =
            admin
            ? environment["HOTSTOCK_REDIS_ADMIN_URL"] ?? "redis://admin:hotstock-admin-dev@127.0.0.1:16380/0"
            : environment["HOTSTOCK_REDIS_URL"] ?? "redis://hotstock:hotstock-dev@127.0.0.1:16380/0"
        return try RedisConfiguration(url: url)
    }

    static func key(_ name: String) -> String { "hs:{test}:\(name):\(UUID().uuidString)" }

    @Test func manyConcurrentRequestsOnOneConnectionEachGetTheirOwnReply() async throws {
        var configuration = try Self.configuration()
        configuration.poolSize = 1
        let pool = RedisConnectionPool(configuration: configuration, logger: Self.logger)
        let key = Self.key("counter")
        let replies = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<2_000 {
                group.addTask { try await pool.send("HINCRBY", key, "n", "1").int ?? -1 }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(replies.sorted() == Array(1...2_000))
        _ = try await pool.send("DEL", key)
        await pool.shutdown()
    }

    @Test func aclUserAuthenticatesAndSelectsItsDatabase() async throws {
        var configuration = try Self.configuration()
        configuration.database = 2
        let pool = RedisConnectionPool(configuration: configuration, logger: Self.logger)
        // The engine's user is not the administrator: FLUSHALL is refused.
        do {
            _ = try await pool.send("FLUSHALL")
            Issue.record("the engine's user may flush Redis")
        } catch {
            #expect(error.code == .replyError && error.message.hasPrefix("NOPERM"))
        }
        let key = Self.key("db")
        _ = try await pool.send("SET", key, "in-db-2")
        var zero = try Self.configuration()
        zero.database = 0
        let other = RedisConnectionPool(configuration: zero, logger: Self.logger)
        #expect(try await other.send("GET", key) == .null)
        #expect(try await pool.send("GET", key).string == "in-db-2")
        _ = try await pool.send("DEL", key)
        await pool.shutdown()
        await other.shutdown()
    }

    @Test func wrongPasswordIsAnAuthenticationErrorThatNeverShowsThePassword() async throws {
        var configuration = try Self.configuration()
        configuration.username = "hotstock"
        configuration.password = "wrong-secret-123"
        let pool = RedisConnectionPool(configuration: configuration, logger: Self.logger)
        do {
            _ = try await pool.send("PING")
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.code == .authenticationFailed)
            #expect(!"\(error)".contains("wrong-secret-123"))
        }
        await pool.shutdown()
    }

    @Test func unreachableRedisIsAConnectionFailure() async throws {
        var configuration = try Self.configuration()
        configuration.port = 1
        let pool = RedisConnectionPool(configuration: configuration, logger: Self.logger)
        do {
            _ = try await pool.send("PING")
            Issue.record("port 1 answered")
        } catch {
            #expect(error.code == .connectionFailed && error.isConnectivity)
        }
        await pool.shutdown()
    }

    @Test func errorRepliesAreThrownAndTheConnectionStaysUsable() async throws {
        let pool = RedisConnectionPool(configuration: try Self.configuration(), logger: Self.logger)
        do {
            _ = try await pool.send("NOSUCHCOMMAND")
            Issue.record("an unknown command succeeded")
        } catch {
            #expect(error.code == .replyError && error.message.contains("unknown command"))
        }
        #expect(try await pool.send("PING") == .status("PONG"))
        await pool.shutdown()
    }

    @Test func binarySafeArgumentsAndNestedRepliesRoundTrip() async throws {
        let pool = RedisConnectionPool(configuration: try Self.configuration(), logger: Self.logger)
        let key = Self.key("hash")
        let awkward = "line\r\nbreak with spaces, ünïcode and \u{0}nul"
        _ = try await pool.send("HSET", key, "field", awkward, "empty", "")
        let reply = try await pool.send("HMGET", key, "field", "empty")
        #expect(reply.array?.compactMap(\.string) == [awkward, ""])
        _ = try await pool.send("DEL", key)
        await pool.shutdown()
    }

    @Test func aKilledConnectionIsReopenedByTheNextRequest() async throws {
        var configuration = try Self.configuration(admin: true)
        configuration.poolSize = 1
        let pool = RedisConnectionPool(configuration: configuration, logger: Self.logger)
        let admin = RedisConnectionPool(configuration: try Self.configuration(admin: true), logger: Self.logger)
        let id = try await pool.send("CLIENT", "ID").int ?? -1
        _ = try await admin.send("CLIENT", "KILL", "ID", String(id))
        // The kill may reach the client before or after the next request is written.
        var answered = false
        for _ in 0..<3 where !answered {
            answered = (try? await pool.send("PING")) == .status("PONG")
        }
        #expect(answered)
        #expect(try await pool.send("CLIENT", "ID").int != id)
        await pool.shutdown()
        await admin.shutdown()
    }
}
