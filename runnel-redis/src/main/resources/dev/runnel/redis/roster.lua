-- A roster's operations, one script for all (ARGV[1] names it), so each is atomic on Redis's clock.
-- Keys of roster R, from the prefix P = KEYS[1] (for example runnel:roster:R:):
--   P..'nodes'        sorted set: each node id, scored by its last heartbeat (ms, Redis's clock)
--   P..'node:'..ID    hash: node ID's entries, key -> value
--   P..'dead:'..ID    set once node ID was taken for dead: it never writes again under that id
--   P..'claim:'..ID   the node announcing dead node ID's departures, while its lease lasts
local P = KEYS[1]
local op = ARGV[1]

local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A node may write under its id while it is listed and not taken for dead.
local function alive(id)
  return redis.call('EXISTS', P .. 'dead:' .. id) == 0 and redis.call('ZSCORE', P .. 'nodes', id) ~= false
end

if op == 'join' then -- ARGV: id. A new id: listed from now on
  redis.call('ZADD', P .. 'nodes', now(), ARGV[2])
  return 1
elseif op == 'beat' then -- ARGV: id. 1, or 0 when the node was taken for dead or its listing was lost
  if not alive(ARGV[2]) then
    return 0
  end
  redis.call('ZADD', P .. 'nodes', now(), ARGV[2])
  return 1
elseif op == 'announce' then -- ARGV: id, key, value. 1, or 0 as for beat
  if not alive(ARGV[2]) then
    return 0
  end
  redis.call('HSET', P .. 'node:' .. ARGV[2], ARGV[3], ARGV[4])
  return 1
elseif op == 'withdraw' then -- ARGV: id, key. 1, or 0 when the node was taken for dead (its claimant announces)
  if redis.call('EXISTS', P .. 'dead:' .. ARGV[2]) == 1 then
    return 0
  end
  redis.call('HDEL', P .. 'node:' .. ARGV[2], ARGV[3])
  return 1
elseif op == 'list' then -- ARGV: deadAfter ms. The live nodes' entries, flat: key, value, ...
  local live = redis.call('ZRANGEBYSCORE', P .. 'nodes', now() - tonumber(ARGV[2]), '+inf')
  local out = {}
  for _, id in ipairs(live) do
    local kv = redis.call('HGETALL', P .. 'node:' .. id)
    for i = 1, #kv do
      out[#out + 1] = kv[i]
    end
  end
  return out
elseif op == 'find' then -- ARGV: deadAfter ms, key. {key, value} of the first live node that lists it, or {}
  local live = redis.call('ZRANGEBYSCORE', P .. 'nodes', now() - tonumber(ARGV[2]), '+inf')
  for _, id in ipairs(live) do
    local v = redis.call('HGET', P .. 'node:' .. id, ARGV[3])
    if v then
      return {ARGV[3], v}
    end
  end
  return {}
elseif op == 'claim' then -- ARGV: id, deadAfter ms, lease ms, dead mark ms. A silent node's id, now claimed, or ''
  local stale = redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', '(' .. (now() - tonumber(ARGV[3])), 'LIMIT', 0, 32)
  for _, id in ipairs(stale) do
    if id ~= ARGV[2] and redis.call('SET', P .. 'claim:' .. id, ARGV[2], 'NX', 'PX', ARGV[4]) then
      redis.call('SET', P .. 'dead:' .. id, '1', 'PX', ARGV[5])
      return id
    end
  end
  return ''
elseif op == 'renew' then -- ARGV: id, dead id, lease ms. 1 while the claim is this node's
  if redis.call('GET', P .. 'claim:' .. ARGV[3]) ~= ARGV[2] then
    return 0
  end
  redis.call('PEXPIRE', P .. 'claim:' .. ARGV[3], ARGV[4])
  return 1
elseif op == 'release' then -- ARGV: id, dead id, done ('1': unlist the dead node). Drops this node's claim
  if redis.call('GET', P .. 'claim:' .. ARGV[3]) ~= ARGV[2] then
    return 0
  end
  if ARGV[4] == '1' and redis.call('HLEN', P .. 'node:' .. ARGV[3]) == 0 then
    redis.call('ZREM', P .. 'nodes', ARGV[3])
  end
  redis.call('DEL', P .. 'claim:' .. ARGV[3])
  return 1
elseif op == 'gone' then -- ARGV: old id. 1 once the old id's entries were all announced departed
  if redis.call('EXISTS', P .. 'node:' .. ARGV[2]) == 0 and redis.call('ZSCORE', P .. 'nodes', ARGV[2]) == false then
    return 1
  end
  return 0
elseif op == 'leave' then -- ARGV: id. Unlisted at once when it has no entries; else left for the others at once
  if redis.call('EXISTS', P .. 'dead:' .. ARGV[2]) == 1 then
    return 0
  end
  if redis.call('HLEN', P .. 'node:' .. ARGV[2]) == 0 then
    redis.call('ZREM', P .. 'nodes', ARGV[2])
  else
    redis.call('ZADD', P .. 'nodes', 'XX', 0, ARGV[2])
  end
  return 1
end
return redis.error_reply('unknown roster operation ' .. tostring(op))
