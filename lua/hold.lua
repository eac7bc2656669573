-- hs_hold: place a hold of `qty` units for one order (the pre-reservation).
-- KEYS: sku, hold, expiry, events, buyers
-- ARGV: sku, order, qty, buyer ('' for none), ttl_ms ('' for the SKU's default),
--       buckets (how many buckets the caller routed the order over, DESIGN section 12),
--       line ('1' when the hold is a line of an order of several SKUs, DESIGN section
--       14: confirm and release then take it only from the order's saga; optional)
-- Idempotent by (sku, order): the same request again answers the existing hold with
-- created=0; a different qty or buyer is idempotency_conflict.
-- The hot path of a flash sale, so it is lean: it reads the SKU fields the decision
-- needs in one HMGET (the whole SKU only when a sale rule beyond stock applies), looks
-- for an existing hold with EXISTS, writes the SKU counters, the hold and the expiry
-- index once each, and appends a small event (counters and the hold, no config).
-- A sold_out refusal tells what a server's sold-out gate needs to answer the same
-- (DESIGN section 13): the units available, the SKU's max_qty, whether it has a
-- per-buyer limit, and the SKU's version.
local HOLD_SKU_FIELDS = { 'available', 'held', 'sold', 'version', 'total', 'per_buyer_limit', 'opens_at_ms',
  'release_rate', 'default_ttl_ms', 'max_qty', 'kind', 'buckets' }

local function hold(keys, args)
  local sku_key, hold_key, expiry_key, events_key, buyers_key = keys[1], keys[2], keys[3], keys[4], keys[5]
  local sku_id, order, qty_arg, buyer, ttl_arg, routed = args[1], args[2], args[3], args[4], args[5], args[6]
  local line = args[7] == '1'
  local bad = check_ids('sku', sku_id, 'order', order) or (buyer ~= '' and check_ids('buyer', buyer))
  if bad then
    return bad
  end
  local qty = int_arg(qty_arg, 1, MAX_COUNT)
  if not qty then
    return invalid('qty must be a positive integer')
  end
  local ttl = nil
  if ttl_arg ~= '' then
    ttl = int_arg(ttl_arg, MIN_TTL_MS, MAX_TTL_MS)
    if not ttl then
      return invalid('ttl_ms must be an integer in ' .. MIN_TTL_MS .. '..' .. MAX_TTL_MS)
    end
  end

  local v = redis.call('HMGET', sku_key, unpack(HOLD_SKU_FIELDS))
  if not v[1] then
    return refuse('sku_not_found', 'no SKU ' .. sku_id)
  end
  if redis.call('EXISTS', hold_key) == 1 then
    local existing = load_hold(hold_key)
    if existing then
      if tonumber(existing.qty) ~= qty or (existing.buyer or '') ~= buyer
          or (redis.call('HGET', hold_key, 'order_line') == '1') ~= line then
        return refuse('idempotency_conflict', 'order ' .. order .. ' already holds a different request')
      end
      return hold_reply('ok', sku_id, order, existing, { 'created', '0' })
    end
  end
  -- A caller that routed the order over another number of buckets than the SKU has
  -- (it learned the count before a change) is told the count, and writes nothing.
  local buckets = v[12] or '1'
  if routed ~= buckets then
    return refuse('rerouted', 'the SKU has ' .. buckets .. ' buckets', { 'buckets', buckets })
  end
  local max_qty = tonumber(v[10]) or DEFAULT_MAX_QTY
  if qty > max_qty then
    return invalid('qty must be an integer in 1..' .. fmt(max_qty))
  end
  local limited = v[6] ~= false
  if limited and buyer == '' then
    return invalid('buyer is required: this SKU has a per-buyer limit')
  end
  local now = now_ms()
  local available = tonumber(v[1])
  if limited or v[7] or v[8] then
    -- A sale window, a release schedule or a per-buyer limit: the full rules.
    local s = load_sku(sku_key)
    local refusal = check_take(s, buyers_key, buyer, qty, now)
    if refusal then
      if refusal[1] == 'sold_out' then
        append_all(refusal, { 'max_qty', fmt(max_qty), 'per_buyer', limited and '1' or '0', 'version', fmt(s.version) })
      end
      return refusal
    end
  elseif available < qty then
    return refuse('sold_out', 'not enough available units',
      { 'available', fmt(available), 'max_qty', fmt(max_qty), 'per_buyer', '0', 'version', v[4] })
  end

  ttl = ttl or tonumber(v[9]) or DEFAULT_TTL_MS
  local held, version = fmt(tonumber(v[2]) + qty), fmt(tonumber(v[4]) + 1)
  local q, expires, created = fmt(qty), fmt(now + ttl), fmt(now)
  available = fmt(available - qty)
  redis.call('HSET', sku_key, 'available', available, 'held', held, 'version', version)
  local record = { 'qty', q, 'state', 'held', 'expires_at_ms', expires, 'created_at_ms', created }
  if buyer ~= '' then
    redis.call('HINCRBY', buyers_key, buyer, qty)
    record[#record + 1] = 'buyer'
    record[#record + 1] = buyer
  end
  if v[11] == 'codes' then
    record[#record + 1] = 'coded'
    record[#record + 1] = '1'
  end
  redis.call('HSET', hold_key, 'version', '1', unpack(record))
  if line then
    redis.call('HSET', hold_key, 'order_line', '1')
  end
  redis.call('ZADD', expiry_key, now + ttl, sku_id .. '/' .. order)
  redis.call('XADD', events_key, '*', 'op', 'hold', 'sku', sku_id, 'total', v[5], 'available', available,
    'held', held, 'sold', v[3], 'version', version, 'order', order, 'hold_version', '1', unpack(record))
  return append_all({ 'ok', 'sku', sku_id, 'order', order, 'version', '1', 'created', '1' }, record)
end

redis.register_function('hs_hold', hold)
