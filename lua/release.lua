-- hs_release: the buyer cancelled; the held units return to available.
-- KEYS: sku, hold, expiry, events, buyers
-- ARGV: sku, order, retention_ms, by_order ('1' from an order's saga: only it releases
--       a line of an order; optional)
-- Idempotent: a released hold answers ok again. A confirmed hold is hold_confirmed; an
-- expired one (or one found past its expiry, which is expired here first) hold_expired.
local function release(keys, args)
  local ctx, refusal = transition_context(keys, args)
  if not ctx then
    return refusal
  end
  local h, absent = require_hold(ctx.hold_key, ctx.order)
  if not h then
    return absent
  end
  local foreign = line_of_order(ctx, args[4])
  if foreign then
    return foreign
  end
  if h.state == 'released' then
    return hold_reply('ok', ctx.sku_id, ctx.order, h)
  end
  if h.state == 'confirmed' then
    return hold_reply('hold_confirmed', ctx.sku_id, ctx.order, h)
  end
  if h.state == 'expired' then
    return hold_reply('hold_expired', ctx.sku_id, ctx.order, h)
  end
  local s, missing = require_sku(ctx.sku_key, ctx.sku_id)
  if not s then
    return missing
  end
  local now = now_ms()
  if now >= tonumber(h.expires_at_ms) then
    settle(ctx, h, s, 'expired', now)
    return hold_reply('hold_expired', ctx.sku_id, ctx.order, h)
  end
  settle(ctx, h, s, 'released', now)
  return hold_reply('ok', ctx.sku_id, ctx.order, h)
end

redis.register_function('hs_release', release)
