-- Sale rules: the SKU config's validators, the token bucket, the checks before taking
-- units, taking them, and moving a hold to its final state.

-- Validators of the SKU config fields an operator may set (hs_set_sku, hs_warm).
local CONFIG_RULES = {
  per_buyer_limit = function(v) return int_arg(v, 1, MAX_COUNT) end,
  opens_at_ms = function(v) return int_arg(v, 0, MAX_TIME_MS) end,
  release_rate = function(v) return rate_arg(v, MAX_COUNT) end,
  release_burst = function(v) return int_arg(v, 0, MAX_COUNT) end,
  default_ttl_ms = function(v) return int_arg(v, MIN_TTL_MS, MAX_TTL_MS) end,
  max_qty = function(v) return int_arg(v, 1, MAX_MAX_QTY) end,
  buckets = function(v) return int_arg(v, 1, MAX_BUCKETS) end,
}

-- The fields only the engine writes when a SKU is spread or its bucket count changes
-- (hs_set_sku, hs_set_buckets), which warm restores: how many bucket records it has, the
-- counts it routed over before ('COUNT@MS' comma separated), and its total when spread
-- (DESIGN section 12).
local BUCKET_LAYOUT_RULES = {
  bucket_records = function(v) return int_arg(v, 1, MAX_BUCKETS) end,
  bucket_routings = function(v)
    return type(v) == 'string' and #v <= 512 and string.find(v, '^%d+@%d+[,%d@]*$') ~= nil
  end,
  spread_total = function(v) return int_arg(v, 0, MAX_COUNT) end,
}

-- Units the token bucket has released at `now`, or nil when the SKU has no bucket. At
-- most the SKU's total: on bucket 0 of a spread SKU the total it noted when spread.
local function released_units(s, now)
  local rate = tonumber(s.release_rate)
  if not rate then
    return nil
  end
  local burst = tonumber(s.release_burst) or 0
  local opens = tonumber(s.opens_at_ms) or 0
  local elapsed = math.max(0, now - opens)
  return math.min(tonumber(s.spread_total) or s.total, burst + math.floor(rate * elapsed / 1000)), rate, burst, opens
end

-- Units of SKU record `s` its release schedule counts as taken: held and sold, and on
-- the own record of a SKU spread over buckets every unit lent to the other buckets
-- (its total when spread, `spread_total`, less its own): the schedule lives in bucket
-- 0 and the others hold only released units (DESIGN section 12).
local function scheduled_units(s)
  return s.held + s.sold + math.max(0, (tonumber(s.spread_total) or s.total) - s.total)
end

-- The not_released_yet refusal for `needed` units counted against the schedule of `s`
-- (released_units), with when to retry; nil when they are released at `now`.
local function unreleased(s, needed, now)
  local released, rate, burst, start = released_units(s, now)
  if released and needed > released then
    local ready_at = start + math.ceil((needed - burst) * 1000 / rate)
    return refuse('not_released_yet', 'units exist but the release schedule has not reached them',
      { 'retry_after_ms', fmt(math.min(math.max(1, ready_at - now), MAX_TIME_MS)) })
  end
  return nil
end

