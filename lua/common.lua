-- HotStock's Redis Functions library is "#!lua name=hotstock", then this file, then
-- one file per operation; the locals below are shared by every operation.
--
-- Rules every function keeps:
--   * all arguments are validated before the first write (a Lua error does not roll
--     back earlier writes);
--   * time comes from the Redis server clock (TIME), never from the caller;
--   * available + held + sold == total after every change, and the SKU's version
--     goes up by one per change;
--   * every change appends one event to the partition's outbox stream, carrying the
--     SKU's absolute counters and version after the change.
--
-- Replies are flat arrays: an outcome ("ok" or a contract error code such as
-- "sold_out"), then field/value pairs, all as strings.

local MAX_COUNT = 1000000000000 -- 10^12: totals and quantities stay exact in a double
local MAX_TIME_MS = 253402300799999 -- 9999-12-31, the largest timestamp accepted
local MIN_TTL_MS = 1000
local MAX_TTL_MS = 86400000
local DEFAULT_TTL_MS = 900000
local DEFAULT_MAX_QTY = 1000
local MAX_MAX_QTY = 1000000
local MAX_RETENTION_MS = 30 * 86400000

local SKU_COUNTERS = { 'total', 'available', 'held', 'sold', 'version' }
-- `kind` is 'codes' for a SKU that sells a pool of codes, absent for a counted one.
local SKU_CONFIG = { 'per_buyer_limit', 'opens_at_ms', 'release_rate', 'release_burst', 'default_ttl_ms', 'max_qty',
  'kind' }
-- A hold of a codes SKU has `coded` = '1'; once confirmed, `codes_count`; once fetched,
-- `first_delivered_at_ms`. Its codes (sealed) are in the field `codes`, not listed here.
local HOLD_FIELDS = { 'qty', 'buyer', 'state', 'expires_at_ms', 'created_at_ms', 'final_at_ms', 'version',
  'coded', 'codes_count', 'first_delivered_at_ms' }
local MAX_CODES_PER_BATCH = 10000

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%d', n)
end

local function is_id(s)
  return type(s) == 'string' and #s >= 1 and #s <= 64 and string.find(s, '^[A-Za-z0-9._:%-]+$') ~= nil
end

-- A decimal integer in [lo, hi], or nil for anything else.
local function int_arg(s, lo, hi)
  if type(s) ~= 'string' or #s > 16 or string.find(s, '^%-?%d+$') == nil then
    return nil
  end
  local n = tonumber(s)
  if n == nil or n < lo or n > hi then
    return nil
  end
  return n
end

-- A positive decimal number (e.g. "2.5") no larger than hi, or nil.
local function rate_arg(s, hi)
  if type(s) ~= 'string' or #s > 24 or string.find(s, '^%d+%.?%d*$') == nil then
    return nil
  end
  local n = tonumber(s)
  if n == nil or n <= 0 or n > hi then
    return nil
  end
  return n
end

