-- wrk script: each thread walks its own list of pre-signed Slack requests, once each, and the
-- report comes back as one JSON line (BENCH_JSON ...) for bench/_harness.py.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local list = dofile(os.getenv("BENCH_REQUESTS_DIR") .. "/requests_" .. tid .. ".lua")
  formatted = {}
  for i, r in ipairs(list) do
    formatted[i] = wrk.format("POST", r[1], r[2], r[3])
  end
  sent = 0
  responses = 0
  non2xx = 0
  wrapped = 0
end

function request()
  sent = sent + 1
  local n = #formatted
  if sent > n then
    wrapped = wrapped + 1
    return formatted[((sent - 1) % n) + 1]
  end
  return formatted[sent]
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local sent_list, non2xx_total, wrapped_total = {}, 0, 0
  for i, thread in ipairs(threads) do
    local s = thread:get("sent")
    local w = thread:get("wrapped")
    sent_list[i] = math.min(s, s - w)
    non2xx_total = non2xx_total + thread:get("non2xx")
    wrapped_total = wrapped_total + w
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"seconds": %f, "requests": %d, "non2xx": %d, "errors": %d, "wrapped": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "sent": [%s]}\n',
    summary.duration / 1e6, summary.requests, non2xx_total,
    e.connect + e.read + e.write + e.timeout, wrapped_total,
    latency:percentile(50), latency:percentile(99), table.concat(sent_list, ", ")))
end
