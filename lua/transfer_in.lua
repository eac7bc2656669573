-- hs_transfer_in: the second step of a transfer: credits the units hs_transfer_out took
-- to the recipient bucket, once per transfer id (the recipient's partition remembers
-- the ids it settled for a day), and tells the sold-out gates that units are back.
-- Mode 'void' settles the id without crediting anything (the recipient is gone: the
-- units then go back to the donor under the id '<id>:back'), so no later credit of the
-- same transfer can land twice.
-- KEYS: recipient SKU record, recipient events, recipient partition's settled ids
-- ARGV: recipient sku id, donor sku id, transfer id, units, mode ('credit' or 'void')
-- Reply: ok, settled ('credited', 'voided', or how it was settled before, with
-- again=1), version. A missing recipient is sku_not_found in mode 'credit'.
local SETTLED_MEMORY_MS = 86400000

local function transfer_in(keys, args)
  local sku_key, events_key, settled_key = keys[1], keys[2], keys[3]
  local to, from, id, mode = args[1], args[2], args[3], args[5]
  local bad = check_ids('sku', to, 'sku', from, 'transfer', id)
  if bad then
    return bad
  end
  if sku_base(from) ~= sku_base(to) then
    return invalid('a transfer moves units between buckets of one SKU')
  end
  local units = int_arg(args[4], 1, MAX_COUNT)
  if not units or (mode ~= 'credit' and mode ~= 'void') then
    return invalid('units must be a positive integer and mode credit or void')
  end
  if redis.call('ZSCORE', settled_key, id) then
    return { 'ok', 'settled', 'credited', 'again', '1' }
  end
  if redis.call('ZSCORE', settled_key, id .. '/void') then
    return { 'ok', 'settled', 'voided', 'again', '1' }
  end
  local now = now_ms()
  redis.call('ZREMRANGEBYSCORE', settled_key, '-inf', now - SETTLED_MEMORY_MS)
  if mode == 'void' then
    redis.call('ZADD', settled_key, now, id .. '/void')
    return { 'ok', 'settled', 'voided' }
  end
  local s, missing = require_sku(sku_key, to)
  if not s then
    return missing
  end

  s.available = s.available + units
  s.total = s.total + units
  redis.call('HSET', sku_key, 'total', fmt(s.total))
  store_counters(sku_key, s)
  redis.call('ZADD', settled_key, now, id)
  emit(events_key, 'transfer_in', to, s, nil, nil, { 'transfer', id, 'from', from, 'units', fmt(units) })
  publish_restock(events_key, to, s)
  return { 'ok', 'settled', 'credited', 'version', fmt(s.version) }
end

redis.register_function('hs_transfer_in', transfer_in)