local function refuse(code, message, extra)
  local reply = { code, 'message', message }
  if extra then
    for _, v in ipairs(extra) do
      reply[#reply + 1] = v
    end
  end
  return reply
end

local function invalid(message)
  return refuse('invalid_argument', message)
end

-- The SKU hash as a table (numbers for counters, strings for config), or nil.
local function load_sku(key)
  local names = { 'total', 'available', 'held', 'sold', 'version',
    'per_buyer_limit', 'opens_at_ms', 'release_rate', 'release_burst', 'default_ttl_ms', 'max_qty', 'kind' }
  local v = redis.call('HMGET', key, unpack(names))
  if not v[1] then
    return nil
  end
  local s = {}
  for i, name in ipairs(names) do
    if v[i] then
      s[name] = v[i]
    end
  end
  for _, name in ipairs(SKU_COUNTERS) do
    s[name] = tonumber(s[name]) or 0
  end
  return s
end

local function sku_fields(sku_id, s)
  local fields = { 'sku', sku_id }
  for _, name in ipairs(SKU_COUNTERS) do
    fields[#fields + 1] = name
    fields[#fields + 1] = fmt(s[name])
  end
  for _, name in ipairs(SKU_CONFIG) do
    if s[name] then
      fields[#fields + 1] = name
      fields[#fields + 1] = s[name]
    end
  end
  return fields
end

-- The hold hash as a table of strings, or nil (also for a record missing its numbers,
-- which no script writes: treating it as absent keeps every later step from failing
-- after a write).
local function load_hold(key)
  local v = redis.call('HMGET', key, unpack(HOLD_FIELDS))
  if not v[1] or not tonumber(v[1]) or not v[3] or not tonumber(v[4]) or not tonumber(v[5])
      or not tonumber(v[7]) then
    return nil
  end
  local h = {}
  for i, name in ipairs(HOLD_FIELDS) do
    if v[i] then
      h[name] = v[i]
    end
  end
  return h
end

local function hold_fields(sku_id, order, h)
  local fields = { 'sku', sku_id, 'order', order }
  for _, name in ipairs(HOLD_FIELDS) do
    if h[name] then
      fields[#fields + 1] = name
      fields[#fields + 1] = h[name]
    end
  end
  return fields
end

local function hold_reply(code, sku_id, order, h, extra)
  local reply = { code }
  for _, v in ipairs(hold_fields(sku_id, order, h)) do
    reply[#reply + 1] = v
  end
  if extra then
    for _, v in ipairs(extra) do
      reply[#reply + 1] = v
    end
  end
  return reply
end

-- Appends one outbox event: the operation, the SKU's counters after it, and the hold's
-- state after it (when the change concerns a hold).
local function emit(events_key, op, sku_id, s, order, h, extra)
  local entry = { 'op', op }
  for _, v in ipairs(sku_fields(sku_id, s)) do
    entry[#entry + 1] = v
  end
  if order then
    entry[#entry + 1] = 'order'
    entry[#entry + 1] = order
    for _, name in ipairs(HOLD_FIELDS) do
      if h[name] then
        entry[#entry + 1] = name == 'version' and 'hold_version' or name
        entry[#entry + 1] = h[name]
      end
    end
  end
  if extra then
    for _, v in ipairs(extra) do
      entry[#entry + 1] = v
    end
  end
  redis.call('XADD', events_key, '*', unpack(entry))
end

-- Units the token bucket has released at `now`, or nil when the SKU has no bucket.
local function released_units(s, now)
  local rate = tonumber(s.release_rate)
  if not rate then
    return nil
  end
  local burst = tonumber(s.release_burst) or 0
  local opens = tonumber(s.opens_at_ms) or 0
  local elapsed = math.max(0, now - opens)
  return math.min(s.total, burst + math.floor(rate * elapsed / 1000)), rate, burst, opens
end

-- Checks that `qty` more units of SKU `s` may be taken by `buyer` now. Returns nil when
-- they may, or a refusal reply. Reads only.
local function check_take(s, buyer_key, qty, now)
  local opens = tonumber(s.opens_at_ms)
  if opens and now < opens then
    return refuse('sale_not_open', 'the sale opens at ' .. s.opens_at_ms,
      { 'retry_after_ms', fmt(opens - now) })
  end
  if s.available < qty then
    return refuse('sold_out', 'not enough available units', { 'available', fmt(s.available) })
  end
  local released, rate, burst, start = released_units(s, now)
  local needed = s.held + s.sold + qty
  if released and needed > released then
    local ready_at = start + math.ceil((needed - burst) * 1000 / rate)
    return refuse('not_released_yet', 'units exist but the release schedule has not reached them',
      { 'retry_after_ms', fmt(math.min(math.max(1, ready_at - now), MAX_TIME_MS)) })
  end
  local limit = tonumber(s.per_buyer_limit)
  if limit and buyer_key then
    local bought = tonumber(redis.call('GET', buyer_key) or '0')
    if bought + qty > limit then
      return refuse('buyer_limit', 'the buyer would exceed the per-buyer limit of ' .. s.per_buyer_limit)
    end
  end
  return nil
end

local function buyer_key_of(prefix, sku_id, buyer)
  if buyer == nil or buyer == '' then
    return nil
  end
  return prefix .. 'buyer:' .. sku_id .. '/' .. buyer
end

-- Writes SKU counters after a change, bumping the version.
local function store_counters(sku_key, s)
  s.version = s.version + 1
  redis.call('HSET', sku_key, 'available', fmt(s.available), 'held', fmt(s.held),
    'sold', fmt(s.sold), 'version', fmt(s.version))
end

-- Moves a `held` hold to its final state ('confirmed', 'released' or 'expired'): the
-- SKU's counters, the buyer's units, the hold record (kept `retention` ms for
-- idempotency), the expiry index and the outbox (with `extra` fields). The caller has
-- done every check.
local function settle(ctx, h, s, state, now, extra)
  local qty = tonumber(h.qty)
  local version = tonumber(h.version)
  if not qty or not version then
    return error('hold ' .. ctx.sku_id .. '/' .. ctx.order .. ' has no valid qty or version')
  end
  s.held = s.held - qty
  if state == 'confirmed' then
    s.sold = s.sold + qty
  else
    s.available = s.available + qty
    local buyer_key = buyer_key_of(ctx.prefix, ctx.sku_id, h.buyer)
    if buyer_key and redis.call('DECRBY', buyer_key, qty) <= 0 then
      redis.call('DEL', buyer_key)
    end
  end
  store_counters(ctx.sku_key, s)
  h.state = state
  h.final_at_ms = fmt(now)
  h.version = fmt(version + 1)
  redis.call('HSET', ctx.hold_key, 'state', state, 'final_at_ms', h.final_at_ms, 'version', h.version)
  redis.call('PEXPIRE', ctx.hold_key, ctx.retention)
  redis.call('ZREM', ctx.expiry_key, ctx.sku_id .. '/' .. ctx.order)
  local op = state == 'confirmed' and 'confirm' or (state == 'released' and 'release' or 'expire')
  emit(ctx.events_key, op, ctx.sku_id, s, ctx.order, h, extra)
end

-- The first `qty` codes of a codes SKU's pool, for a confirm of hold `h`: reads Redis
-- only (it notes codes_count on `h`). Returns nil for a counted SKU; for a codes SKU a
-- table of the pool entries ('FINGERPRINT SEALED') and the event fields carrying them,
-- or nil and a refusal when the pool is short (which the invariant
-- pool == available + held rules out).
local function codes_to_assign(ctx, s, h, qty)
  if s.kind ~= 'codes' then
    return nil
  end
  local pool_key = ctx.prefix .. 'pool:' .. ctx.sku_id
  local entries = redis.call('LRANGE', pool_key, 0, qty - 1)
  if #entries < qty then
    return nil, refuse('unavailable', 'the code pool of ' .. ctx.sku_id .. ' holds ' .. fmt(#entries)
      .. ' codes, ' .. fmt(qty) .. ' needed')
  end
  h.codes_count = fmt(qty)
  -- The event carries the sealed entries: MySQL can record the assignment whatever
  -- order the syncers commit the load and this confirm in.
  return { pool_key = pool_key, entries = entries, event = { 'codes', table.concat(entries, ',') } }
end

-- Moves the codes found by codes_to_assign from the pool to the hold, and lists the
-- order as paid but not yet delivered (`undelivered`, scored by the confirm time) until
-- its codes are first fetched.
local function assign_codes(ctx, h, assigned)
  redis.call('LTRIM', assigned.pool_key, #assigned.entries, -1)
  redis.call('HSET', ctx.hold_key, 'codes', table.concat(assigned.entries, ','), 'codes_count', h.codes_count)
  redis.call('ZADD', ctx.prefix .. 'undelivered', h.final_at_ms, ctx.sku_id .. '/' .. ctx.order)
end

-- Validates the arguments shared by confirm and release:
-- KEYS = sku, hold, expiry, events; ARGV = sku, order, retention_ms, prefix.
-- Returns a context table, or nil and a refusal reply.
local function transition_context(keys, args)
  if not is_id(args[1]) then
    return nil, invalid('sku must be 1-64 characters of [A-Za-z0-9._:-]')
  end
  if not is_id(args[2]) then
    return nil, invalid('order must be 1-64 characters of [A-Za-z0-9._:-]')
  end
  local retention = int_arg(args[3], 1000, MAX_RETENTION_MS)
  if not retention then
    return nil, invalid('retention_ms must be an integer in 1000..' .. fmt(MAX_RETENTION_MS))
  end
  if type(args[4]) ~= 'string' or args[4] == '' then
    return nil, invalid('a key prefix is required')
  end
  return {
    sku_key = keys[1], hold_key = keys[2], expiry_key = keys[3], events_key = keys[4],
    sku_id = args[1], order = args[2], retention = retention, prefix = args[4],
  }
end
