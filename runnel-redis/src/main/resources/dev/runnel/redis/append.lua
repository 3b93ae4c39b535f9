-- Appends one event to a topic's stream under the next id of the hub-wide sequence: EPOCH-SEQ.
-- One script, so the sequence and the streams never disagree and every append is ordered.
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3] the topic's stream
-- ARGV[1] entries to keep at least (MAXLEN ~)   ARGV[2..] field, value, ...
-- Returns {epoch, seq}.
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  -- a new log (or one that lost its data): a new epoch, so ids from before are recognised
  epoch = now
  redis.call('SET', KEYS[1], epoch)
end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], epoch .. '-' .. seq, 'ms', now, unpack(ARGV, 2))
return {epoch, seq}
