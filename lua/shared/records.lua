-- Records: reading and writing the SKU and hold hashes, the replies that carry them,
-- and the outbox. The field lists (SKU_COUNTERS, SKU_CONFIG, SKU_FIELDS, HOLD_FIELDS,
-- HOLD_EVENT_FIELDS) come from the schema prelude the engine generates from Swift.

-- The fields `names` of hash `key` as a table of strings (absent fields left out), or
-- nil when the first field is absent.
local function read_record(key, names)
  local v = redis.call('HMGET', key, unpack(names))
  if not v[1] then
    return nil
  end
  local record = {}
  for i, name in ipairs(names) do
    if v[i] then
      record[name] = v[i]
    end
  end
  return record
end

-- The SKU hash as a table (numbers for counters, strings for config), or nil.
local function load_sku(key)
  local s = read_record(key, SKU_FIELDS)
  if not s then
    return nil
  end
  for _, name in ipairs(SKU_COUNTERS) do
    s[name] = tonumber(s[name]) or 0
  end
  return s
end

-- The hold hash as a table of strings, or nil (also for a record missing its numbers,
-- which no script writes: treating it as absent keeps every later step from failing
-- after a write).
local function load_hold(key)
  local h = read_record(key, HOLD_FIELDS)
  if not h or not tonumber(h.qty) or not h.state or not tonumber(h.expires_at_ms) or not tonumber(h.created_at_ms)
      or not tonumber(h.version) then
    return nil
  end
  return h
end

