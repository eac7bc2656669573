-- hs_order_begin: opens the log of an order of several SKUs (DESIGN section 14), the
-- saga's durable record in the order's partition, or answers the one there.
-- KEYS: order record (hs:{p}:order:<order>), the partition's open orders (a sorted set
--       of orders in a transient state, scored by when recovery may take them over),
--       the partition's outbox (every step of the log goes to MySQL: emit_order)
-- ARGV: order, request (the canonical request: buyer, ttl and lines, so a changed one
--       is told apart), buyer ('' for none), lines ('SKU:QTY,...'), ttl_ms ('' for the
--       SKUs' defaults), recovery_after_ms
-- Reply: ok, created ('1' new, '0' there already), then the order's fields. The same
-- request again answers the order as it stands (a failed one, its error); a different
-- one is idempotency_conflict (an order id is spent once used, refused or not: its
-- lines' hold records stay for the retention).

local function order_reply(order_key, created)
  return append_fields({ 'ok', 'created', created and '1' or '0' }, read_record(order_key, ORDER_FIELDS), ORDER_FIELDS)
end

local function order_begin(keys, args)
  local order_key, open_key, events_key = keys[1], keys[2], keys[3]
  local order, request, buyer, lines, ttl, grace = args[1], args[2], args[3], args[4], args[5], args[6]
  local bad = check_ids('order', order) or (buyer ~= '' and check_ids('buyer', buyer))
  if bad then
    return bad
  end
  local after = int_arg(grace, 1, MAX_TTL_MS)
  if type(request) ~= 'string' or #request < 1 or #request > 4096 or type(lines) ~= 'string'
      or string.find(lines, '^[A-Za-z0-9._:%-]+:%d+[,A-Za-z0-9._:%-]*$') == nil
      or (ttl ~= '' and not int_arg(ttl, MIN_TTL_MS, MAX_TTL_MS)) or not after then
    return invalid('a request, its lines, a ttl_ms and a recovery delay are required')
  end
  local state = redis.call('HGET', order_key, 'state')
  if state then
    if redis.call('HGET', order_key, 'request') ~= request then
      return refuse('idempotency_conflict', 'order ' .. order .. ' already holds a different request')
    end
    return order_reply(order_key, false)
  end
  local now = now_ms()
  redis.call('HSET', order_key, 'state', 'placing', 'request', request, 'lines', lines, 'ttl_ms', ttl,
    'created_at_ms', fmt(now), 'version', '1')
  if buyer ~= '' then
    redis.call('HSET', order_key, 'buyer', buyer)
  end
  redis.call('ZADD', open_key, now + after, order)
  emit_order(events_key, order_key, order)
  return order_reply(order_key, true)
end

redis.register_function('hs_order_begin', order_begin)
