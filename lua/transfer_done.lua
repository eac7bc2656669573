-- hs_transfer_done: the last step of a transfer: the donor's partition forgets the
-- transfer once its units were credited (hs_transfer_in). Idempotent.
-- KEYS: donor partition's transfers hash
-- ARGV: transfer id
local function transfer_done(keys, args)
  local bad = check_ids('transfer', args[1])
  if bad then
    return bad
  end
  return { 'ok', 'cleared', fmt(redis.call('HDEL', keys[1], args[1])) }
end

redis.register_function('hs_transfer_done', transfer_done)
