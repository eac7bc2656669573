-- hs_adopt_buyer: folds one per-buyer key of a data set made before the buyers hashes
-- (hs:{p}:buyer:<sku>/<buyer>, a count) into the SKU's buyers hash, once.
-- KEYS: legacy buyer key, buyers hash (same partition)
-- ARGV: buyer
-- Idempotent: the legacy key goes in the same call, so a repeat finds nothing to fold.
local function adopt_buyer(keys, args)
  local bad = check_ids('buyer', args[1])
  if bad then
    return bad
  end
  local units = tonumber(redis.call('GET', keys[1]) or '0') or 0
  redis.call('DEL', keys[1])
  if units > 0 then
    redis.call('HINCRBY', keys[2], args[1], units)
  end
  return { 'ok', 'units', fmt(units) }
end

redis.register_function('hs_adopt_buyer', adopt_buyer)
