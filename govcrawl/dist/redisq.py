"""The shared crawl state of one inspection in Redis, as a handful of Lua scripts.

Every key of an inspection starts with one prefix (``<GOVCRAWL_REDIS_PREFIX>:i<id>:``):

=====================  =========================================================
``q:<slot>``           sorted set: serialized requests of one download slot
                       (``site:<id>`` or ``ext:<host>``), score = priority, FIFO
``rr``                 sorted set: slots with queued requests, least recently served first
``seq``                counter for FIFO order and the round robin
``dupefilter``         set: request fingerprints (scrapy-redis' RFPDupeFilter)
``limits``             hash: slot -> concurrency across *all* workers together
``lease:<slot>``       sorted set: token -> expiry; one member per request of that slot
                       being downloaded somewhere (the shared politeness limit)
``inflight:<worker>``  hash: token -> request, from pop until its items are stored
``workers``, ``info``  set / hash of the workers that joined
``alive:<worker>``     heartbeat key with a short TTL; gone = the worker is dead
``finalizer``          the one worker that runs site checks and verdicts
``state``              ``finished`` once the inspection is closed (kept a week)
=====================  =========================================================

Why scripts: popping a request, taking a lease for its site and recording it as in
flight must happen together, or a ``kill -9`` between two steps loses the request
or leaks the lease.  Redis runs each script atomically.
"""

from __future__ import annotations

from typing import Any

PUSH = """
local P = ARGV[1]
local slot = ARGV[2]
local seq = redis.call('INCR', P..'seq')
local q = P..'q:'..slot
redis.call('ZADD', q, -tonumber(ARGV[3]) * 4294967296 + seq, ARGV[4])
redis.call('ZADD', P..'rr', 'NX', seq, slot)
local ttl = tonumber(ARGV[5])
redis.call('EXPIRE', q, ttl)
redis.call('EXPIRE', P..'rr', ttl)
redis.call('EXPIRE', P..'seq', ttl)
return 1
"""

# ARGV: as PUSH, then the request's fingerprint ('' for a dont_filter request).  The
# duplicate filter and the queue change together: a reply lost with a dropped connection
# cannot leave a fingerprint recorded whose request was never queued (retrying is safe).
OFFER = """
if ARGV[6] ~= '' and redis.call('SADD', ARGV[1]..'dupefilter', ARGV[6]) == 0 then
  return 0
end
""" + PUSH

# ARGV: prefix, worker, token, lease_ttl, default_limit, key_ttl
POP = """
local P = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slots = redis.call('ZRANGE', P..'rr', 0, -1)
for _, slot in ipairs(slots) do
  local lk = P..'lease:'..slot
  redis.call('ZREMRANGEBYSCORE', lk, '-inf', now)
  local limit = tonumber(redis.call('HGET', P..'limits', slot) or ARGV[5])
  if redis.call('ZCARD', lk) < limit then
    local q = P..'q:'..slot
    local top = redis.call('ZRANGE', q, 0, 0, 'WITHSCORES')
    if #top == 0 then
      redis.call('ZREM', P..'rr', slot)
    else
      redis.call('ZREM', q, top[1])
      if redis.call('ZCARD', q) == 0 then
        redis.call('ZREM', P..'rr', slot)
      else
        redis.call('ZADD', P..'rr', 'XX', redis.call('INCR', P..'seq'), slot)
      end
      redis.call('ZADD', lk, now + tonumber(ARGV[4]), ARGV[3])
      redis.call('EXPIRE', lk, ARGV[6])
      local inf = P..'inflight:'..ARGV[2]
      redis.call('HSET', inf, ARGV[3], slot..'\\t'..top[2]..'\\t'..top[1])
      redis.call('EXPIRE', inf, ARGV[6])
      return {slot, top[1]}
    end
  end
end
return false
"""

# A lease on a slot for a request that does not come from the queue (the hacked-page
# checks' re-fetches): taken only while the slot is under its limit.
# ARGV: prefix, slot, token, lease_ttl, default_limit, key_ttl
LEASE = """
local P = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local lk = P..'lease:'..ARGV[2]
redis.call('ZREMRANGEBYSCORE', lk, '-inf', now)
local limit = tonumber(redis.call('HGET', P..'limits', ARGV[2]) or ARGV[5])
if redis.call('ZCARD', lk) >= limit then
  return 0
end
redis.call('ZADD', lk, now + tonumber(ARGV[4]), ARGV[3])
redis.call('EXPIRE', lk, ARGV[6])
return 1
"""

# Trap caps shared by all workers: the distinct URLs of one (site, URL pattern), up to the
# cap.  ARGV: prefix, site|pattern, url, cap, key_ttl.  Returns 1 if the URL may be crawled.
TRAP = """
local k = ARGV[1]..'trap:'..ARGV[2]
if redis.call('SISMEMBER', k, ARGV[3]) == 1 then
  return 1
end
if redis.call('SCARD', k) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('SADD', k, ARGV[3])
redis.call('EXPIRE', k, ARGV[5])
return 1
"""

