extension RedisCommand {
    /// `TIME`: the server's clock.
    public static let time = RedisCommand("TIME")

    /// `INFO section`.
    public static func info(_ section: String) -> RedisCommand {
        RedisCommand("INFO", [section])
    }

    /// `FCALL function numkeys key... arg...`: a call into a loaded Functions library.
    public static func fcall(_ function: String, keys: [String], arguments: [String]) -> RedisCommand {
        RedisCommand("FCALL", [function, String(keys.count)] + keys + arguments, keys: keys)
    }

    /// `FUNCTION LOAD REPLACE code`: loads or replaces a Functions library.
    public static func functionLoad(_ code: String) -> RedisCommand {
        RedisCommand("FUNCTION", ["LOAD", "REPLACE", code])
    }

    /// `FUNCTION LIST LIBRARYNAME name`: the libraries whose name matches.
    public static func functionList(library name: String) -> RedisCommand {
        RedisCommand("FUNCTION", ["LIST", "LIBRARYNAME", name])
    }

    /// `CLUSTER SLOTS`: which node serves which slots (an error on a Redis that is not
    /// a cluster).
    public static func clusterSlots() -> RedisCommand { RedisCommand("CLUSTER", ["SLOTS"]) }

    /// `WAIT replicas timeout`: blocks until `replicas` replicas acknowledged every write
    /// of this connection so far, or `timeout` ms passed; answers how many did.
    public static func wait(replicas: Int, timeoutMs: Int) -> RedisCommand {
        RedisCommand("WAIT", [String(replicas), String(timeoutMs)])
    }
}

extension RedisConnectionPool {
    /// The server's clock (`TIME`), in Unix milliseconds.
    public func serverTimeMilliseconds() async throws(RedisError) -> Int64 {
        let reply = try await send(.time)
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw RedisError(.unexpectedReply, "TIME answered \(reply)")
        }
        return seconds * 1000 + micros / 1000
    }

    /// For each primary (the one node of a single Redis), by address, the sum of the
    /// numeric `fields` of its `INFO section`: e.g. its CPU seconds so far (`cpu`,
    /// `used_cpu_sys` and `used_cpu_user`).
    public func infoSums(section: String, fields: Set<String>) async throws(RedisError) -> [String: Double] {
        var sums: [String: Double] = [:]
        for node in try await primaries() {
            let info = try await node.send(.info(section)).string ?? ""
            var total = 0.0
            for line in info.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: ":")
                if parts.count == 2, fields.contains(String(parts[0])), let value = Double(parts[1]) { total += value }
            }
            sums[node.address.description] = total
        }
        return sums
    }
}
