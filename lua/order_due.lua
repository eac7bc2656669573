-- hs_order_due: which orders of one partition recovery should take over now (Redis
-- clock): those in a transient state whose last step is older than the recovery delay
-- (a process died between two steps), and held orders past their expiry. Each one
-- returned is leased for `lease_ms` (its score moves there), so several sweepers do
-- not all take the same order; one that dies with the lease lets another take it after.
-- KEYS: the partition's open orders
-- ARGV: limit, lease_ms
-- Reply: ok, lag_ms (how late the oldest due order is), orders (joined by commas)
local function order_due(keys, args)
  local limit, lease = int_arg(args[1], 1, MAX_EXPIRE_BATCH), int_arg(args[2], 1, MAX_TTL_MS)
  if not limit or not lease then
    return invalid('limit must be an integer in 1..' .. fmt(MAX_EXPIRE_BATCH) .. ' and lease_ms positive')
  end
  local now = now_ms()
  local orders, lag = due_members(keys[1], now, limit)
  for _, order in ipairs(orders) do
    redis.call('ZADD', keys[1], now + lease, order)
  end
  return { 'ok', 'lag_ms', fmt(lag), 'orders', table.concat(orders, ',') }
end

redis.register_function('hs_order_due', order_due)
