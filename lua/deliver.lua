-- hs_deliver: the codes of a confirmed hold, for GET .../holds/{order}/codes.
-- KEYS: sku, hold, events, code events, undelivered
-- ARGV: sku, order
-- Answers the same codes every time; the first call records first_delivered_at_ms
-- (and tells the outbox). A held hold is hold_not_confirmed; a released or expired one
-- answers as such; a hold of a counted SKU is not_a_code_sku.
local function deliver(keys, args)
  local sku_key, hold_key, events_key, codes_key, undelivered_key = keys[1], keys[2], keys[3], keys[4], keys[5]
  local sku_id, order = args[1], args[2]
  local bad = check_ids('sku', sku_id, 'order', order)
  if bad then
    return bad
  end
  local h, absent = require_hold(hold_key, order)
  if not h then
    return absent
  end
  if h.coded ~= '1' then
    return refuse('not_a_code_sku', 'SKU ' .. sku_id .. ' counts units; its holds carry no codes')
  end
  if h.state == 'held' then
    return hold_reply('hold_not_confirmed', sku_id, order, h)
  elseif h.state == 'released' then
    return hold_reply('hold_released', sku_id, order, h)
  elseif h.state == 'expired' then
    return hold_reply('hold_expired', sku_id, order, h)
  end
  local codes = redis.call('HGET', hold_key, 'codes')
  local s = load_sku(sku_key)
  if not codes or not s then
    return refuse('unavailable', 'the codes of ' .. sku_id .. '/' .. order .. ' are missing')
  end
  if not h.first_delivered_at_ms then
    h.first_delivered_at_ms = fmt(now_ms())
    h.version = fmt(tonumber(h.version) + 1)
    redis.call('HSET', hold_key, 'first_delivered_at_ms', h.first_delivered_at_ms, 'version', h.version)
    redis.call('ZREM', undelivered_key, sku_id .. '/' .. order)
    emit(events_key, 'deliver', sku_id, s, order, h)
    local entries = {}
    for entry in string.gmatch(codes, '[^,]+') do
      entries[#entries + 1] = entry
    end
    emit_codes(codes_key, 'deliver', sku_id, s, order, h, nil, entries)
  end
  return { 'ok', 'sku', sku_id, 'order', order, 'codes', codes, 'first_delivered_at_ms', h.first_delivered_at_ms }
end

redis.register_function('hs_deliver', deliver)