-- Checks that `qty` more units of SKU `s` may be taken by `buyer` (nil or '' for none;
-- their units are a field of the SKU's buyers hash `buyers_key`) now. Returns nil when
-- they may, or a refusal reply. Reads only.
local function check_take(s, buyers_key, buyer, qty, now)
  local opens = tonumber(s.opens_at_ms)
  if opens and now < opens then
    return refuse('sale_not_open', 'the sale opens at ' .. s.opens_at_ms,
      { 'retry_after_ms', fmt(opens - now) })
  end
  if s.available < qty then
    return refuse('sold_out', 'not enough available units', { 'available', fmt(s.available) })
  end
  local early = unreleased(s, scheduled_units(s) + qty, now)
  if early then
    return early
  end
  local limit = tonumber(s.per_buyer_limit)
  if limit and buyer and buyer ~= '' then
    local bought = tonumber(redis.call('HGET', buyers_key, buyer) or '0')
    if bought + qty > limit then
      return refuse('buyer_limit', 'the buyer would exceed the per-buyer limit of ' .. s.per_buyer_limit)
    end
  end
  return nil
end

-- Counts `qty` more units (negative: fewer) to `buyer` (nil or '' for none) in the
-- SKU's buyers hash `buyers_key` (DESIGN section 11: one hash per SKU, field = buyer);
-- a buyer left with none loses the field.
local function count_buyer(buyers_key, buyer, qty)
  if buyer and buyer ~= '' and redis.call('HINCRBY', buyers_key, buyer, qty) <= 0 then
    redis.call('HDEL', buyers_key, buyer)
  end
end

-- Takes `qty` available units into `held` (in `s`; the caller stores the counters)
-- and counts them to the buyer. The caller has run check_take.
local function take(s, buyers_key, buyer, qty)
  s.available = s.available - qty
  s.held = s.held + qty
  count_buyer(buyers_key, buyer, qty)
end

-- Moves a `held` hold to its final state ('confirmed', 'released' or 'expired'): the
-- SKU's counters, the buyer's units, the hold record (kept `retention` ms for
-- idempotency; `record_extra` adds fields to it), the expiry index and the outbox
-- (with `extra` fields). The caller has done every check.
local function settle(ctx, h, s, state, now, extra, record_extra)
  local qty = tonumber(h.qty)
  local version = tonumber(h.version)
  if not qty or not version then
    return error('hold ' .. ctx.sku_id .. '/' .. ctx.order .. ' has no valid qty or version')
  end
  s.held = s.held - qty
  if state == 'confirmed' then
    s.sold = s.sold + qty
  else
    s.available = s.available + qty
    count_buyer(ctx.buyers_key, h.buyer, -qty)
  end
  store_counters(ctx.sku_key, s)
  h.state = state
  h.final_at_ms = fmt(now)
  h.version = fmt(version + 1)
  redis.call('HSET', ctx.hold_key, unpack(append_all({ 'state', state, 'final_at_ms', h.final_at_ms, 'version',
    h.version }, record_extra)))
  redis.call('PEXPIRE', ctx.hold_key, ctx.retention)
  redis.call('ZREM', ctx.expiry_key, ctx.sku_id .. '/' .. ctx.order)
  local op = state == 'confirmed' and 'confirm' or (state == 'released' and 'release' or 'expire')
  emit(ctx.events_key, op, ctx.sku_id, s, ctx.order, h, extra)
  if state ~= 'confirmed' then
    publish_restock(ctx.events_key, ctx.sku_id, s)
  end
end

-- Validates the arguments shared by confirm and release:
-- KEYS = sku, hold, expiry, events, buyers (confirm: then code events, pool,
-- undelivered); ARGV = sku, order, retention_ms.
-- Returns a context table, or nil and a refusal reply.
local function transition_context(keys, args)
  local bad = check_ids('sku', args[1], 'order', args[2])
  if bad then
    return nil, bad
  end
  local retention = int_arg(args[3], 1000, MAX_RETENTION_MS)
  bad = check_retention(retention)
  if bad then
    return nil, bad
  end
  return {
    sku_key = keys[1], hold_key = keys[2], expiry_key = keys[3], events_key = keys[4], buyers_key = keys[5],
    codes_key = keys[6], pool_key = keys[7], undelivered_key = keys[8],
    sku_id = args[1], order = args[2], retention = retention,
  }
end

-- The step confirm and pin share once a hold is not live: a `held` hold found past its
-- expiry is expired first (its units return, as the sweeper would do); then, unless
-- `reacquire` is '1' and the SKU's rules let the hold take its units again now (its
-- buyer named where the SKU limits buyers), the reply is hold_expired. Returns that
-- reply, or nil when the caller may take the units again.
local function expire_unless_reacquired(ctx, h, s, now, reacquire)
  if h.state == 'held' then
    settle(ctx, h, s, 'expired', now)
  end
  if reacquire ~= '1' or (s.per_buyer_limit and (h.buyer or '') == '')
      or check_take(s, ctx.buyers_key, h.buyer, tonumber(h.qty), now) then
    return hold_reply('hold_expired', ctx.sku_id, ctx.order, h)
  end
  return nil
end

-- A refusal when hold `ctx.hold_key` is a line of an order of several SKUs (DESIGN
-- section 14) and the caller is not that order's saga (`by_order` not '1'): a line is
-- confirmed or released with its whole order, never alone. Reads only.
local function line_of_order(ctx, by_order)
  if by_order ~= '1' and redis.call('HGET', ctx.hold_key, 'order_line') == '1' then
    return invalid('hold ' .. ctx.sku_id .. '/' .. ctx.order .. ' is a line of order ' .. ctx.order
      .. ': confirm or release the order')
  end
  return nil
end
