-- hs_expire: the sweeper's second step; expires the due holds hs_due found in one
-- partition, each one's keys declared. Any number of sweepers may call it at once:
-- each call is atomic and expires only holds still `held` whose time has passed (Redis
-- clock, checked again here), so no hold is released twice.
-- KEYS: expiry, events (of the partition), then per hold: sku, hold, buyers
-- ARGV: retention_ms, then per hold: sku, order (in the order of their keys)
-- Reply: ok, expired N, due_left N (due holds still waiting in the partition)
local function expire(keys, args)
  local expiry_key, events_key = keys[1], keys[2]
  local retention = int_arg(args[1], 1000, MAX_RETENTION_MS)
  local bad = check_retention(retention)
  if bad then
    return bad
  end
  local count = (#args - 1) / 2
  if count ~= math.floor(count) or count > MAX_EXPIRE_BATCH or #keys ~= 2 + 3 * count then
    return invalid('up to ' .. fmt(MAX_EXPIRE_BATCH) .. ' holds, 3 keys and 2 arguments each')
  end
  for i = 1, count do
    bad = check_ids('sku', args[2 * i], 'order', args[2 * i + 1])
    if bad then
      return bad
    end
  end

  local now = now_ms()
  local expired = 0
  for i = 1, count do
    local ctx = {
      sku_id = args[2 * i], order = args[2 * i + 1], sku_key = keys[3 * i], hold_key = keys[3 * i + 1],
      buyers_key = keys[3 * i + 2], expiry_key = expiry_key, events_key = events_key, retention = retention,
    }
    local member = ctx.sku_id .. '/' .. ctx.order
    local h = load_hold(ctx.hold_key)
    if h and h.state == 'held' and tonumber(h.expires_at_ms) <= now then
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
      -- a stale index entry (or one another sweeper settled first): the hold is gone or final
      redis.call('ZREM', expiry_key, member)
    end
  end
  local left = redis.call('ZCOUNT', expiry_key, '-inf', now)
  return { 'ok', 'expired', fmt(expired), 'due_left', fmt(left) }
end

redis.register_function('hs_expire', expire)
