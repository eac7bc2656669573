import Foundation
import Logging
import Testing

@testable import RedisClient

@Suite("Redis Cluster routing")
struct ClusterRoutingTests {
    @Test func slotsFollowRedisCRC16AndHashTags() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("hs:{07}:sku:a") == HashSlot.of("07"))
        // An empty tag or an unclosed brace hashes the whole key.
        #expect(HashSlot.of("foo{}{bar}") == Int(HashSlot.crc16(Array("foo{}{bar}".utf8)) % 16384))
        #expect(HashSlot.of("foo{bar") == Int(HashSlot.crc16(Array("foo{bar".utf8)) % 16384))
    }

    @Test func redirectionsAreRead() {
        #expect(
            ClusterRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381")
                == .moved(slot: 3999, to: RedisNodeAddress(host: "127.0.0.1", port: 6381))
        )
        #expect(
            ClusterRedirection(errorMessage: "ASK 3999 [::1]:6381")
                == .ask(slot: 3999, to: RedisNodeAddress(host: "::1", port: 6381))
        )
        #expect(ClusterRedirection(errorMessage: "TRYAGAIN Multiple keys request during rehashing of slot") == .wait)
        #expect(ClusterRedirection(errorMessage: "CLUSTERDOWN The cluster is down") == .wait)
        #expect(ClusterRedirection(errorMessage: "READONLY You can't write against a read only replica.") == .stale)
        #expect(ClusterRedirection(errorMessage: "ERR unknown command") == nil)
        #expect(ClusterRedirection(errorMessage: "MOVED 99999 127.0.0.1:6381") == nil)
    }

    @Test func theSlotMapComesFromClusterSlots() throws {
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), .array([.bulk("10.0.0.1"), .integer(7001), .bulk("a")])]),
            .array([
                .integer(5461), .integer(16383), .array([.bulk(""), .integer(7002), .bulk("b")]),
                .array([.bulk("10.0.0.3"), .integer(7003), .bulk("c")]),
            ]),
        ])
        let map = try ClusterSlotMap(slotsReply: reply, fallbackHost: "seed")
        #expect(map.coversEverySlot && map.primaries.count == 2)
        #expect(map.primary(of: 0) == RedisNodeAddress(host: "10.0.0.1", port: 7001))
        #expect(map.primary(of: 16383) == RedisNodeAddress(host: "seed", port: 7002))
        #expect(throws: RedisError.self) { try ClusterSlotMap(slotsReply: .array([.integer(1)]), fallbackHost: "x") }
    }

    @Test func aURLMayListSeveralSeeds() throws {
        let configuration = try RedisConfiguration(url: "redis://app:s%40cret@h1:7001,h2:7002,h3/0")
        #expect(
            configuration.seeds == [
                RedisNodeAddress(host: "h1", port: 7001), RedisNodeAddress(host: "h2", port: 7002),
                RedisNodeAddress(host: "h3", port: 6379),
            ]
        )
        #expect(configuration.host == "h1" && configuration.password == "s@cret")
        #expect(configuration.description == "redis://app:***@h1:7001,h2:7002,h3:6379/0")
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://app:topsecret@h1:7001,:x/0") }
    }

    /// Against the local cluster (`ops/dev.sh start cluster`), when the run has one.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_CLUSTER_URL"] != nil))
    func everyKeyReachesItsPrimaryAndFunctionsLoadEverywhere() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_CLUSTER_URL"])
        let pool = RedisConnectionPool(
            configuration: try RedisConfiguration(url: url),
            logger: Logger(label: "cluster.tests")
        )
        let keys = (0..<64).map { "hs:{\($0)}:routing-test" }
        for key in keys { _ = try await pool.send(RedisCommand("SET", [key, key], keys: [key])) }
        #expect(pool.isCluster == true)
        for key in keys { #expect(try await pool.send(RedisCommand("GET", [key], keys: [key])).string == key) }
        let primaries = try await pool.primaries()
        #expect(primaries.count >= 3)
        let library = RedisFunctionLibrary(
            name: "routingtest",
            code:
                "#!lua name=routingtest\nredis.register_function('routingtest_echo', function(keys, args) return args[1] end)",
            pool: pool
        )
        try await library.load()
        #expect(try await library.isLoaded())
        for key in keys {
            #expect(try await library.call("routingtest_echo", keys: [key], arguments: ["hi"]).string == "hi")
        }
        for key in keys { _ = try await pool.send(.del([key])) }
        await pool.shutdown()
    }
}
