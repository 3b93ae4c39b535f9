-- The log's epoch (started if there is none) and the head of the sequence, for any thread.
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3] the log stream
-- Returns {epoch, head}.
local epoch = epochOf(KEYS[1], KEYS[2], KEYS[3], clock())
return {epoch, tonumber(redis.call('GET', KEYS[2]) or '0')}
