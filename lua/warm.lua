-- hs_warm: rebuild one SKU's hot stock from cold stock (MySQL) after a Redis loss.
-- KEYS: sku, expiry, events, staged pool, staged fingerprints (hs_warm_stage), pool,
--       fingerprints, codeskus, undelivered, buyers, then the hold key of each hold in
--       ARGV (in their order), then (with force) the SKU's existing hold keys to drop first
-- ARGV: sku, retention_ms, force ('1' or '0'),
--       total, available, held, sold, version,
--       config pair count c, then c pairs of field, value ('kind', 'codes' for a codes SKU;
--       'buckets', N for each record of a SKU spread over N buckets, DESIGN section 12),
--       codes in MySQL n, pooled codes p (both staged by hs_warm_stage),
--       code count m, then 4 fields per code of a restored hold: fingerprint, sealed,
--       order, delivered_at_ms ('' until fetched),
--       then 8 fields per hold: order, qty, buyer ('' for none), state, expires_at_ms,
--       created_at_ms, final_at_ms ('' while held), version
-- A codes SKU gets back its pool (codes with no order: exactly available + held) and
-- its fingerprints (every code, so none loads twice), both staged beforehand in chunks
-- and moved into place here, and the codes of its restored confirmed holds with their
-- first delivery.
-- Refuses (sku_exists) to overwrite a SKU present in Redis unless force is '1'. Holds
-- whose time passed come back expired, their units returned, each with an outbox event;
-- final holds come back with what is left of their idempotency retention.
local HOLD_STATES = { held = true, confirmed = true, released = true, expired = true }

-- The record of hold `h` as read from the arguments (numbers), as the scripts store it.
local function warm_record(h, coded)
  return {
    qty = fmt(h.qty), buyer = h.buyer ~= '' and h.buyer or nil, state = h.state,
    expires_at_ms = fmt(h.expires_at_ms), created_at_ms = fmt(h.created_at_ms),
    final_at_ms = h.final_at_ms and fmt(h.final_at_ms) or nil, version = fmt(h.version),
    coded = coded and '1' or nil,
  }
end

