import AsyncHTTPClient
import Foundation
import NIOCore
import RedisClient

/// CPU time per request, the measure of HTTP cost that does not depend on who else
/// shares the cores: a server's from `/proc/<pid>/stat`, Redis's from `INFO cpu`.
enum CPUMeter {
    /// User + system CPU seconds a process has used so far; `nil` when it is not readable.
    static func processSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Redis's user + system CPU seconds so far (`INFO cpu`), summed over every primary
    /// of a cluster; `nil` when not readable.
    static func redisSeconds(_ redis: RedisConnectionPool) async -> Double? {
        guard let perNode = await redisSecondsPerPrimary(redis) else { return nil }
        return perNode.values.reduce(0, +)
    }

    /// Each primary's user + system CPU seconds so far (`INFO cpu`), by address; `nil`
    /// when one is not readable.
    static func redisSecondsPerPrimary(_ redis: RedisConnectionPool) async -> [String: Double]? {
        try? await redis.infoSums(section: "cpu", fields: ["used_cpu_sys", "used_cpu_user"])
    }

    /// Sends `count` `GET`s to `url` from `concurrency` tasks over keep-alive
    /// connections, and returns the CPU microseconds per request the process `pid`
    /// spent answering them: the bare route's cost, to set beside HotStock's.
    static func bareRouteMicros(url: String, pid: Int32, count: Int, concurrency: Int) async throws -> Double {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency
        )
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let before = processSeconds(pid: pid)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: concurrency) {
                        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1 << 16)
                    }
                }
            }
            try await group.waitForAll()
        }
        let after = processSeconds(pid: pid)
        try await client.shutdown()
        guard let before, let after else { throw ScenarioError("the bare route's process \(pid) is not readable") }
        return (after - before) * 1e6 / Double(count)
    }
}
