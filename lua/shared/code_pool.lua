-- Code pools: assigning a codes SKU's sealed codes to a confirmed hold (hs_confirm).

-- The first `qty` codes of a codes SKU's pool, for a confirm of hold `h`: reads Redis
-- only (it notes codes_count on `h`). Returns nil for a counted SKU; for a codes SKU a
-- table of the pool entries ('FINGERPRINT SEALED'), or nil and a refusal when the pool
-- is short (which the invariant pool == available + held rules out).
local function codes_to_assign(ctx, s, h, qty)
  if s.kind ~= 'codes' then
    return nil
  end
  local entries = redis.call('LRANGE', ctx.pool_key, 0, qty - 1)
  if #entries < qty then
    return nil, refuse('unavailable', 'the code pool of ' .. ctx.sku_id .. ' holds ' .. fmt(#entries)
      .. ' codes, ' .. fmt(qty) .. ' needed')
  end
  h.codes_count = fmt(qty)
  return entries
end

-- Moves the codes found by codes_to_assign from the pool to the confirmed hold `h` of
-- SKU `s`, lists the order as paid but not yet delivered (`undelivered`, scored by the
-- confirm time) until its codes are first fetched, and tells the code outbox: its
-- entries carry the sealed codes, so MySQL records the assignment whatever order the
-- syncers commit the load and this confirm in.
local function assign_codes(ctx, s, h, assigned, extra)
  redis.call('LTRIM', ctx.pool_key, #assigned, -1)
  redis.call('HSET', ctx.hold_key, 'codes', table.concat(assigned, ','), 'codes_count', h.codes_count)
  redis.call('ZADD', ctx.undelivered_key, h.final_at_ms, ctx.sku_id .. '/' .. ctx.order)
  emit_codes(ctx.codes_key, 'confirm', ctx.sku_id, s, ctx.order, h, extra, assigned)
end
