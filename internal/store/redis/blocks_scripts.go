package redis

import goredis "github.com/redis/go-redis/v9"

// Blocks scripts. A block is one field of the blocks hash (its record)
// and one member of the blocks:until sorted set, scored by its end in
// Unix milliseconds (exact in Lua's doubles), so expiry is a range query.

// addBlockScript deletes the blocks that ended before created, keeps an
// existing block that ends no earlier, else writes the new one and bumps
// the revision. It returns {"kept"|"added", record}.
//
//	KEYS  blocks hash, blocks:until zset, blocks:rev
//	ARGV  field, record, until ms, created ms, rev start
var addBlockScript = goredis.NewScript(prelude + `
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
for _, f in ipairs(old) do redis.call('HDEL', KEYS[1], f) end
if #old > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4]) end
local cur = redis.call('ZSCORE', KEYS[2], ARGV[1])
if cur and tonumber(cur) >= tonumber(ARGV[3]) then
  local rec = redis.call('HGET', KEYS[1], ARGV[1])
  if rec then return {'kept', rec} end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
bump(KEYS[3], ARGV[5])
return {'added', ARGV[2]}
`)

// activeBlocksScript returns field, record, field, record... of the
// blocks that end at or after now (the caller drops those that ended
// within the millisecond). It writes nothing.
//
//	KEYS  blocks hash, blocks:until zset
//	ARGV  now ms
var activeBlocksScript = goredis.NewScript(`
local out = {}
for _, f in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf')) do
  local rec = redis.call('HGET', KEYS[1], f)
  if rec then
    out[#out + 1] = f
    out[#out + 1] = rec
  end
end
return out
`)

// liftBlockScript deletes one block: 1 deleted (revision bumped), 0 none.
//
//	KEYS  blocks hash, blocks:until zset, blocks:rev
//	ARGV  field, rev start
var liftBlockScript = goredis.NewScript(prelude + `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
bump(KEYS[3], ARGV[2])
return 1
`)
