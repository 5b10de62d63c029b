package redis

import goredis "github.com/redis/go-redis/v9"

// gcraScript is one GCRA step, atomic in Redis. Times are integer
// microseconds (exact in Lua's doubles until the year 2255).
//
//	KEYS[1]  the key's theoretical arrival time (TAT)
//	ARGV[1]  emission interval T
//	ARGV[2]  tolerance τ = T·(burst−1)
//	ARGV[3]  now (tests only; otherwise Redis's own clock, TIME, so every
//	         replica decides on one time base)
//
// It returns {allowed (1/0), TAT − now after the decision}. A refused
// request writes nothing. The key expires when its TAT is reached: by then
// the budget is full again and the key carries no information.
var gcraScript = goredis.NewScript(`
local T = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local now
if ARGV[3] then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now then
  tat = now
end
if tat - now > tau then
  return {0, tat - now}
end
tat = tat + T
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000))
return {1, tat - now}
`)

// quotaScript counts one request in a quota window unless the window is
// exhausted (a refused request is not counted).
//
//	KEYS[1]  the window's counter
//	ARGV[1]  the limit
//	ARGV[2]  when the counter may expire (Unix seconds): the window's end
//	         plus a slack; never earlier than ARGV[3] seconds from now on
//	         Redis's clock, so a gateway whose clock is behind Redis's
//	         cannot set an expiry in the past (which deletes the key)
//	ARGV[3]  that minimum lifetime, seconds
//
// It returns {allowed (1/0), the count after the decision}.
var quotaScript = goredis.NewScript(`
local limit = tonumber(ARGV[1])
local n = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if n >= limit then
  return {0, n}
end
n = redis.call('INCR', KEYS[1])
if n == 1 then
  local t = redis.call('TIME')
  redis.call('EXPIREAT', KEYS[1], math.max(tonumber(ARGV[2]), tonumber(t[1]) + tonumber(ARGV[3])))
end
return {1, n}
`)
