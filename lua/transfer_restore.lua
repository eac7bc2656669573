-- hs_transfer_restore: puts back in flight a transfer whose debit MySQL has and whose
-- credit it lacks, when `warm` rebuilds a spread SKU after Redis was lost (DESIGN
-- section 12); the engine then credits it (hs_transfer_in, hs_transfer_done) as it
-- would any transfer a process left. Idempotent: a transfer in flight stays as it is.
-- KEYS: the donor partition's transfers hash
-- ARGV: transfer id, donor sku id, recipient sku id, units
local function transfer_restore(keys, args)
  local id, from, to = args[1], args[2], args[3]
  local bad = check_ids('transfer', id, 'sku', from, 'sku', to)
  if bad then
    return bad
  end
  local units = int_arg(args[4], 1, MAX_COUNT)
  if not units or sku_base(from) ~= sku_base(to) or from == to then
    return invalid('a transfer moves a positive number of units between two buckets of one SKU')
  end
  local restored = redis.call('HSETNX', keys[1], id, from .. ' ' .. to .. ' ' .. fmt(units) .. ' ' .. fmt(now_ms()))
  return { 'ok', 'restored', fmt(restored) }
end

redis.register_function('hs_transfer_restore', transfer_restore)
