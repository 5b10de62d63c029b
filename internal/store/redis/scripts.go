package redis

import goredis "github.com/redis/go-redis/v9"

// Every write is one script, atomic in Redis. Times are Unix nanoseconds
// as decimal strings: they do not fit Lua's doubles exactly, so scripts
// compare them as strings (before). The words scripts answer with are
// mapped to errors by keyVerdict and verdict.

// prelude is shared by the scripts.
const prelude = `
-- before(a, b): a < b for decimal integers written without leading zeros.
local function before(a, b)
  local na, nb = a:sub(1, 1) == '-', b:sub(1, 1) == '-'
  if na ~= nb then return na end
  if #a ~= #b then return (#a < #b) ~= na end
  return a ~= b and ((a < b) ~= na)
end
-- bump increments the revision counter; a missing counter starts at a
-- random value, so a server that lost its data never repeats a revision.
local function bump(key, start)
  redis.call('SET', key, start, 'NX')
  return redis.call('INCR', key)
end
-- register records the layout and the secrets' ids on first use and
-- returns false when they match, else what differs.
local function register(meta, layout, hmac, mk)
  redis.call('HSETNX', meta, 'layout', layout)
  redis.call('HSETNX', meta, 'hmac_key_id', hmac)
  redis.call('HSETNX', meta, 'master_key_id', mk)
  local got = redis.call('HMGET', meta, 'layout', 'hmac_key_id', 'master_key_id')
  if got[1] ~= layout then return 'layout' end
  if got[2] ~= hmac then return 'hmac' end
  if got[3] ~= mk then return 'mk' end
  return false
end
`

// registerScript records the layout and secret ids on first use and
// returns the recorded ones.
//
//	KEYS  meta
//	ARGV  layout, hmac key id, master key id
var registerScript = goredis.NewScript(prelude + `
register(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return redis.call('HMGET', KEYS[1], 'layout', 'hmac_key_id', 'master_key_id')
`)

// createScript creates a key, and its enrolment when a sealed seed is
// given. A call whose nonce matches the existing record is a retry of a
// create that landed: "ok".
//
//	KEYS  key, totp, keys set, totps set, rev, meta
//	ARGV  id, nonce, rev start, layout, hmac id, master key id,
//	      sealed seed ("": none), then the key's field/value pairs
var createScript = goredis.NewScript(prelude + `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'op') == ARGV[2] then return 'ok' end
  return 'exists'
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'exists' end
local bad = register(KEYS[6], ARGV[4], ARGV[5], ARGV[6])
if bad then return bad end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[2], 'seed', ARGV[7], 'master_key_id', ARGV[6])
  redis.call('SADD', KEYS[4], ARGV[1])
end
redis.call('HSET', KEYS[1], 'op', ARGV[2], unpack(ARGV, 8))
redis.call('SADD', KEYS[3], ARGV[1])
bump(KEYS[5], ARGV[3])
return 'ok'
`)

// rotateScript creates the successor and marks the old key rotated to
// it, when the old key is usable at ARGV[7]. The successor shares the old
// key's enrolment. A retry of a rotation that landed is "ok".
//
//	KEYS  old key, new key, totp of the new id, keys set, rev, meta
//	ARGV  new id, nonce, rev start, layout, hmac id, master key id,
//	      at, grace until, then the new key's field/value pairs
var rotateScript = goredis.NewScript(prelude + `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'notfound' end
local old = redis.call('HMGET', KEYS[1], 'revoked_at', 'expires', 'rotated_to', 'totp_id')
if old[3] == ARGV[1] and redis.call('HGET', KEYS[2], 'op') == ARGV[2] then return 'ok' end
if old[1] then return 'revoked' end
if old[2] and not before(ARGV[7], old[2]) then return 'expired' end
if old[3] then return 'rotated' end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then return 'exists' end
local bad = register(KEYS[6], ARGV[4], ARGV[5], ARGV[6])
if bad then return bad end
redis.call('HSET', KEYS[2], 'op', ARGV[2], unpack(ARGV, 9))
if old[4] then redis.call('HSET', KEYS[2], 'totp_id', old[4]) end
redis.call('HSET', KEYS[1], 'rotated_to', ARGV[1], 'grace_until', ARGV[8])
redis.call('SADD', KEYS[4], ARGV[1])
bump(KEYS[5], ARGV[3])
return 'ok'
`)

// revokeScript sets revoked_at unless it is set: 0 unknown key, 1
// already revoked (unchanged), 2 revoked now.
//
//	KEYS  key, rev
//	ARGV  at, rev start
var revokeScript = goredis.NewScript(prelude + `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'revoked_at', ARGV[1]) == 0 then return 1 end
bump(KEYS[2], ARGV[2])
return 2
`)

// touchScript moves last_used forward; unknown keys are left absent.
//
//	KEYS  keys
//	ARGV  one time per key
var touchScript = goredis.NewScript(prelude + `
for i, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then
    local cur = redis.call('HGET', k, 'last_used')
    if not cur or before(cur, ARGV[i]) then redis.call('HSET', k, 'last_used', ARGV[i]) end
  end
end
return 0
`)

// seedScript returns {"ok", enrolment id, sealed seed, master key id},
// or {"notfound"}, {"notenrolled"}, {"missing", enrolment id}.
//
//	KEYS  key
//	ARGV  totp key prefix
var seedScript = goredis.NewScript(`
local tid = redis.call('HGET', KEYS[1], 'totp_id')
if not tid then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
  return {'notenrolled'}
end
local t = redis.call('HMGET', ARGV[1] .. tid, 'seed', 'master_key_id')
if not t[1] or not t[2] then return {'missing', tid} end
return {'ok', tid, t[1], t[2]}
`)

// markUsedScript records step as the enrolment's last used step when it
// is later: 0 recorded, 1 refused (a replay), -1 unknown key, -2 not
// enrolled, -3 enrolment missing.
//
//	KEYS  key
//	ARGV  step, totp key prefix
var markUsedScript = goredis.NewScript(`
local tid = redis.call('HGET', KEYS[1], 'totp_id')
if not tid then
  if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
  return -2
end
local t = ARGV[2] .. tid
local last = redis.call('HGET', t, 'last_step')
if not last and redis.call('EXISTS', t) == 0 then return -3 end
if tonumber(ARGV[1]) <= (tonumber(last) or -1) then return 1 end
redis.call('HSET', t, 'last_step', ARGV[1])
return 0
`)

// rekeyScript writes re-sealed seeds and the new master key id, when
// the recorded master key id is still the old one and no enrolment was
// added since they were read ("changed": nothing written). A retry of a
// rekey that landed is "ok".
//
//	KEYS  totps set, meta, then the enrolments
//	ARGV  number of enrolments, old master key id, new master key id,
//	      then one sealed seed per enrolment
var rekeyScript = goredis.NewScript(`
local mk = redis.call('HGET', KEYS[2], 'master_key_id')
if mk == ARGV[3] then return 'ok' end
if mk and mk ~= ARGV[2] then return 'mk' end
if redis.call('SCARD', KEYS[1]) ~= tonumber(ARGV[1]) then return 'changed' end
for i = 3, #KEYS do
  redis.call('HSET', KEYS[i], 'seed', ARGV[i + 1], 'master_key_id', ARGV[3])
end
redis.call('HSET', KEYS[2], 'master_key_id', ARGV[3])
return 'ok'
`)
