-- bench/wrk/request.lua: the request bench/run sends, the same to every row.
-- Configured through the environment (wrk passes it through):
--   BENCH_METHOD        GET or POST (default GET)
--   BENCH_BODY_FILE     the body of every request
--   BENCH_CONTENT_TYPE  its Content-Type (default application/json)
--   BENCH_KEY           an API key sent as X-API-Key (only apiguard reads it;
--                       the other rows pass it to the upstream like any header)
--   BENCH_KEYS_FILE     API keys, one per line: each request takes one at random
--   BENCH_PATHS_FILE    paths, one per line: each request takes one at random
-- Without the last two the request is static (wrk's fastest path: no Lua per
-- request).

local function lines(path)
  local t = {}
  for l in io.lines(path) do
    if l ~= "" then t[#t + 1] = l end
  end
  assert(#t > 0, path .. ": no lines")
  return t
end

local function env(name)
  local v = os.getenv(name)
  if v == nil or v == "" then return nil end
  return v
end

wrk.method = env("BENCH_METHOD") or "GET"
local body_file = env("BENCH_BODY_FILE")
if body_file then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = env("BENCH_CONTENT_TYPE") or "application/json"
end
if env("BENCH_KEY") then wrk.headers["X-API-Key"] = env("BENCH_KEY") end

local keys = env("BENCH_KEYS_FILE") and lines(env("BENCH_KEYS_FILE"))
local paths = env("BENCH_PATHS_FILE") and lines(env("BENCH_PATHS_FILE"))

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(7919 * (thread_id or 1))
end

if keys or paths then
  function request()
    local path = paths and paths[math.random(#paths)] or wrk.path
    local headers = nil
    if keys then headers = { ["X-API-Key"] = keys[math.random(#keys)] } end
    return wrk.format(nil, path, headers, nil)
  end
end
