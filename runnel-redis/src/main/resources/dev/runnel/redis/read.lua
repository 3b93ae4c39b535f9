-- The reader's read, as of one instant: the epoch, the head of the sequence, the clock, the highest
-- seq of this epoch that retention removed from the log (0 for none), and up to a limit of entries
-- after a position. Appends are scripts too, so every id up to the head is in the stream or trimmed.
--
-- It also checks that Redis has not gone back behind what this node already read (a restored
-- snapshot, the lost end of an append-only file, a failover to a replica that lagged), which would
-- hand out the same ids again for other events. Each read leaves a mark, the head it saw, in a key of
-- the node's own, written in the same script as the read: any older copy of the data that lacks an
-- event this node read also lacks the mark of that read. So a mark below the head this node was last
-- told (or none) means Redis went back; so does an epoch older than this node's (epochs only grow).
-- Then the script starts a new epoch, greater than every one before, and every id from before is
-- unknown instead of naming two events.
--
-- KEYS[1] epoch   KEYS[2] sequence   KEYS[3] this node's mark   KEYS[4] the log stream
-- ARGV[1] the epoch the position belongs to ('' for none)
-- ARGV[2] the head this node last read in that epoch ('0' for none)
-- ARGV[3] how long the mark outlives the node's last read, in ms
-- ARGV[4] the position (a seq): entries above it are read
-- ARGV[5] the most entries to read
-- Returns {epoch, head, nowMillis, wentBack (1 or 0), trimmedThrough, entries}; no entries when
-- ARGV[1] is not the epoch.
local now = clock()
local epoch = epochOf(KEYS[1], KEYS[2], KEYS[4], now)
local wentBack = 0
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
  epoch = startEpoch(KEYS[1], KEYS[2], string.format('%.0f', math.max(tonumber(now), tonumber(epoch) + 1, (mine or 0) + 1)))
end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('SET', KEYS[3], head, 'PX', ARGV[3])

-- what retention removed: the sequence starts at 1 in every epoch, so everything of this epoch below
-- the log's first entry (when that entry is of this epoch) was trimmed. (XINFO STREAM's
-- max-deleted-entry-id would not do: Redis 7.0 moves it on XDEL only, not when MAXLEN trims.)
local trimmed = 0
local first = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', 1)
if #first > 0 then
  local ms, s = string.match(first[1][1], '^(%d+)%-(%d+)$')
  if ms == epoch then
    trimmed = tonumber(s) - 1
  end
else
  -- no stream (deleted by hand): nothing up to the head is left
  trimmed = head
end

local entries = {}
local limit = tonumber(ARGV[5])
if ARGV[1] == epoch and limit > 0 then
  -- ids of this epoch only: the upper end is the highest seq a stream id can have
  entries = redis.call('XRANGE', KEYS[4], '(' .. epoch .. '-' .. ARGV[4], epoch .. '-18446744073709551615',
      'COUNT', limit)
end
return {epoch, head, now, wentBack, trimmed, entries}
