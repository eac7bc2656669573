-- hs_warm_stage: one chunk of a codes SKU's pool and fingerprints, staged for hs_warm.
-- KEYS: staged pool, staged fingerprints (hs:{p}:warm:pool:<sku>, hs:{p}:warm:fps:<sku>)
-- ARGV: sku, reset ('1' for a warm's first chunk: drops what an earlier, unfinished warm
--       staged), then 2 fields per code: fingerprint, sealed ('' for a code assigned to
--       an order, whose fingerprint alone is staged)
-- Staging touches no live key: hs_warm checks the staged counts and moves both keys
-- into place in its one atomic call, so a big pool reaches Redis in calls of at most
-- MAX_WARM_STAGE_CODES codes and none blocks Redis for long. Staged keys expire after
-- an hour if no hs_warm takes them.
local function warm_stage(keys, args)
  local pool_key, fps_key = keys[1], keys[2]
  local bad = check_ids(false, 'sku', args[1])
  if bad then
    return bad
  end
  local reset = args[2]
  if reset ~= '0' and reset ~= '1' then
    return invalid('reset must be 0 or 1')
  end
  local count = (#args - 2) / 2
  if count ~= math.floor(count) or count > MAX_WARM_STAGE_CODES then
    return invalid('a chunk holds 0..' .. fmt(MAX_WARM_STAGE_CODES) .. ' codes of 2 fields')
  end
  local fingerprints, pooled = {}, {}
  for i = 3, #args, 2 do
    local fp, sealed = args[i], args[i + 1]
    if #fp < 1 or #fp > 1024 or #sealed > 1024 or string.find(fp .. sealed, '[%s,]') then
      return invalid('bad code ' .. fmt((i - 1) / 2))
    end
    fingerprints[#fingerprints + 1] = fp
    if sealed ~= '' then
      pooled[#pooled + 1] = fp .. ' ' .. sealed
    end
  end

  if reset == '1' then
    redis.call('DEL', pool_key, fps_key)
  end
  if #fingerprints > 0 then
    redis.call('SADD', fps_key, unpack(fingerprints))
    redis.call('PEXPIRE', fps_key, 3600000)
  end
  if #pooled > 0 then
    redis.call('RPUSH', pool_key, unpack(pooled))
    redis.call('PEXPIRE', pool_key, 3600000)
  end
  return { 'ok', 'pooled', fmt(redis.call('LLEN', pool_key)), 'fingerprints', fmt(redis.call('SCARD', fps_key)) }
end

redis.register_function('hs_warm_stage', warm_stage)