# Requeue what dead workers (no heartbeat key) had in flight and free their leases;
# with ARGV[3] set, that worker's leftovers whatever its key (a restart under the same id).
# ARGV: prefix, key_ttl, [worker]
RECOVER = """
local P = ARGV[1]
local moved = 0
local only = ARGV[3] or ''
for _, w in ipairs(redis.call('SMEMBERS', P..'workers')) do
  if (only == '' and redis.call('EXISTS', P..'alive:'..w) == 0) or w == only then
    local inf = P..'inflight:'..w
    local kv = redis.call('HGETALL', inf)
    for i = 1, #kv, 2 do
      local token, v = kv[i], kv[i + 1]
      local a = string.find(v, '\\t', 1, true)
      local b = string.find(v, '\\t', a + 1, true)
      local slot = string.sub(v, 1, a - 1)
      local q = P..'q:'..slot
      redis.call('ZADD', q, string.sub(v, a + 1, b - 1), string.sub(v, b + 1))
      redis.call('ZADD', P..'rr', 'NX', redis.call('INCR', P..'seq'), slot)
      redis.call('EXPIRE', q, ARGV[2])
      redis.call('ZREM', P..'lease:'..slot, token)
      moved = moved + 1
    end
    redis.call('DEL', inf)
    redis.call('SREM', P..'workers', w)
    redis.call('HDEL', P..'info', w)
  end
end
return moved
"""

# Requests in a live worker's `inflight` it does not know it holds: a pop whose reply was
# lost with the connection (Redis stopping).  ARGV: prefix, key_ttl, worker, tokens...
REQUEUE = """
local P = ARGV[1]
local inf = P..'inflight:'..ARGV[3]
local moved = 0
for i = 4, #ARGV do
  local v = redis.call('HGET', inf, ARGV[i])
  if v then
    local a = string.find(v, '\\t', 1, true)
    local b = string.find(v, '\\t', a + 1, true)
    local slot = string.sub(v, 1, a - 1)
    local q = P..'q:'..slot
    redis.call('ZADD', q, string.sub(v, a + 1, b - 1), string.sub(v, b + 1))
    redis.call('ZADD', P..'rr', 'NX', redis.call('INCR', P..'seq'), slot)
    redis.call('EXPIRE', q, ARGV[2])
    redis.call('ZREM', P..'lease:'..slot, ARGV[i])
    redis.call('HDEL', inf, ARGV[i])
    moved = moved + 1
  end
end
return moved
"""

# Global termination: nothing queued and nothing in flight on any worker, read in one
# atomic step.  Then the first idle worker claims finalization (or takes it over from
# a finalizer that died).  ARGV: prefix, worker.  Returns {verdict, queued, inflight, holder}.
GATE = """
local P = ARGV[1]
if redis.call('GET', P..'state') == 'finished' then
  return {'skip', 0, 0, 'finished'}
end
local queued = redis.call('ZCARD', P..'rr')
local inflight = 0
for _, w in ipairs(redis.call('SMEMBERS', P..'workers')) do
  inflight = inflight + redis.call('HLEN', P..'inflight:'..w)
end
if queued > 0 or inflight > 0 then
  return {'wait', queued, inflight, ''}
end
local cur = redis.call('GET', P..'finalizer')
if (not cur) or cur == ARGV[2] or redis.call('EXISTS', P..'alive:'..cur) == 0 then
  redis.call('SET', P..'finalizer', ARGV[2])
  return {'go', 0, 0, ARGV[2]}
end
return {'skip', 0, 0, cur}
"""

# Counts for progress lines: queued requests over all slots, in flight over all workers.
COUNTS = """
local P = ARGV[1]
local queued = 0
for _, slot in ipairs(redis.call('ZRANGE', P..'rr', 0, -1)) do
  queued = queued + redis.call('ZCARD', P..'q:'..slot)
end
local inflight = 0
local workers = redis.call('SMEMBERS', P..'workers')
for _, w in ipairs(workers) do
  inflight = inflight + redis.call('HLEN', P..'inflight:'..w)
end
return {queued, inflight, #workers}
"""


class Scripts:
    """The Lua scripts registered on one Redis client."""

    def __init__(self, server: Any) -> None:
        self.push = server.register_script(PUSH)
        self.offer = server.register_script(OFFER)
        self.pop = server.register_script(POP)
        self.lease = server.register_script(LEASE)
        self.trap = server.register_script(TRAP)
        self.recover = server.register_script(RECOVER)
        self.requeue = server.register_script(REQUEUE)
        self.gate = server.register_script(GATE)
        self.counts = server.register_script(COUNTS)
