-- wrk script for bench/run: after the run, prints one line "BENCH_JSON {...}" with the request
-- rate, latency percentiles (microseconds) and wrk's error counters, so that bench/load/clients.mjs
-- reads numbers instead of parsing wrk's human-readable text. `errors.status` counts answers with
-- a status of 400 or more (anything but 2xx/3xx). Headers and the URL come from the command line.
--
-- With BENCH_PACE_MS set, every connection waits a random whole number of milliseconds before
-- each request (geometric distribution of that mean: memoryless, like Poisson arrivals), so that
-- `connections` connections offer about connections / BENCH_PACE_MS requests per millisecond,
-- spread in time. (h2load --rps fires every connection's request at the same instant: bursts of
-- `connections` requests whose queueing, not the server, would set the latency.) wrk calls
-- delay() only if it is defined when the script is loaded, and measures latency from the moment
-- the request is written.

local pace = tonumber(os.getenv("BENCH_PACE_MS"))
if pace and pace > 0 then
  local q = 1 - 1 / (1 + pace) -- P(wait > k) = q^(k+1); mean q / (1 - q) = pace
  math.randomseed(os.time())
  function delay()
    return math.floor(math.log(1 - math.random()) / math.log(q))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.3f,' ..
    '"p50_us":%.1f,"p99_us":%.1f,"p999_us":%.1f,"max_us":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
