-- hs_load_codes: adds a batch of codes to a codes SKU's pool.
-- KEYS: sku, events, code events, batch (hs:{p}:batch:<sku>/<batch>), fingerprints, pool
-- ARGV: sku, batch, digest, k, then per code: k fingerprints (the current
-- key's first, then one per retired key) and the sealed code.
-- Codes arrive sealed and fingerprinted: no code is ever in clear here. A code whose
-- fingerprint (under any key) the SKU has seen — in this batch, an earlier one, or
-- already delivered — is a duplicate and is skipped. The same batch id with the same
-- digest answers its first answer again and adds nothing; with another digest,
-- idempotency_conflict. Pool entries are 'FINGERPRINT SEALED'.
local function load_codes(keys, args)
  local sku_key, events_key, codes_key, batch_key, fps_key, pool_key = keys[1], keys[2], keys[3], keys[4], keys[5],
    keys[6]
  local sku_id, batch, digest = args[1], args[2], args[3]
  local bad = check_ids('sku', sku_id, 'batch', batch)
  if bad then
    return bad
  end
  if type(digest) ~= 'string' or #digest < 1 or #digest > 128 then
    return invalid('digest must be 1-128 characters')
  end
  local k = int_arg(args[4], 1, 16)
  if not k then
    return invalid('the fingerprints per code must be an integer in 1..16')
  end
  local count = (#args - 4) / (k + 1)
  if count ~= math.floor(count) or count < 1 or count > MAX_CODES_PER_BATCH then
    return invalid('a batch holds 1..' .. fmt(MAX_CODES_PER_BATCH) .. ' codes')
  end
  for i = 5, #args do
    local v = args[i]
    if #v < 1 or #v > 1024 or string.find(v, '[%s,]') then
      return invalid('fingerprints and sealed codes are 1-1024 characters without spaces or commas')
    end
  end
  local s, missing = require_sku(sku_key, sku_id)
  if not s then
    return missing
  end
  if s.kind ~= 'codes' then
    return refuse('not_a_code_sku', 'SKU ' .. sku_id .. ' counts units; it has no code pool')
  end

  local done = redis.call('HMGET', batch_key, 'digest', 'added', 'duplicates', 'total')
  if done[1] then
    if done[1] ~= digest then
      return refuse('idempotency_conflict', 'batch ' .. batch .. ' was loaded with other codes')
    end
    return { 'ok', 'sku', sku_id, 'batch', batch, 'added', done[2], 'duplicates', done[3], 'total', done[4],
      'created', '0' }
  end

  -- Reads only: which codes are new.
  local seen, fresh, entries = {}, {}, {}
  local duplicates = 0
  for i = 0, count - 1 do
    local base = 5 + i * (k + 1)
    local duplicate = false
    for j = 0, k - 1 do
      local fp = args[base + j]
      if seen[fp] or redis.call('SISMEMBER', fps_key, fp) == 1 then
        duplicate = true
      end
    end
    if duplicate then
      duplicates = duplicates + 1
    else
      for j = 0, k - 1 do
        seen[args[base + j]] = true
      end
      fresh[#fresh + 1] = args[base]
      entries[#entries + 1] = args[base] .. ' ' .. args[base + k]
    end
  end

  -- Writes, in chunks (Lua's unpack takes a few thousand values at most).
  for first = 1, #fresh, UNPACK_CHUNK do
    local last = math.min(first + UNPACK_CHUNK - 1, #fresh)
    redis.call('SADD', fps_key, unpack(fresh, first, last))
    redis.call('RPUSH', pool_key, unpack(entries, first, last))
  end
  local added = #fresh
  s.total = s.total + added
  s.available = s.available + added
  redis.call('HSET', sku_key, 'total', fmt(s.total))
  store_counters(sku_key, s)
  redis.call('HSET', batch_key, 'digest', digest, 'added', fmt(added), 'duplicates', fmt(duplicates),
    'total', fmt(s.total))
  local extra = { 'batch', batch, 'added', fmt(added) }
  emit(events_key, 'codes', sku_id, s, nil, nil, extra)
  emit_codes(codes_key, 'codes', sku_id, s, nil, nil, extra, entries)
  if added > 0 then
    publish_restock(events_key, sku_id, s)
  end
  return { 'ok', 'sku', sku_id, 'batch', batch, 'added', fmt(added), 'duplicates', fmt(duplicates),
    'total', fmt(s.total), 'created', '1' }
end

redis.register_function('hs_load_codes', load_codes)