-- The members of sorted set `key` due by `now` (score <= now), at most `limit`, oldest
-- first, and how late the oldest is in ms (0 when none is due): the expiry index's
-- holds for the sweeper, the open orders for recovery.
local function due_members(key, now, limit)
  local found = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
  local members = {}
  for i = 1, #found, 2 do
    members[#members + 1] = found[i]
  end
  return members, found[2] and now - tonumber(found[2]) or 0
end

-- Appends name/value pairs of `record` for each of `names` it has to `out`, naming
-- each by `labels` (the same list by default).
local function append_fields(out, record, names, labels)
  labels = labels or names
  for i, name in ipairs(names) do
    if record[name] then
      out[#out + 1] = labels[i]
      out[#out + 1] = record[name]
    end
  end
  return out
end

-- Appends the SKU id and its counters to `out`.
local function sku_counters(out, sku_id, s)
  out[#out + 1] = 'sku'
  out[#out + 1] = sku_id
  for _, name in ipairs(SKU_COUNTERS) do
    out[#out + 1] = name
    out[#out + 1] = fmt(s[name])
  end
  return out
end

-- Appends the SKU id, its counters and its config to `out`.
local function sku_fields(out, sku_id, s)
  return append_fields(sku_counters(out, sku_id, s), s, SKU_CONFIG)
end

-- The SKU of `key`, or nil and the sku_not_found refusal.
local function require_sku(key, sku_id)
  local s = load_sku(key)
  if not s then
    return nil, refuse('sku_not_found', 'no SKU ' .. sku_id)
  end
  return s
end

-- The hold of `key`, or nil and the hold_not_found refusal.
local function require_hold(key, order)
  local h = load_hold(key)
  if not h then
    return nil, refuse('hold_not_found', 'no hold for order ' .. order)
  end
  return h
end

local function hold_reply(code, sku_id, order, h, extra)
  return append_all(append_fields({ code, 'sku', sku_id, 'order', order }, h, HOLD_FIELDS), extra)
end

-- Appends one outbox event: the operation, the SKU's counters and version after it,
-- and the hold's state after it (when the change concerns a hold). The SKU's config
-- travels only in the events of the operations that set it (emit_sku), so an event
-- stays small: applying it is still "set to X".
local function emit(events_key, op, sku_id, s, order, h, extra)
  local entry = sku_counters({ 'op', op }, sku_id, s)
  if order then
    entry[#entry + 1] = 'order'
    entry[#entry + 1] = order
    append_fields(entry, h, HOLD_FIELDS, HOLD_EVENT_FIELDS)
  end
  redis.call('XADD', events_key, '*', unpack(append_all(entry, extra)))
end

-- Tells every server's sold-out gate (DESIGN section 13) that SKU record `sku_id` (`s`
-- after the change) may have units to hold again: 'SKU VERSION' (the SKU's version, so
-- a server can tell a message older than what it learned since), or the bare SKU id for
-- a bucket of a SKU (DESIGN section 12), whose own version is not the SKU's. Published
-- on the partition's shard channel `hs:{p}:restock` (named after its outbox
-- `hs:{p}:events`, so it keeps the partition's hash tag and slot): SPUBLISH, which on a
-- cluster reaches only the slot's shard, where a plain PUBLISH would travel to every
-- node. Best effort, after the change's writes: a refused publish (a user without
-- +spublish) must not fail the change it follows, so it is a pcall; the servers' flags
-- then lapse by themselves.
local function publish_restock(events_key, sku_id, s)
  local base = sku_base(sku_id)
  local payload = base
  if base == sku_id and (tonumber(s.buckets) or 1) <= 1 then
    payload = base .. ' ' .. fmt(s.version)
  end
  redis.pcall('SPUBLISH', string.sub(events_key, 1, -7) .. 'restock', payload)
end

-- Appends the outbox event of an operation that sets a SKU's config ('sku', 'warm'):
-- its counters, version and whole config. Any such change may raise the total or
-- change the rules a sold-out gate knows, so it drops the gate's flags.
local function emit_sku(events_key, op, sku_id, s, extra)
  redis.call('XADD', events_key, '*', unpack(append_all(sku_fields({ 'op', op }, sku_id, s), extra)))
  publish_restock(events_key, sku_id, s)
end

-- Appends the sealed code entries ('FINGERPRINT SEALED') a change concerns to the
-- partition's code outbox, in entries of at most CODES_PER_OUTBOX_ENTRY codes, each
-- carrying the same SKU (and hold) fields as the change's event; so no entry of either
-- outbox grows with a batch, and the syncer can bound its reads by bytes.
local function emit_codes(codes_key, op, sku_id, s, order, h, extra, entries)
  for first = 1, #entries, CODES_PER_OUTBOX_ENTRY do
    local last = math.min(first + CODES_PER_OUTBOX_ENTRY - 1, #entries)
    local part = append_all({ 'codes', table.concat(entries, ',', first, last) }, extra)
    emit(codes_key, op, sku_id, s, order, h, part)
  end
end

-- Writes SKU counters after a change, bumping the version.
local function store_counters(sku_key, s)
  s.version = s.version + 1
  redis.call('HSET', sku_key, 'available', fmt(s.available), 'held', fmt(s.held),
    'sold', fmt(s.sold), 'version', fmt(s.version))
end

-- The fields of an order's log (DESIGN section 14), as its record keeps them.
local ORDER_FIELDS = { 'state', 'request', 'buyer', 'lines', 'ttl_ms', 'created_at_ms', 'expires_at_ms',
  'final_at_ms', 'error', 'error_sku', 'version' }

-- The fields of an order's log an outbox entry carries, and their names there (the
-- log's version is `order_version`: `version` would read as a SKU's).
local ORDER_EVENT_FIELDS = { 'state', 'version', 'buyer', 'lines', 'created_at_ms', 'expires_at_ms', 'final_at_ms',
  'error', 'error_sku' }
local ORDER_EVENT_LABELS = { 'state', 'order_version', 'buyer', 'lines', 'created_at_ms', 'expires_at_ms',
  'final_at_ms', 'error', 'error_sku' }

-- Appends the order's log as it stands to the partition's outbox (op 'order', no SKU:
-- the syncer writes it to the orders table, guarded by its version).
local function emit_order(events_key, order_key, order)
  local entry = append_fields({ 'op', 'order', 'order', order }, read_record(order_key, ORDER_EVENT_FIELDS),
    ORDER_EVENT_FIELDS, ORDER_EVENT_LABELS)
  redis.call('XADD', events_key, '*', unpack(entry))
end
