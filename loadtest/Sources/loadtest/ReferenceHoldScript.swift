import RedisClient

/// The yardstick of the hold function's cost (DESIGN section 9): the simplest script
/// that makes the same kinds of writes as a hold — two `HINCRBY` on the SKU, one `HSET`
/// of the hold, one `ZADD` to the expiry index, a small `XADD` — with no reads and no
/// checks. `hs_hold` is measured against it on the same Redis in the same run. A bench
/// library of its own, never part of the engine.
enum ReferenceHoldScript {
    static let function = "hsbench_reference_hold"

    static let library = """
        #!lua name=hsbench
        redis.register_function('\(function)', function(keys, args)
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          redis.call('HINCRBY', keys[1], 'available', -1)
          redis.call('HINCRBY', keys[1], 'held', 1)
          redis.call('HSET', keys[2], 'qty', args[3], 'state', 'held', 'expires_at_ms', now + args[5],
            'created_at_ms', now, 'version', '1')
          redis.call('ZADD', keys[3], now + args[5], args[1] .. '/' .. args[2])
          redis.call('XADD', keys[4], '*', 'op', 'hold', 'sku', args[1], 'order', args[2])
          return 'ok'
        end)
        """

    /// Loads the bench library (`HINCRBY` needs a user beyond the engine's: the admin).
    static func load(on redis: RedisConnectionPool) async throws {
        _ = try await redis.send(.functionLoad(library))
    }
}
