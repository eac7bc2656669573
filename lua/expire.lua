-- hs_expire: the sweeper's batch; expires up to `limit` holds of one partition whose
-- time has passed (Redis clock). Any number of sweepers may call it at once: each
-- call is atomic and only expires holds still `held`, so no hold is released twice.
-- KEYS: expiry, events (of one partition)
-- ARGV: key prefix of the partition (e.g. "hs:{07}:"), limit, retention_ms
-- Reply: ok, expired N, lag_ms (how late the oldest due hold was), due_left N
local function expire(keys, args)
  local expiry_key, events_key = keys[1], keys[2]
  local prefix = args[1]
  local limit = int_arg(args[2], 1, 10000)
  local retention = int_arg(args[3], 1000, MAX_RETENTION_MS)
  local bad = check_ids(prefix) or check_retention(retention)
  if bad then
    return bad
  end
  if not limit then
    return invalid('limit must be an integer in 1..10000')
  end

  local now = now_ms()
  local due = redis.call('ZRANGEBYSCORE', expiry_key, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
  local lag = 0
  if due[2] then
    lag = now - tonumber(due[2])
  end
  local expired = 0
  for i = 1, #due, 2 do
    local member = due[i]
    local slash = string.find(member, '/', 1, true)
    local hold_key = prefix .. 'hold:' .. member
    local h = slash and load_hold(hold_key)
    if h and h.state == 'held' and tonumber(h.expires_at_ms) <= now then
      local ctx = {
        sku_id = string.sub(member, 1, slash - 1), order = string.sub(member, slash + 1),
        hold_key = hold_key, expiry_key = expiry_key, events_key = events_key,
        retention = retention, prefix = prefix,
      }
      ctx.sku_key = prefix .. 'sku:' .. ctx.sku_id
      local s = load_sku(ctx.sku_key)
      if s then
        settle(ctx, h, s, 'expired', now)
        expired = expired + 1
      else
        redis.call('ZREM', expiry_key, member)
      end
    elseif h and h.state == 'held' then
      -- indexed earlier than the hold expires: index it at its real expiry
      redis.call('ZADD', expiry_key, h.expires_at_ms, member)
    else
      -- a stale index entry: the hold is gone or already final
      redis.call('ZREM', expiry_key, member)
    end
  end
  local left = redis.call('ZCOUNT', expiry_key, '-inf', now)
  return { 'ok', 'expired', fmt(expired), 'lag_ms', fmt(lag), 'due_left', fmt(left) }
end

redis.register_function('hs_expire', expire)
