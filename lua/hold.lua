-- hs_hold: place a hold of `qty` units for one order (the pre-reservation).
-- KEYS: sku, hold, expiry, events
-- ARGV: sku, order, qty, buyer ('' for none), ttl_ms ('' for the SKU's default), key prefix
-- Idempotent by (sku, order): the same request again answers the existing hold with
-- created=0; a different qty or buyer is idempotency_conflict.
local function hold(keys, args)
  local sku_key, hold_key, expiry_key, events_key = keys[1], keys[2], keys[3], keys[4]
  local sku_id, order, qty_arg, buyer, ttl_arg, prefix = args[1], args[2], args[3], args[4], args[5], args[6]
  local bad = check_ids(prefix, 'sku', sku_id, 'order', order) or (buyer ~= '' and check_ids(false, 'buyer', buyer))
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

  local s, missing = require_sku(sku_key, sku_id)
  if not s then
    return missing
  end
  local existing = load_hold(hold_key)
  if existing then
    if tonumber(existing.qty) ~= qty or (existing.buyer or '') ~= buyer then
      return refuse('idempotency_conflict', 'order ' .. order .. ' already holds a different request')
    end
    return hold_reply('ok', sku_id, order, existing, { 'created', '0' })
  end
  local max_qty = tonumber(s.max_qty) or DEFAULT_MAX_QTY
  if qty > max_qty then
    return invalid('qty must be an integer in 1..' .. fmt(max_qty))
  end
  if s.per_buyer_limit and buyer == '' then
    return invalid('buyer is required: this SKU has a per-buyer limit')
  end
  local now = now_ms()
  local buyer_key = buyer_key_of(prefix, sku_id, buyer)
  local refusal = check_take(s, buyer_key, qty, now)
  if refusal then
    return refusal
  end

  ttl = ttl or tonumber(s.default_ttl_ms) or DEFAULT_TTL_MS
  take(s, buyer_key, qty)
  store_counters(sku_key, s)
  local h = {
    qty = fmt(qty), state = 'held', expires_at_ms = fmt(now + ttl), created_at_ms = fmt(now), version = '1',
    buyer = buyer_key and buyer or nil, coded = s.kind == 'codes' and '1' or nil,
  }
  redis.call('HSET', hold_key, unpack(append_fields({}, h, HOLD_FIELDS)))
  redis.call('ZADD', expiry_key, now + ttl, sku_id .. '/' .. order)
  emit(events_key, 'hold', sku_id, s, order, h)
  return hold_reply('ok', sku_id, order, h, { 'created', '1' })
end

redis.register_function('hs_hold', hold)
