-- wrk_report.lua — wrk prints one JSON line at the end of a run (after its usual text):
--   BENCH_JSON {"requests":…,"bytes":…,"duration_us":…,"p50_us":…,"p99_us":…,"errors":{…}}
-- Extra request headers come from the environment: WRK_CLOSE=1 adds "Connection: close".
if os.getenv("WRK_CLOSE") == "1" then
    wrk.headers["Connection"] = "close"
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests":%d,"bytes":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
        '"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
        summary.requests, summary.bytes, summary.duration,
        latency:percentile(50), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout))
end
