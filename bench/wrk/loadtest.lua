-- wrk script of `make loadtest` (bench/loadtest.py): replays one endpoint's request plan.
--
-- bench/loadtest.py starts one wrk process per endpoint (connections split by weight), each
-- with this script and two environment variables:
--   LOADTEST_PLAN  a Lua file returning {requests = {...}, codes = {...}, step_seconds = 45}
--                  (written by loadtest_plan.py's lua_data(): real teachers' sessions, CSRF
--                  tokens, paths and bodies);
--   LOADTEST_OUT   where done() writes the results as JSON.
-- One process per endpoint because wrk keeps one latency histogram per process: that is what
-- gives p50/p95/p99 per endpoint, measured by the client, queueing included.
--
-- Each request goes to the next entry of the plan, so consecutive requests on a connection
-- are different teachers (a pool larger than the connection count, rotating). Two entry
-- kinds are finished at send time: "xapi" gets a fresh statement id (the server deduplicates
-- by id, so a replayed id would measure the duplicate path), "checkin" the check-in code of
-- the current 45-second step (computed server-side before the run, as the lecture's code
-- display does; the server accepts the current and the previous step).

local plan, codes, step_seconds
local index, count
local threads = {}
-- A global: done() reads each thread's table with thread:get("statuses").
statuses = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  local data = dofile(os.getenv("LOADTEST_PLAN"))
  plan, codes, step_seconds = data.requests, data.codes or {}, data.step_seconds or 45
  count = #plan
  -- Threads (wrk -t) start at different places in the pool, so they do not send the same
  -- teacher at the same moment; `offset` is set by setup().
  index = ((offset or 0) * 7919) % count
  math.randomseed(os.time() + 7919 * (offset or 0))
end

local function hex(digits)
  local out = {}
  for i = 1, digits do
    out[i] = string.format("%x", math.random(0, 15))
  end
  return table.concat(out)
end

local function uuid4()
  local variant = string.format("%x", math.random(8, 11))
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" .. variant .. hex(3) .. "-" .. hex(12)
end

local function current_code(key)
  local step = math.floor(os.time() / step_seconds)
  local table_of_lecture = codes[key] or {}
  -- A missing step would mean the run outlived the codes computed for it: send a code the
  -- server rejects (a 400, visible in the statuses) rather than stop.
  return table_of_lecture[step] or "000000"
end

function request()
  index = index % count + 1
  local entry = plan[index]
  local body = entry.body
  if entry.kind == "xapi" then
    body = entry.body_head .. uuid4() .. entry.body_tail
  elseif entry.kind == "checkin" then
    body = entry.body_head .. current_code(entry.codes) .. entry.body_tail
  end
  return wrk.format(entry.method, entry.path, entry.headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- A minimal JSON writer: numbers, strings (keys only here) and nested tables.
local function json(value)
  local kind = type(value)
  if kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        table.insert(parts, json(item))
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      table.insert(parts, string.format("%q", tostring(key)) .. ":" .. json(item))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "number" then
    return string.format("%.17g", value)
  end
  return string.format("%q", tostring(value))
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      -- String keys: the JSON writer writes a table with an array part as a list.
      merged[tostring(status)] = (merged[tostring(status)] or 0) + n
    end
  end
  -- Latency quantiles in 0.1 % steps (microseconds): enough for loadtest.py to merge the
  -- endpoints into overall percentiles weighted by their request counts.
  local quantiles = {}
  for i = 1, 999 do
    quantiles[i] = latency:percentile(i / 10)
  end
  quantiles[1000] = latency.max
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = summary.errors,
    statuses = merged,
    latency = {
      min = latency.min,
      max = latency.max,
      mean = latency.mean,
      stdev = latency.stdev,
      quantiles = quantiles,
    },
  }
  local file = assert(io.open(os.getenv("LOADTEST_OUT"), "w"))
  file:write(json(out))
  file:close()
end
