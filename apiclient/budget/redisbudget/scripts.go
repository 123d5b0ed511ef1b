package redisbudget

import "github.com/redis/go-redis/v9"

// Keys. Everything of one organization shares the {org} hash tag, so the
// keys live in one Redis Cluster slot and one script may touch them all.
// Nothing is keyed by token: every key of an org spends the same budget.
func stateKey(prefix, org string) string { return prefix + "{" + org + "}:state" }
func peersKey(prefix, org string) string { return prefix + "{" + org + "}:peers" }

// youngKey exists for one peer TTL after the peers set was (re)created
// (see heartbeatScript).
func youngKey(prefix, org string) string { return prefix + "{" + org + "}:peers:young" }

// casScript commits a new encoded budget state if nobody changed it since
// we read it: KEYS[1] state hash, ARGV[1] the version we read ("0" when the
// key was missing), ARGV[2] the new encoding, ARGV[3] the key's TTL in ms.
// It returns {1, newVersion} on success, or {0, currentVersion, current}
// on conflict so the caller can retry without another round trip.
var casScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if v == false then v = '0' end
if v ~= ARGV[1] then
  return {0, v, redis.call('HGET', KEYS[1], 's') or ''}
end
local nv = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'v', nv, 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, tostring(nv)}
`)

// heartbeatScript registers this process as a live peer until the server's
// TIME + ttl and returns {live peers, TIME seconds, TIME microseconds,
// young}: the server's clock decides who counts, and the caller calibrates
// its reference clock from it. young is how many more milliseconds the set
// is younger than one ttl (0 once it is older): whoever finds the set empty
// (Redis lost it, or we are the first) marks it young for a ttl, so every
// process, not only the first to re-register, knows the count may still be
// short by peers that have not beaten since. KEYS[1] peers zset, KEYS[2]
// young marker, ARGV[1] this process's id, ARGV[2] ttl in ms.
var heartbeatScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ttl)
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
local young = redis.call('PTTL', KEYS[2])
if young < 0 then young = 0 end
return {redis.call('ZCARD', KEYS[1]), tonumber(t[1]), tonumber(t[2]), young}
`)

// leaveScript removes this process from the peers at a clean shutdown, so the
// others' share grows at once instead of after the ttl.
var leaveScript = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`)
