-- hs_set_sku: create a SKU or update it ("set total to X" plus config).
-- KEYS: sku, events, codeskus (the partition's codes SKUs)
-- ARGV: sku, total ('' for none), then config pairs: field, value ('' clears the
-- field). Fields not sent keep their value. The pair 'kind', 'counted' | 'codes' may
-- only create: an existing SKU keeps its kind.
-- A new SKU starts with available = total; a total below held + sold is refused. A
-- codes SKU takes no total: its total is the number of codes loaded (hs_load_codes).
local function set_sku(keys, args)
  local sku_key, events_key, code_skus_key = keys[1], keys[2], keys[3]
  local sku_id = args[1]
  local bad = check_ids('sku', sku_id)
  if bad then
    return bad
  end
  local total = nil
  if args[2] ~= '' then
    total = int_arg(args[2], 0, MAX_COUNT)
    if not total then
      return invalid('total must be an integer in 0..' .. fmt(MAX_COUNT))
    end
  end
  if (#args - 2) % 2 ~= 0 then
    return invalid('config must come as field/value pairs')
  end
  local sets, clears, seen = {}, {}, {}
  local kind = nil
  for i = 3, #args, 2 do
    local field, value = args[i], args[i + 1]
    local rule = CONFIG_RULES[field]
    if field == 'kind' then
      if value ~= 'counted' and value ~= 'codes' then
        return invalid('kind must be counted or codes')
      end
      kind = value
    elseif not rule then
      return invalid('unknown SKU field ' .. tostring(field))
    end
    if seen[field] then
      return invalid('SKU field ' .. field .. ' appears twice')
    end
    seen[field] = true
    if field == 'kind' then
      -- handled above
    elseif value == '' then
      clears[#clears + 1] = field
    elseif not rule(value) then
      return invalid(field .. ' has an invalid value')
    else
      sets[field] = value
    end
  end

  local s = load_sku(sku_key)
  local created = s == nil
  if created then
    s = { total = 0, available = 0, held = 0, sold = 0, version = 0 }
    if kind == 'codes' then
      s.kind = 'codes'
    end
  elseif kind and kind ~= (s.kind or 'counted') then
    return invalid('the kind of an existing SKU cannot change')
  elseif (tonumber(s.buckets) or 1) > 1 or (tonumber(s.bucket_records) or 1) > 1 then
    -- Its total and rules are spread over its buckets' records (DESIGN section 12).
    return invalid('a SKU spread over buckets cannot be changed yet')
  end
  if seen.buckets and (sets.buckets or '') ~= (s.buckets or '1') and not created then
    -- A change of the count is hs_set_buckets's (the engine calls it after this).
    return invalid('buckets of an existing SKU change through hs_set_buckets')
  end
  if s.kind == 'codes' then
    if total then
      return invalid('the total of a codes SKU is the number of codes loaded: load codes instead')
    end
    total = s.total
  elseif not total then
    return invalid('total is required')
  end
  for _, field in ipairs(clears) do
    s[field] = nil
  end
  for field, value in pairs(sets) do
    s[field] = value
  end
  if s.release_rate and not s.opens_at_ms then
    return invalid('release_rate needs opens_at_ms')
  end
  if (tonumber(s.buckets) or 1) > 1 then
    if s.kind == 'codes' then
      return invalid('a codes SKU keeps one bucket')
    end
  end
  if total < s.held + s.sold then
    return refuse('total_below_committed', 'total ' .. fmt(total) .. ' is below held + sold = '
      .. fmt(s.held + s.sold))
  end

  if created and (tonumber(s.buckets) or 1) > 1 then
    -- Spread from the start (DESIGN section 12): the SKU's total, fixed while it is spread.
    sets.spread_total = fmt(total)
    s.spread_total = sets.spread_total
  end
  s.total = total
  s.available = total - s.held - s.sold
  s.version = s.version + 1
  redis.call('HSET', sku_key, 'total', fmt(s.total), 'available', fmt(s.available), 'held', fmt(s.held),
    'sold', fmt(s.sold), 'version', fmt(s.version))
  if #clears > 0 then
    redis.call('HDEL', sku_key, unpack(clears))
  end
  if created and s.kind == 'codes' then
    redis.call('HSET', sku_key, 'kind', 'codes')
    -- The partition's codes SKUs, for the pool metrics.
    redis.call('SADD', code_skus_key, sku_id)
  end
  local config = {}
  for field, value in pairs(sets) do
    config[#config + 1] = field
    config[#config + 1] = value
  end
  if #config > 0 then
    redis.call('HSET', sku_key, unpack(config))
  end
  local extra = { 'created', created and '1' or '0' }
  emit_sku(events_key, 'sku', sku_id, s, extra)
  local reply = sku_fields({ 'ok' }, sku_id, s)
  reply[#reply + 1] = 'created'
  reply[#reply + 1] = created and '1' or '0'
  return reply
end

redis.register_function('hs_set_sku', set_sku)
