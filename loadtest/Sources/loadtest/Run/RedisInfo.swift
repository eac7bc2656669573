import RedisClient

/// Numbers from `INFO` on every primary (the one node of a single Redis): what the
/// harness reads of Redis's CPU and memory.
enum RedisInfo {
    /// For each primary, by address, the sum of the numeric `fields` of `INFO section`.
    static func perPrimary(_ redis: RedisConnectionPool, section: String, fields: Set<String>) async throws
        -> [String: Double]
    {
        var values: [String: Double] = [:]
        for node in try await redis.primaries() {
            let info = try await node.send(.info(section)).string ?? ""
            var total = 0.0
            for line in info.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: ":")
                if parts.count == 2, fields.contains(String(parts[0])), let value = Double(parts[1]) { total += value }
            }
            values[node.address.description] = total
        }
        return values
    }

    /// The bytes Redis uses (`used_memory`), summed over the primaries.
    static func usedMemory(_ redis: RedisConnectionPool) async throws -> Int64 {
        Int64(try await perPrimary(redis, section: "memory", fields: ["used_memory"]).values.reduce(0, +))
    }
}