local function warm(keys, args)
  local sku_key, expiry_key, events_key, staged_pool, staged_fps = keys[1], keys[2], keys[3], keys[4], keys[5]
  local pool_key, fps_key, code_skus_key, undelivered_key, buyers_key = keys[6], keys[7], keys[8], keys[9], keys[10]
  local sku_id = args[1]
  local bad = check_ids('sku', sku_id)
  if bad then
    return bad
  end
  local retention = int_arg(args[2], 1000, MAX_RETENTION_MS)
  local force = args[3]
  if not retention or (force ~= '0' and force ~= '1') then
    return invalid('retention_ms and force are required')
  end
  local s = {}
  for i, name in ipairs(SKU_COUNTERS) do
    s[name] = int_arg(args[3 + i], 0, MAX_COUNT)
    if not s[name] then
      return invalid(name .. ' must be an integer in 0..' .. fmt(MAX_COUNT))
    end
  end
  if s.available + s.held + s.sold ~= s.total then
    return invalid('available + held + sold must equal total')
  end
  local pairs_count = int_arg(args[9], 0, #SKU_CONFIG)
  if not pairs_count then
    return invalid('config pair count is required')
  end
  local config = {}
  for i = 0, pairs_count - 1 do
    local field, value = args[10 + 2 * i], args[11 + 2 * i]
    local rule = CONFIG_RULES[field] or BUCKET_LAYOUT_RULES[field]
    if field == 'kind' then
      rule = function(v) return v == 'codes' end
    end
    if not rule or not rule(value) then
      return invalid('bad config field ' .. tostring(field))
    end
    config[#config + 1] = field
    config[#config + 1] = value
    s[field] = value
  end
  local code_total = int_arg(args[10 + 2 * pairs_count], 0, MAX_COUNT)
  local pooled_count = int_arg(args[11 + 2 * pairs_count], 0, MAX_COUNT)
  local code_count = int_arg(args[12 + 2 * pairs_count], 0, MAX_COUNT)
  if not code_total or not pooled_count or not code_count
      or ((code_total > 0 or code_count > 0) and s.kind ~= 'codes') then
    return invalid('code counts are required, and codes only for a codes SKU')
  end
  if s.kind == 'codes' and pooled_count ~= s.available + s.held then
    return invalid('pooled codes (' .. fmt(pooled_count) .. ') differ from available + held ('
      .. fmt(s.available + s.held) .. ')')
  end
  if s.kind == 'codes' and code_total - pooled_count ~= s.sold then
    return invalid('assigned codes (' .. fmt(code_total - pooled_count) .. ') differ from sold (' .. fmt(s.sold) .. ')')
  end
  if tonumber(redis.call('HGET', sku_key, 'buckets') or '1') > 1 and not s.buckets then
    return invalid('SKU ' .. sku_id .. ' is spread over buckets: warm it from MySQL with its buckets')
  end
  if redis.call('EXISTS', sku_key) == 1 and force ~= '1' then
    return refuse('sku_exists', 'SKU ' .. sku_id .. ' is in Redis already; use force to overwrite it')
  end
  if redis.call('LLEN', staged_pool) ~= pooled_count or redis.call('SCARD', staged_fps) ~= code_total then
    return invalid('the staged pool or fingerprints differ from the codes in MySQL: stage them again')
  end
  local by_order = {}
  local first_code = 13 + 2 * pairs_count
  for i = first_code, first_code + 4 * code_count - 1, 4 do
    local fp, sealed, order, delivered = args[i], args[i + 1], args[i + 2], args[i + 3]
    if type(fp) ~= 'string' or type(sealed) ~= 'string' or type(order) ~= 'string' or type(delivered) ~= 'string'
        or #fp < 1 or #sealed < 1 or string.find(fp .. sealed, '[%s,]') or not is_id(order)
        or (delivered ~= '' and not int_arg(delivered, 0, MAX_TIME_MS)) then
      return invalid('bad code ' .. fmt((i - first_code) / 4 + 1))
    end
    local list = by_order[order] or { entries = {}, delivered = '' }
    list.entries[#list.entries + 1] = fp .. ' ' .. sealed
    if delivered ~= '' then
      list.delivered = delivered
    end
    by_order[order] = list
  end
  local first_hold = first_code + 4 * code_count
  if (#args - first_hold + 1) % 8 ~= 0 then
    return invalid('holds come as 8 fields each')
  end
  local holds = {}
  local held_units = 0
  for i = first_hold, #args, 8 do
    local h = {
      order = args[i], qty = int_arg(args[i + 1], 1, MAX_COUNT), buyer = args[i + 2], state = args[i + 3],
      expires_at_ms = int_arg(args[i + 4], 0, MAX_TIME_MS), created_at_ms = int_arg(args[i + 5], 0, MAX_TIME_MS),
      final_at_ms = args[i + 6] ~= '' and int_arg(args[i + 6], 0, MAX_TIME_MS) or false,
      version = int_arg(args[i + 7], 1, MAX_COUNT),
    }
    if not is_id(h.order) or not h.qty or (h.buyer ~= '' and not is_id(h.buyer)) or not HOLD_STATES[h.state]
        or not h.expires_at_ms or not h.created_at_ms or not h.version or h.final_at_ms == nil
        or ((h.state == 'held') ~= (h.final_at_ms == false)) then
      return invalid('bad hold ' .. tostring(h.order))
    end
    if h.state == 'held' then
      held_units = held_units + h.qty
    end
    if s.kind == 'codes' and h.state == 'confirmed' and #(by_order[h.order] or { entries = {} }).entries ~= h.qty then
      return invalid('confirmed hold ' .. h.order .. ' does not have its ' .. fmt(h.qty) .. ' codes')
    end
    holds[#holds + 1] = h
    h.key = keys[10 + #holds]
    local suffix = 'hold:' .. sku_id .. '/' .. h.order
    if not h.key or string.sub(h.key, -#suffix) ~= suffix then
      return invalid('KEYS must carry the hold key of hold ' .. h.order .. ' after the first ten')
    end
  end
  if held_units ~= s.held then
    return invalid('held units of the holds (' .. fmt(held_units) .. ') differ from held (' .. fmt(s.held) .. ')')
  end

  -- Writes start here.
  for i = 11 + #holds, #keys do
    redis.call('DEL', keys[i])
  end
  redis.call('DEL', sku_key, buyers_key)
  if s.kind == 'codes' then
    -- Moving the staged keys into place is O(1), however large the pool.
    for staged, live in pairs({ [staged_pool] = pool_key, [staged_fps] = fps_key }) do
      redis.call('DEL', live)
      if redis.call('EXISTS', staged) == 1 then
        redis.call('RENAME', staged, live)
        redis.call('PERSIST', live)
      end
    end
    redis.call('SADD', code_skus_key, sku_id)
  end
  local now = now_ms()
  local buyers = {}
  local expired, live, restored = {}, 0, 0
  for _, h in ipairs(holds) do
    local member = sku_id .. '/' .. h.order
    local hold_key = h.key
    if h.state == 'held' and h.expires_at_ms <= now then
      h.state = 'expired'
      h.final_at_ms = now
      h.version = h.version + 1
      expired[#expired + 1] = h
    end
    local keep_ms = h.final_at_ms and (retention - (now - h.final_at_ms)) or 0
    if h.state == 'held' or keep_ms > 0 then
      local record = warm_record(h, s.kind == 'codes')
      local assigned = by_order[h.order]
      local codes = nil
      if s.kind == 'codes' and h.state == 'confirmed' and assigned then
        codes = { 'codes', table.concat(assigned.entries, ',') }
        record.codes_count = fmt(#assigned.entries)
        if assigned.delivered ~= '' then
          record.first_delivered_at_ms = assigned.delivered
        else
          redis.call('ZADD', undelivered_key, h.final_at_ms, member)
        end
      end
      redis.call('DEL', hold_key)
      redis.call('HSET', hold_key, unpack(append_all(append_fields({}, record, HOLD_FIELDS), codes)))
      if h.state == 'held' then
        redis.call('ZADD', expiry_key, h.expires_at_ms, member)
        live = live + 1
      else
        redis.call('ZREM', expiry_key, member)
        redis.call('PEXPIRE', hold_key, keep_ms)
        restored = restored + 1
      end
    end
    if h.buyer ~= '' and (h.state == 'held' or h.state == 'confirmed') then
      buyers[h.buyer] = (buyers[h.buyer] or 0) + h.qty
    end
  end
  for buyer, units in pairs(buyers) do
    redis.call('HSET', buyers_key, buyer, fmt(units))
  end

  emit_sku(events_key, 'warm', sku_id, s)
  for _, h in ipairs(expired) do
    s.held = s.held - h.qty
    s.available = s.available + h.qty
    s.version = s.version + 1
    emit(events_key, 'expire', sku_id, s, h.order, warm_record(h, false))
  end
  redis.call('HSET', sku_key, 'total', fmt(s.total), 'available', fmt(s.available), 'held', fmt(s.held),
    'sold', fmt(s.sold), 'version', fmt(s.version))
  if #config > 0 then
    redis.call('HSET', sku_key, unpack(config))
  end
  return { 'ok', 'live', fmt(live), 'expired', fmt(#expired), 'restored', fmt(restored),
    'version', fmt(s.version) }
end

redis.register_function('hs_warm', warm)
