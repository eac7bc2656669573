-- hs_warm_stage: one chunk of a codes SKU's pool and fingerprints, staged for hs_warm.
-- KEYS: staged pool, staged fingerprints (hs:{p}:warm:pool:<sku>, hs:{p}:warm:fps:<sku>)
-- ARGV: sku, offset (codes staged before this chunk; 0 starts over, dropping what an
--       earlier, unfinished warm staged), then 2 fields per code: fingerprint, sealed
--       ('' for a code assigned to an order, whose fingerprint alone is staged)
-- Idempotent: every code has its own fingerprint, so the staged fingerprints count the
-- codes staged; a chunk found already staged (a retry) answers ok and adds nothing.
-- Staging touches no live key: hs_warm checks the staged counts and moves both keys
-- into place in its one atomic call, so a big pool reaches Redis in calls of at most
-- MAX_WARM_STAGE_CODES codes and none blocks Redis for long. Staged keys expire after
-- an hour if no hs_warm takes them.
local function warm_stage(keys, args)
  local pool_key, fps_key = keys[1], keys[2]
  local bad = check_ids('sku', args[1])
  if bad then
    return bad
  end
  local offset = int_arg(args[2], 0, MAX_COUNT)
  if not offset then
    return invalid('offset must be an integer in 0..' .. fmt(MAX_COUNT))
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

  local staged = redis.call('SCARD', fps_key)
  if offset > 0 and staged == offset + #fingerprints then
    return { 'ok', 'pooled', fmt(redis.call('LLEN', pool_key)), 'fingerprints', fmt(staged) }
  end
  if offset > 0 and staged ~= offset then
    return invalid('the staged codes (' .. fmt(staged) .. ') are not the ' .. fmt(offset) .. ' this chunk follows')
  end
  if offset == 0 then
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
