-- hs_set_buckets: sets how many buckets a SKU's holds route over (DESIGN section 12).
-- Called on the SKU's own record first, then on each bucket record (`<sku>#<b>`,
-- created empty when absent); the engine then moves units between the buckets by
-- transfers.
-- KEYS: SKU record (the SKU's own, or a bucket's), its partition's events
-- ARGV: record id, buckets, mode ('set', or 'create': only make the record when it is
--       missing, for a hold that found its bucket absent and must not overwrite the
--       count of a change it may not know), then (for a bucket record) the SKU's config
--       pairs
-- On the SKU's own record a change of the count also notes, in `bucket_routings`, the
-- count the SKU routed over until now and when (Redis clock), so a retry of a hold
-- placed before the change is looked for where that count put it; and `bucket_records`
-- keeps how many records there are (a shrink retires buckets, which keep their holds
-- until those end). A bucket record refuses, from its update on, any hold routed over
-- another count (hs_hold's `rerouted`).
-- The SKU's own record notes its total when first spread (`spread_total`, or hs_set_sku
-- when the SKU is made spread): the SKU's total while it is spread. A codes SKU keeps
-- one bucket. A SKU with a per-buyer limit routes holds by buyer, so a buyer's units
-- stay in one bucket and the limit exact; after a change of the count each buyer keeps
-- a home bucket (hs_home). A SKU with a release schedule keeps it in bucket 0,
-- where every unit lent to another bucket counts as released, so the other buckets
-- hold only released units and the schedule stays exact for the SKU (rules.lua,
-- scheduled_units).
local MAX_ROUTINGS = 16

local function set_own_buckets(sku_key, events_key, record, buckets)
  local s = load_sku(sku_key)
  if not s then
    return refuse('sku_not_found', 'no SKU ' .. record)
  end
  local current = tonumber(s.buckets or '1')
  local records = tonumber(s.bucket_records or s.buckets or '1')
  local routings = s.bucket_routings and (s.bucket_routings .. ',') or ''
  local _, eras = string.gsub(routings, ',', '')
  if current ~= buckets then
    if s.kind == 'codes' then
      return invalid('a codes SKU keeps one bucket')
    end
    if eras >= MAX_ROUTINGS then
      return invalid('the bucket count of this SKU has changed ' .. fmt(MAX_ROUTINGS) .. ' times: no more changes')
    end
  end
  -- Spread for the first time from one record, the SKU has every unit still here:
  -- its total, fixed while it is spread (a release schedule stays here too).
  local noted = not s.spread_total and records == 1 and buckets > 1
  if current == buckets and not noted then
    return { 'ok', 'buckets', fmt(buckets), 'changed', '0' }
  end
  if noted then
    s.spread_total = fmt(s.total)
    redis.call('HSET', sku_key, 'spread_total', s.spread_total)
  end
  if current ~= buckets then
    s.buckets = fmt(buckets)
    s.bucket_records = fmt(math.max(records, buckets))
    s.bucket_routings = routings .. fmt(current) .. '@' .. fmt(now_ms())
    redis.call('HSET', sku_key, 'buckets', s.buckets, 'bucket_records', s.bucket_records,
      'bucket_routings', s.bucket_routings)
  end
  -- A config change: the outbox tells MySQL (the 'sku' event carries the config).
  store_counters(sku_key, s)
  emit_sku(events_key, 'sku', record, s)
  return { 'ok', 'buckets', fmt(buckets), 'changed', '1' }
end

local function set_buckets(keys, args)
  local sku_key, events_key = keys[1], keys[2]
  local record = args[1]
  local bad = check_ids('sku', record)
  if bad then
    return bad
  end
  local buckets, mode = int_arg(args[2], 1, MAX_BUCKETS), args[3]
  if not buckets or (mode ~= 'set' and mode ~= 'create') or (#args - 3) % 2 ~= 0 then
    return invalid('buckets must be an integer in 1..' .. fmt(MAX_BUCKETS) .. ', then set or create, then config pairs')
  end
  if sku_base(record) == record then
    return set_own_buckets(sku_key, events_key, record, buckets)
  end
  for i = 4, #args, 2 do
    local rule = CONFIG_RULES[args[i]]
    if not ((rule and rule(args[i + 1])) or (args[i] == 'kind' and args[i + 1] == 'counted')) then
      return invalid('bad config field ' .. tostring(args[i]))
    end
  end
  local s = load_sku(sku_key)
  local created = s == nil
  if not created and mode == 'create' then
    return { 'ok', 'buckets', s.buckets or '1', 'created', '0' }
  end
  if created then
    s = { total = 0, available = 0, held = 0, sold = 0, version = 0 }
    redis.call('HSET', sku_key, 'total', '0')
    store_counters(sku_key, s)
  end
  redis.call('HSET', sku_key, 'buckets', fmt(buckets))
  if #args > 3 then
    redis.call('HSET', sku_key, unpack(args, 4))
  end
  if created then
    emit(events_key, 'bucket', record, s)
  end
  return { 'ok', 'buckets', fmt(buckets), 'created', created and '1' or '0' }
end

redis.register_function('hs_set_buckets', set_buckets)
