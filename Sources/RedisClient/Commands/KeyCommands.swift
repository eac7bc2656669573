extension RedisCommand {
    /// `EXISTS key...`: how many of the keys exist.
    public static func exists(_ keys: String...) -> RedisCommand {
        RedisCommand("EXISTS", keys, keys: keys)
    }

    /// `DEL key...`.
    public static func del(_ keys: [String]) -> RedisCommand {
        RedisCommand("DEL", keys, keys: keys)
    }

    /// `GET key`.
    public static func get(_ key: String) -> RedisCommand {
        RedisCommand("GET", [key], keys: [key])
    }

    /// `SET key value`.
    public static func set(_ key: String, _ value: String) -> RedisCommand {
        RedisCommand("SET", [key, value], keys: [key])
    }

    /// `HMGET key field...`: the values of some fields of a hash (null for each absent one).
    public static func hmget(_ key: String, fields: [String]) -> RedisCommand {
        RedisCommand("HMGET", [key] + fields, keys: [key])
    }

    /// `HSET key field value...`: sets fields of a hash.
    public static func hset(_ key: String, _ pairs: [(String, String)]) -> RedisCommand {
        RedisCommand("HSET", [key] + pairs.flatMap { [$0.0, $0.1] }, keys: [key])
    }

    /// `HGETALL key`: every field and value of a hash, as a flat array.
    public static func hgetall(_ key: String) -> RedisCommand {
        RedisCommand("HGETALL", [key], keys: [key])
    }

    /// `LLEN key`: the length of a list.
    public static func llen(_ key: String) -> RedisCommand {
        RedisCommand("LLEN", [key], keys: [key])
    }

    /// `SMEMBERS key`: every member of a set.
    public static func smembers(_ key: String) -> RedisCommand {
        RedisCommand("SMEMBERS", [key], keys: [key])
    }

    /// `ZREM key member...`.
    public static func zrem(_ key: String, members: [String]) -> RedisCommand {
        RedisCommand("ZREM", [key] + members, keys: [key])
    }

    /// `ZSCORE key member`: the member's score, null when it is absent.
    public static func zscore(_ key: String, member: String) -> RedisCommand {
        RedisCommand("ZSCORE", [key, member], keys: [key])
    }

    /// `ZCOUNT key min max`: members scored within `min...max` (`-inf`, `+inf` allowed).
    public static func zcount(_ key: String, min: String, max: String) -> RedisCommand {
        RedisCommand("ZCOUNT", [key, min, max], keys: [key])
    }

    /// `SCAN cursor MATCH pattern COUNT count`: one step of a key scan of one node.
    public static func scan(cursor: String, match pattern: String, count: Int = 1000) -> RedisCommand {
        RedisCommand("SCAN", [cursor, "MATCH", pattern, "COUNT", String(count)])
    }

    /// `MEMORY USAGE key SAMPLES 0`: the bytes a key takes, counted exactly.
    public static func memoryUsage(_ key: String) -> RedisCommand {
        RedisCommand("MEMORY", ["USAGE", key, "SAMPLES", "0"], keys: [key])
    }
}
