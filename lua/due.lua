-- hs_due: the sweeper's first step; reads which holds of one partition are due (Redis
-- clock), so the second step (hs_expire) can declare each one's keys.
-- KEYS: expiry, transfers, open orders (of one partition)
-- ARGV: limit
-- Reply: ok, lag_ms (how late the oldest due hold is, 0 when none is), members (up to
-- `limit` due members '<sku>/<order>', joined by commas: ids never hold a comma),
-- transfers (how many transfers out of the partition's buckets are in flight, for the
-- sweeper to finish those a dead process left), orders (how many orders recovery
-- should take over now: hs_order_due).
-- Reads only, so it may run anywhere and any number of times.
local function due(keys, args)
  local limit = int_arg(args[1], 1, MAX_EXPIRE_BATCH)
  if not limit then
    return invalid('limit must be an integer in 1..' .. fmt(MAX_EXPIRE_BATCH))
  end
  local now = now_ms()
  local members, lag = due_members(keys[1], now, limit)
  return { 'ok', 'lag_ms', fmt(lag), 'members', table.concat(members, ','), 'transfers',
    fmt(redis.call('HLEN', keys[2])), 'orders', fmt(redis.call('ZCOUNT', keys[3], '-inf', now)) }
end

redis.register_function { function_name = 'hs_due', callback = due, flags = { 'no-writes' } }
