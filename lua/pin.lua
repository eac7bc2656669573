-- hs_pin: the first half of an order's confirm (DESIGN section 14). Every line's hold
-- is pinned before any line is confirmed, so no line can expire between the first
-- confirm and the last: a confirmed order is confirmed on every line, never some.
-- KEYS: sku, hold, expiry, events, buyers
-- ARGV: sku, order, retention_ms, reacquire ('1' or '0'), pin_ms
-- A held hold not yet due keeps its units until at least now + pin_ms (its expiry and
-- the expiry index move there; recovery confirms or releases it long before). A hold
-- found past its expiry is expired here first, as confirm would; with reacquire=1 an
-- expired hold takes its units again when the SKU's rules allow and is held (pinned)
-- once more, marked reacquired, else hold_expired. A confirmed hold answers ok (a
-- repeated confirm); a released one hold_released.
local function pin(keys, args)
  local ctx, refusal = transition_context(keys, args)
  if not ctx then
    return refusal
  end
  local reacquire, pin_ms = args[4], int_arg(args[5], 1000, MAX_TTL_MS)
  if (reacquire ~= '0' and reacquire ~= '1') or not pin_ms then
    return invalid('reacquire must be 0 or 1 and pin_ms an integer in 1000..' .. fmt(MAX_TTL_MS))
  end
  local h, absent = require_hold(ctx.hold_key, ctx.order)
  if not h then
    return absent
  end
  if h.state == 'confirmed' then
    return hold_reply('ok', ctx.sku_id, ctx.order, h)
  end
  if h.state == 'released' then
    return hold_reply('hold_released', ctx.sku_id, ctx.order, h)
  end
  local s, missing = require_sku(ctx.sku_key, ctx.sku_id)
  if not s then
    return missing
  end
  local now = now_ms()
  local member = ctx.sku_id .. '/' .. ctx.order
  if h.state == 'held' then
    local expires = tonumber(h.expires_at_ms)
    if now < expires then
      if expires < now + pin_ms then
        h.expires_at_ms = fmt(now + pin_ms)
        h.version = fmt(tonumber(h.version) + 1)
        redis.call('HSET', ctx.hold_key, 'expires_at_ms', h.expires_at_ms, 'version', h.version)
        redis.call('ZADD', ctx.expiry_key, now + pin_ms, member)
        store_counters(ctx.sku_key, s)
        emit(ctx.events_key, 'pin', ctx.sku_id, s, ctx.order, h)
      end
      return hold_reply('ok', ctx.sku_id, ctx.order, h)
    end
  end
  local expired = expire_unless_reacquired(ctx, h, s, now, reacquire)
  if expired then
    return expired
  end

  -- Reacquire: the expired line takes its units again and is held, pinned.
  take(s, ctx.buyers_key, h.buyer, tonumber(h.qty))
  store_counters(ctx.sku_key, s)
  h.state, h.final_at_ms, h.expires_at_ms = 'held', nil, fmt(now + pin_ms)
  h.version = fmt(tonumber(h.version) + 1)
  redis.call('HDEL', ctx.hold_key, 'final_at_ms')
  redis.call('HSET', ctx.hold_key, 'state', 'held', 'expires_at_ms', h.expires_at_ms, 'version', h.version,
    'reacquired', '1')
  redis.call('PERSIST', ctx.hold_key)
  redis.call('ZADD', ctx.expiry_key, now + pin_ms, member)
  emit(ctx.events_key, 'pin', ctx.sku_id, s, ctx.order, h, { 'reacquired', '1' })
  return hold_reply('ok', ctx.sku_id, ctx.order, h, { 'reacquired', '1' })
end

redis.register_function('hs_pin', pin)
