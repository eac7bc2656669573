extension RedisCommand {
    /// `XLEN key`: the number of entries in a stream.
    public static func xlen(_ key: String) -> RedisCommand {
        RedisCommand("XLEN", [key], keys: [key])
    }

    /// `XRANGE key start end [COUNT count]`: entries between two ids (`-` and `+` for the
    /// ends, `(id` for "after id").
    public static func xrange(_ key: String, from start: String = "-", to end: String = "+", count: Int? = nil)
        -> RedisCommand
    {
        RedisCommand("XRANGE", [key, start, end] + (count.map { ["COUNT", String($0)] } ?? []), keys: [key])
    }

    /// `XREADGROUP GROUP group consumer COUNT count STREAMS key id`: entries of one stream
    /// for a consumer (`>` for new ones, `0` for its own pending ones).
    public static func xreadgroup(_ key: String, group: String, consumer: String, count: Int, from id: String)
        -> RedisCommand
    {
        RedisCommand(
            "XREADGROUP",
            ["GROUP", group, consumer, "COUNT", String(count), "STREAMS", key, id],
            keys: [key]
        )
    }

    /// `XACK key group id...`: entries the group's consumer is done with.
    public static func xack(_ key: String, group: String, ids: [String]) -> RedisCommand {
        RedisCommand("XACK", [key, group] + ids, keys: [key])
    }

    /// `XAUTOCLAIM key group consumer min-idle start COUNT count`: takes over entries
    /// pending longer than `minIdleMs` with other consumers.
    public static func xautoclaim(
        _ key: String,
        group: String,
        consumer: String,
        minIdleMs: Int64,
        start: String,
        count: Int
    ) -> RedisCommand {
        RedisCommand(
            "XAUTOCLAIM",
            [key, group, consumer, String(minIdleMs), start, "COUNT", String(count)],
            keys: [key]
        )
    }

    /// `XCLAIM key group consumer min-idle id...`: gives the entries to `consumer` (a
    /// write, replicated) and answers them.
    public static func xclaim(_ key: String, group: String, consumer: String, minIdleMs: Int64, ids: [String])
        -> RedisCommand
    {
        RedisCommand("XCLAIM", [key, group, consumer, String(minIdleMs)] + ids, keys: [key])
    }

    /// `XPENDING key group`: the summary of a group's pending entries.
    public static func xpending(_ key: String, group: String) -> RedisCommand {
        RedisCommand("XPENDING", [key, group], keys: [key])
    }

    /// `XINFO GROUPS key`: the consumer groups of a stream.
    public static func xinfoGroups(_ key: String) -> RedisCommand {
        RedisCommand("XINFO", ["GROUPS", key], keys: [key])
    }

    /// `XTRIM key MINID id`: drops the entries below `id`.
    public static func xtrim(_ key: String, minID: String) -> RedisCommand {
        RedisCommand("XTRIM", [key, "MINID", minID], keys: [key])
    }

    /// `XGROUP CREATE key group id MKSTREAM`: a consumer group (and the stream if absent).
    public static func xgroupCreate(_ key: String, group: String, from id: String = "0") -> RedisCommand {
        RedisCommand("XGROUP", ["CREATE", key, group, id, "MKSTREAM"], keys: [key])
    }
}
