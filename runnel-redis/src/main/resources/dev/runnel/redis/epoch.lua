-- Shared by every script (Java puts it in front of each): Redis' clock, and the log's epoch.
local function clock()
  local t = redis.call('TIME')
  return string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
end

-- Starts epoch (greater than every earlier one) with its sequence at 0: within an epoch the sequence
-- counts from 1, so what a read finds below the log's first entry of the epoch was all trimmed.
local function startEpoch(epochKey, seqKey, epoch)
  redis.call('SET', epochKey, epoch)
  redis.call('SET', seqKey, 0)
  return epoch
end

-- The epoch in epochKey; when there is none (a new log, or one that lost its data), starts one: the
-- clock, but above the epoch of any entry the log stream still holds, so entry ids keep growing even
-- when only the epoch key was lost or the clock went back.
local function epochOf(epochKey, seqKey, logKey, now)
  local epoch = redis.call('GET', epochKey)
  if epoch then
    return epoch
  end
  epoch = now
  local last = redis.call('XREVRANGE', logKey, '+', '-', 'COUNT', 1)
  if #last > 0 then
    local ms = tonumber(string.match(last[1][1], '^(%d+)%-'))
    if ms >= tonumber(epoch) then
      epoch = string.format('%.0f', ms + 1)
    end
  end
  return startEpoch(epochKey, seqKey, epoch)
end
