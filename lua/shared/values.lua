-- Values: the clock, number formatting, argument parsing and refusals. Every other
-- file of the library builds on these.

-- The most values passed to one unpack (Lua's stack takes a few thousand at most).
local UNPACK_CHUNK = 1000

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

-- A SKU record's id: a SKU id, or a bucket of one, '<sku>#<b>' with b in 1..63
-- (DESIGN section 12; bucket 0 is the SKU's own record). '#' is no id character, so a
-- bucket's id never names another SKU.
local function is_sku_id(s)
  if is_id(s) then
    return true
  end
  local base, bucket = string.match(type(s) == 'string' and s or '', '^(.+)#([1-9]%d?)$')
  return base ~= nil and is_id(base) and tonumber(bucket) <= 63
end

-- The SKU id of a SKU record's id (a bucket's SKU, or the id itself).
local function sku_base(s)
  return string.match(s, '^(.-)#%d+$') or s
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

-- Appends the values of list `extra` (if any) to list `out`; returns `out`.
local function append_all(out, extra)
  if extra then
    for _, v in ipairs(extra) do
      out[#out + 1] = v
    end
  end
  return out
end

local function refuse(code, message, extra)
  return append_all({ code, 'message', message }, extra)
end

local function invalid(message)
  return refuse('invalid_argument', message)
end

-- Checks name/value pairs of ids, e.g. check_ids('sku', sku_id, 'order', order).
-- Returns nil when all are valid, else the invalid_argument refusal for the first bad one.
local function check_ids(...)
  for i = 1, select('#', ...), 2 do
    local name, value = select(i, ...)
    if not (name == 'sku' and is_sku_id or is_id)(value) then
      return invalid(name .. ' must be 1-64 characters of [A-Za-z0-9._:-]')
    end
  end
  return nil
end

-- A refusal when `retention` is not a valid retention_ms, else nil.
local function check_retention(retention)
  if not retention then
    return invalid('retention_ms must be an integer in 1000..' .. fmt(MAX_RETENTION_MS))
  end
  return nil
end
