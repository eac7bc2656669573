-- hs_home: settles, once, the bucket where a buyer's units of a SKU are counted after
-- the SKU's bucket count changed (DESIGN section 12). Under a per-buyer limit holds
-- route by buyer; a change of the count would route a buyer elsewhere than its units,
-- so from the first change on each buyer gets a home bucket, kept for good: the bucket
-- its units are in, or where it routes now if it has none. The first proposal wins;
-- every caller uses the winner.
-- KEYS: the SKU's homes hash for this buyer (hs:{p}:homes:<sku>, p chosen by buyer)
-- ARGV: sku, buyer, proposed bucket record id
local function home(keys, args)
  local sku_id, buyer, record = args[1], args[2], args[3]
  local bad = check_ids('sku', sku_id, 'buyer', buyer, 'sku', record)
  if bad then
    return bad
  end
  if sku_base(record) ~= sku_id or sku_base(sku_id) ~= sku_id then
    return invalid('a home is a bucket of the SKU')
  end
  redis.call('HSETNX', keys[1], buyer, record)
  return { 'ok', 'record', redis.call('HGET', keys[1], buyer) }
end

redis.register_function('hs_home', home)
