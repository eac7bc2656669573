-- hs_confirm: payment succeeded; the held units become sold.
-- KEYS: sku, hold, expiry, events, buyers, code events, pool, undelivered
-- ARGV: sku, order, retention_ms, reacquire ('1' or '0'), by_order ('1' from an order's
--       saga: only it confirms a line of an order; optional)
-- Idempotent: a confirmed hold answers ok again. A hold past its expiry is expired
-- here first (its units return, as the sweeper would do); with reacquire=1 an expired
-- hold is held and confirmed again in one step when stock allows, else hold_expired.
-- On a codes SKU the confirm moves `qty` codes from the pool to the hold, once: a
-- repeated confirm answers the same hold and its codes stay.
local function confirm(keys, args)
  local ctx, refusal = transition_context(keys, args)
  if not ctx then
    return refusal
  end
  local reacquire = args[4]
  if reacquire ~= '0' and reacquire ~= '1' then
    return invalid('reacquire must be 0 or 1')
  end
  local h, absent = require_hold(ctx.hold_key, ctx.order)
  if not h then
    return absent
  end
  local foreign = line_of_order(ctx, args[5])
  if foreign then
    return foreign
  end
  if h.state == 'confirmed' then
    -- the same body again, reacquired included
    local again = redis.call('HGET', ctx.hold_key, 'reacquired') and { 'reacquired', '1' } or nil
    return hold_reply('ok', ctx.sku_id, ctx.order, h, again)
  end
  if h.state == 'released' then
    return hold_reply('hold_released', ctx.sku_id, ctx.order, h)
  end
  local s, missing = require_sku(ctx.sku_key, ctx.sku_id)
  if not s then
    return missing
  end
  local now = now_ms()
  if h.state == 'held' then
    if now < tonumber(h.expires_at_ms) then
      local assigned, short = codes_to_assign(ctx, s, h, tonumber(h.qty))
      if short then
        return short
      end
      settle(ctx, h, s, 'confirmed', now)
      if assigned then
        assign_codes(ctx, s, h, assigned)
      end
      return hold_reply('ok', ctx.sku_id, ctx.order, h)
    end
  end
  local expired = expire_unless_reacquired(ctx, h, s, now, reacquire)
  if expired then
    return expired
  end

  -- Reacquire: take the units again and settle them as confirmed, in this one call.
  local qty = tonumber(h.qty)
  local assigned, short = codes_to_assign(ctx, s, h, qty)
  if short then
    return short
  end
  local reacquired = { 'reacquired', '1' }
  take(s, ctx.buyers_key, h.buyer, qty)
  settle(ctx, h, s, 'confirmed', now, reacquired, reacquired)
  if assigned then
    assign_codes(ctx, s, h, assigned, reacquired)
  end
  return hold_reply('ok', ctx.sku_id, ctx.order, h, { 'reacquired', '1' })
end

redis.register_function('hs_confirm', confirm)
