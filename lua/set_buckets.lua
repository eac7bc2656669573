-- hs_set_buckets: spreads a SKU's stock over `buckets` buckets (DESIGN section 12): the
-- SKU's own record notes how many, and every bucket record gets the same note and a
-- copy of the SKU's config. Called on the SKU's record first, then on each bucket's
-- (`<sku>#<b>`, created empty when absent); the engine then moves units into the new
-- buckets by transfers.
-- KEYS: SKU record (the SKU's own, or a bucket's), its partition's events
-- ARGV: record id, buckets, then (for a bucket record) the SKU's config pairs
-- For now a SKU gets its buckets once (1 -> N), and only a counted SKU without a
-- per-buyer limit or release schedule: what keeps those rules exact over buckets, and
-- changing the count while a sale runs, are still to come (invalid_argument until then).
local function set_buckets(keys, args)
  local sku_key, events_key = keys[1], keys[2]
  local record = args[1]
  local bad = check_ids('sku', record)
  if bad then
    return bad
  end
  local buckets = int_arg(args[2], 1, MAX_BUCKETS)
  if not buckets or (#args - 2) % 2 ~= 0 then
    return invalid('buckets must be an integer in 1..' .. fmt(MAX_BUCKETS) .. ', then config pairs')
  end
  local own = sku_base(record) == record
  if not own and #args > 2 then
    for i = 3, #args, 2 do
      local rule = CONFIG_RULES[args[i]]
      if not ((rule and rule(args[i + 1])) or (args[i] == 'kind' and args[i + 1] == 'counted')) then
        return invalid('bad config field ' .. tostring(args[i]))
      end
    end
  end
  local s = load_sku(sku_key)
  if own then
    if not s then
      return refuse('sku_not_found', 'no SKU ' .. record)
    end
    if s.kind == 'codes' and buckets > 1 then
      return invalid('a codes SKU keeps one bucket')
    end
    if buckets > 1 and (s.per_buyer_limit or s.release_rate) then
      return invalid('buckets with a per-buyer limit or a release schedule are not supported yet')
    end
    local current = tonumber(s.buckets or '1')
    if current ~= buckets and current ~= 1 then
      return invalid('the number of buckets cannot change yet once set')
    end
    if current ~= buckets then
      -- A config change: the outbox tells MySQL (the 'sku' event carries the config).
      s.buckets = fmt(buckets)
      redis.call('HSET', sku_key, 'buckets', s.buckets)
      store_counters(sku_key, s)
      emit_sku(events_key, 'sku', record, s)
    end
    return { 'ok', 'buckets', fmt(buckets) }
  end

  local created = s == nil
  if created then
    s = { total = 0, available = 0, held = 0, sold = 0, version = 0 }
    redis.call('HSET', sku_key, 'total', '0')
    store_counters(sku_key, s)
  end
  redis.call('HSET', sku_key, 'buckets', fmt(buckets))
  if #args > 2 then
    redis.call('HSET', sku_key, unpack(args, 3))
  end
  if created then
    emit(events_key, 'bucket', record, s)
  end
  return { 'ok', 'buckets', fmt(buckets), 'created', created and '1' or '0' }
end

redis.register_function('hs_set_buckets', set_buckets)
