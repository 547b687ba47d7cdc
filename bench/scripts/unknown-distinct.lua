-- wrk script: every request asks for a MAC never asked before (first sightings).
-- Each wrk thread counts through its own block of MACs: 02:<run>:<thread>:<counter, 3 bytes>,
-- locally administered addresses no inventory uses. BENCH_RUN (0-255) keeps runs apart.
local threads = {}
local run = tonumber(os.getenv("BENCH_RUN") or "0") % 256

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  prefix = string.format("/api/v1/config/download?mac=02-%02x-%02x-", run, id % 256)
end

function request()
  counter = counter + 1
  local path = string.format("%s%02x-%02x-%02x", prefix,
    math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("GET", path)
end
