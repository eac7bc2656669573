-- wrk script: every request places a new hold (PUT) with an order id unique per thread.
--   wrk -t2 -c64 -d10s -s loadtest/wrk/hold.lua http://127.0.0.1:8080 -- SKU API_TOKEN
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  sku = args[1]
  token = args[2]
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("PUT", "/v1/skus/" .. sku .. "/holds/w" .. id .. "-" .. counter,
    { ["Authorization"] = "Bearer " .. token }, nil)
end
