import RedisClient

/// What the harness reads of Redis's memory (`INFO`, summed over the primaries; its
/// CPU: `RedisConnectionPool.infoSums`).
enum RedisInfo {
    /// The bytes Redis uses (`used_memory`), summed over the primaries.
    static func usedMemory(_ redis: RedisConnectionPool) async throws -> Int64 {
        Int64(try await redis.infoSums(section: "memory", fields: ["used_memory"]).values.reduce(0, +))
    }
}
