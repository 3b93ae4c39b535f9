-- Reads, as of one instant: the epoch, the head of the sequence, the clock, and for each stream its
-- entries after a position, with the highest id retention removed from it (0 for none). Appends are
-- scripts too, so no append falls between two streams of one read: every id up to the head is in.
--
-- A node's reader also checks that Redis has not gone back behind what this node already read (a
-- restored snapshot, the lost end of an append-only file, a failover to a replica that lagged), which
-- would hand out the same ids again for other events. Each read leaves a mark, the head it saw, in a
-- key of the node's own, written in the same script as the read: any older copy of the data that
-- lacks an event this node read also lacks the mark of that read. So a mark below the head this node
-- was last told (or none) means Redis went back; so does an epoch older than this node's (epochs only
-- grow). Then the script starts a new epoch, greater than every one before, and every id from before
-- is unknown instead of naming two events.
--
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3] this node's mark   KEYS[4..] topic streams
-- ARGV[1] the epoch the positions belong to ('' for none)
-- ARGV[2] the head this node's reader last read in that epoch ('0' for none), or '-' for a read that
--         is not the reader's (neither checks nor leaves the mark)
-- ARGV[3] how long the mark outlives the node's last read, in ms
-- ARGV[4..] one position (a sequence number) per stream
-- Returns {epoch, head, nowMillis, wentBack (1 or 0), entries1, trimmed1, entries2, trimmed2, ...};
-- no entries when ARGV[1] is not the epoch.
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = now
  redis.call('SET', KEYS[1], epoch)
end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local wentBack = 0
if ARGV[2] ~= '-' then
  local mine = tonumber(ARGV[1])
  if mine and mine > tonumber(epoch) then
    wentBack = 1
  elseif ARGV[1] == epoch and tonumber(ARGV[2]) > 0 then
    local mark = redis.call('GET', KEYS[3])
    if not mark or tonumber(mark) < tonumber(ARGV[2]) then
      wentBack = 1
    end
  end
  if wentBack == 1 then
    epoch = string.format('%.0f', math.max(tonumber(now), tonumber(epoch) + 1, (mine or 0) + 1))
    redis.call('SET', KEYS[1], epoch)
  end
  redis.call('SET', KEYS[3], head, 'PX', ARGV[3])
end
local out = {epoch, head, now, wentBack}
if ARGV[1] ~= epoch then
  return out
end
for i = 4, #KEYS do
  local entries = redis.call('XRANGE', KEYS[i], '(' .. epoch .. '-' .. ARGV[i], '+')
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
