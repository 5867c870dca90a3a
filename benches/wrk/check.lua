-- wrk: POST /v1/transaction/check with the same body and headers the clients send.
-- Key and reference come from the environment (set by benches/run.py).
wrk.method = "POST"
wrk.body = '{"reference_no":"' .. (os.getenv("BENCH_REF") or "bench-ref-1") .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("BENCH_KEY") or "sck_sandbox_0000000000000000")

-- No response() hook: it would run Lua per response and lower the ceiling.
-- run.py rejects a run whose output reports non-2xx responses instead.
