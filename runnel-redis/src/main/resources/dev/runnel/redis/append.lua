-- Appends one event to the hub's log under the next id of the hub-wide sequence: EPOCH-SEQ.
-- One script, so the sequence and the stream never disagree and every append is ordered.
-- The publish time by Redis' clock comes first in the entry ('ms'), the event's fields after it.
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3] the log stream
-- ARGV[1] entries to keep at least (MAXLEN ~)   ARGV[2..] field, value, ...
-- Returns {epoch, seq}.
local now = clock()
local epoch = epochOf(KEYS[1], KEYS[2], KEYS[3], now)
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], epoch .. '-' .. seq, 'ms', now, unpack(ARGV, 2))
return {epoch, seq}
