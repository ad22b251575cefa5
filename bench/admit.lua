-- wrk script for bench/admit.py: POST the review in $REVIEW to the URL's path. With $RATE
-- (requests/s over all of wrk's threads; $THREADS of them, default 2) the requests leave on a
-- fixed schedule instead of as fast as the answers come back: each thread hands its next
-- request the next free slot of its share of the rate (RATE / THREADS per second, slots
-- 1000 * THREADS / RATE ms apart, read from CLOCK_MONOTONIC through LuaJIT's FFI), so the load
-- stays at RATE while connections are free to send, whatever the latency. A slot missed
-- because every connection was busy is not made up (the rate reached is what wrk reports).
local f = assert(io.open(os.getenv("REVIEW"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
    local ffi = require("ffi")
    ffi.cdef [[
        struct admit_timespec { long tv_sec; long tv_nsec; };
        int clock_gettime(int clock, struct admit_timespec *ts);
    ]]
    local ts = ffi.new("struct admit_timespec")
    local function now_ms()
        ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    end
    local interval = 1000 * tonumber(os.getenv("THREADS") or "2") / rate
    local slot = nil
    function delay()
        local now = now_ms()
        if slot == nil or slot < now - interval then
            slot = now -- idle or behind: start from now, do not burst to catch up
        else
            slot = slot + interval
        end
        local wait = slot - now
        return wait > 0 and math.floor(wait + 0.5) or 0
    end
end
