-- hs_order_mark: records one step of an order's saga (DESIGN section 14): its state moves
-- from `from` to `to`, only from `from` (a process that lost a race to another, or to
-- recovery, is told the state instead and writes nothing).
-- KEYS: order record, the partition's open orders, the partition's outbox
-- ARGV: order, from, to, retention_ms, recovery_after_ms, then field pairs:
--       expires_at_ms (its first line's expiry) and last_expiry_ms (its last's) when
--       the order is held; error and error_sku when it failed or a line expired;
--       reacquire and pinned once every line is pinned for its confirm; outcome, the
--       final state a releasing order reaches (released or expired)
-- States: placing -> held | compensating; compensating -> failed; held -> confirming |
-- releasing; confirming -> confirming (a step: pinned) | confirmed | releasing;
-- releasing -> released | expired. Never confirming -> releasing once pinned, never
-- confirming -> confirmed before. A transient state (placing, compensating,
-- confirming, releasing) stays in the open orders, scored by when recovery may finish
-- it; a held order by its last line's expiry; a final one (failed, confirmed,
-- released, expired) leaves them and keeps its record for the idempotency retention.
local ORDER_MOVES = {
  placing = { held = true, compensating = true },
  compensating = { failed = true },
  held = { confirming = true, releasing = true },
  confirming = { confirming = true, confirmed = true, releasing = true },
  releasing = { released = true, expired = true },
}
local ORDER_FINAL = { failed = true, confirmed = true, released = true, expired = true }
local ORDER_MARK_FIELDS = { expires_at_ms = true, last_expiry_ms = true, error = true, error_sku = true,
  reacquire = true, pinned = true, outcome = true }

local function order_mark(keys, args)
  local order_key, open_key, events_key = keys[1], keys[2], keys[3]
  local order, from, to = args[1], args[2], args[3]
  local retention, after = int_arg(args[4], 1000, MAX_RETENTION_MS), int_arg(args[5], 1, MAX_TTL_MS)
  local bad = check_ids('order', order)
  if bad then
    return bad
  end
  if not ORDER_MOVES[from] or not ORDER_MOVES[from][to] or not retention or not after or (#args - 5) % 2 ~= 0 then
    return invalid('no such step of an order: ' .. tostring(from) .. ' -> ' .. tostring(to))
  end
  for i = 6, #args, 2 do
    if not ORDER_MARK_FIELDS[args[i]] or type(args[i + 1]) ~= 'string' or #args[i + 1] > 128 then
      return invalid('bad order field ' .. tostring(args[i]))
    end
  end
  local state = redis.call('HGET', order_key, 'state')
  if not state then
    return refuse('order_not_found', 'no order ' .. order)
  end
  -- Once every line is pinned the confirm only goes forward: a release that read the
  -- order before that is told it moved.
  local pinned = redis.call('HGET', order_key, 'pinned') == '1'
  if state ~= from or (to == 'releasing' and pinned) then
    return { 'moved', 'state', state }
  end
  -- Lines are confirmed only once every one is pinned, so only then is the order.
  if to == 'confirmed' and not pinned then
    return invalid('order ' .. order .. ' is confirmed only once every line is pinned')
  end
  local now = now_ms()
  local version = tonumber(redis.call('HGET', order_key, 'version') or '0') + 1
  redis.call('HSET', order_key, 'state', to, 'version', fmt(version))
  if #args > 5 then
    redis.call('HSET', order_key, unpack(args, 6))
  end
  if ORDER_FINAL[to] then
    redis.call('HSET', order_key, 'final_at_ms', fmt(now))
    redis.call('ZREM', open_key, order)
    redis.call('PEXPIRE', order_key, retention)
  elseif to == 'held' then
    -- Recovery ends a held order once its last line has expired.
    local ends = redis.call('HMGET', order_key, 'last_expiry_ms', 'expires_at_ms')
    redis.call('ZADD', open_key, tonumber(ends[1]) or tonumber(ends[2]) or now, order)
  else
    redis.call('ZADD', open_key, now + after, order)
  end
  emit_order(events_key, order_key, order)
  return { 'ok', 'state', to, 'version', fmt(version) }
end

redis.register_function('hs_order_mark', order_mark)
