import RedisClient

extension Inventory {
    /// Every key matching `pattern` (`SCAN` with `MATCH`) on every primary (a cluster's
    /// keys are spread over its primaries), for ops commands only.
    public func scan(match pattern: String) async throws -> [String] {
        var keys: [String] = []
        for node in try await withRetry({ try await redis.primaries() }) {
            var cursor = "0"
            repeat {
                let reply = try await withRetry {
                    try await node.send(.scan(cursor: cursor, match: pattern))
                }
                guard let parts = reply.array, parts.count == 2 else {
                    throw RedisError(.unexpectedReply, "SCAN answered \(reply)")
                }
                cursor = parts[0].string ?? "0"
                keys += (parts[1].array ?? []).compactMap(\.string)
            } while cursor != "0"
        }
        return keys
    }

    /// The ids of every SKU Redis holds, across all partitions.
    /// One `SCAN` of each primary, whatever the number of partitions.
    public func skuIDs() async throws -> [String] {
        try await scan(match: keys.skuKeyPattern).compactMap(keys.skuID(ofKey:)).sorted()
    }

    /// The ids of every order of several SKUs Redis keeps a log of, sorted.
    public func orderIDs() async throws -> [String] {
        try await scan(match: keys.orderKeyPattern).compactMap(keys.orderID(ofKey:)).sorted()
    }

    /// The Redis server's clock, in Unix milliseconds.
    public func redisTimeMs() async throws -> Int64 {
        try await withRetry { try await redis.serverTimeMilliseconds() }
    }
}
