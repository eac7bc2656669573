-- hs_claim: binds an order of a SKU whose holds route by buyer (a per-buyer limit over
-- several buckets, DESIGN section 12) to its buyer, once. The hold lives in the buyer's
-- bucket, so a request naming the same order with another buyer would land elsewhere:
-- the claim, in a partition chosen by the order, is where the engine learns the order's
-- buyer first (a different one: idempotency_conflict), and where a confirm or release,
-- which name no buyer, learn where the hold is. A claim outlives its hold (the longest
-- TTL plus the idempotency retention).
-- KEYS: claim key
-- ARGV: sku, order, buyer, ttl_ms
local function claim(keys, args)
  local sku_id, order, buyer = args[1], args[2], args[3]
  local bad = check_ids('sku', sku_id, 'order', order, 'buyer', buyer)
  if bad then
    return bad
  end
  local ttl = int_arg(args[4], 1000, MAX_TTL_MS + MAX_RETENTION_MS + 3600000)
  if not ttl then
    return invalid('ttl_ms must be a positive integer')
  end
  local owner = redis.call('GET', keys[1])
  if owner then
    return { 'ok', 'buyer', owner, 'created', '0' }
  end
  redis.call('SET', keys[1], buyer, 'PX', ttl)
  return { 'ok', 'buyer', buyer, 'created', '1' }
end

redis.register_function('hs_claim', claim)
