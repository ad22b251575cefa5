-- wrk script for bench/admit.py: POST the review in $REVIEW to the URL's path; with $DELAY_MS
-- each connection waits that long before each request (a paced load instead of the maximum).
local f = assert(io.open(os.getenv("REVIEW"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
    function delay()
        return pause
    end
end
