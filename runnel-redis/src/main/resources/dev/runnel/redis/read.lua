-- Reads, as of one instant: the epoch, the head of the sequence, the clock, and for each stream its
-- entries after a position, with the highest id retention removed from it (0 for none). Appends are
-- scripts too, so no append falls between two streams of one read: every id up to the head is in.
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3..] topic streams
-- ARGV[1] the epoch the positions belong to ('' for none)   ARGV[2..] one position (a sequence number) per stream
-- Returns {epoch, head, nowMillis, entries1, trimmed1, entries2, trimmed2, ...}; no entries when ARGV[1] is not the epoch.
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = now
  redis.call('SET', KEYS[1], epoch)
end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {epoch, head, now}
if ARGV[1] ~= epoch then
  return out
end
for i = 3, #KEYS do
  local entries = redis.call('XRANGE', KEYS[i], '(' .. epoch .. '-' .. ARGV[i - 1], '+')
  local trimmed = 0
  if #entries > 0 then
    -- entries after the position can only be gone if the stream still holds at least as many, all later
    local info = redis.call('XINFO', 'STREAM', KEYS[i])
    for j = 1, #info, 2 do
      if info[j] == 'max-deleted-entry-id' then
        local ms, s = string.match(info[j + 1], '^(%d+)%-(%d+)$')
        if ms == epoch then
          trimmed = tonumber(s)
        end
      end
    end
  end
  out[#out + 1] = entries
  out[#out + 1] = trimmed
end
return out
