-- hs_transfer_out: the first step of moving units between two buckets of one SKU
-- (DESIGN section 12): takes up to `want`, at least `least`, available units out of the
-- donor bucket and records them in transit under the transfer id, in the donor's
-- partition, until hs_transfer_in credited them and hs_transfer_done cleared the record.
-- KEYS: donor SKU record, donor events, donor partition's transfers hash
-- ARGV: donor sku id, recipient sku id (another bucket of the same SKU), transfer id,
--       want, least
-- Reply: ok, units (taken), version; sold_out (with available) when fewer than `least`
-- are available; not_released_yet (with retry_after_ms) when the donor's release
-- schedule (bucket 0 of a scheduled SKU) has not reached `least` more units: a unit
-- that leaves bucket 0 counts as released. Idempotent: the same transfer id again
-- answers the units it took.
-- Per SKU at every moment: the buckets' totals + the units in transit == the total.
local function transfer_out(keys, args)
  local sku_key, events_key, transfers_key = keys[1], keys[2], keys[3]
  local from, to, id = args[1], args[2], args[3]
  local bad = check_ids('sku', from, 'sku', to, 'transfer', id)
  if bad then
    return bad
  end
  if sku_base(from) ~= sku_base(to) or from == to then
    return invalid('a transfer moves units between two buckets of one SKU')
  end
  local want, least = int_arg(args[4], 1, MAX_COUNT), int_arg(args[5], 1, MAX_COUNT)
  if not want or not least or least > want then
    return invalid('want and least must be integers with 1 <= least <= want')
  end
  local done = redis.call('HGET', transfers_key, id)
  if done then
    local units = string.match(done, '^%S+ %S+ (%d+) ')
    return { 'ok', 'units', units, 'again', '1' }
  end
  local s, missing = require_sku(sku_key, from)
  if not s then
    return missing
  end
  if s.available < least then
    return refuse('sold_out', 'not enough available units', { 'available', fmt(s.available) })
  end
  local units = math.min(want, s.available)
  local now = now_ms()
  local released = released_units(s, now)
  if released then
    local early = unreleased(s, scheduled_units(s) + least, now)
    if early then
      return early
    end
    units = math.min(units, released - scheduled_units(s))
  end

  s.available = s.available - units
  s.total = s.total - units
  redis.call('HSET', sku_key, 'total', fmt(s.total))
  store_counters(sku_key, s)
  redis.call('HSET', transfers_key, id, from .. ' ' .. to .. ' ' .. fmt(units) .. ' ' .. fmt(now))
  emit(events_key, 'transfer_out', from, s, nil, nil, { 'transfer', id, 'to', to, 'units', fmt(units) })
  return { 'ok', 'units', fmt(units), 'version', fmt(s.version) }
end

redis.register_function('hs_transfer_out', transfer_out)
