"""Test fixture: a service built on the isp_wrapper package (serve(app): uvicorn), for the real-process tests
and the benchmark (P6). The whole host contract is the package's; this file only answers and records.

GET / answers at once; GET /slow after the config's "slowSeconds" (default 0.3). Events, each one JSON line
appended to $FIXTURE_LOG (as the fixture project's): "started" (pid, ppid, config), "ready" (once serving, just
before the package sends READY=1), "slow-started" (a /slow request began), "sigterm" (slowInFlight: /slow requests
being served when the SIGTERM arrived), "stopped" (serve() returned: the requests in flight were finished).
"""
import asyncio
import json
import os
import signal
import threading
import time

import isp_wrapper

LOG = os.environ.get("FIXTURE_LOG", "fixture.log")
LOCK = threading.RLock()
config = isp_wrapper.config(parse_float=float)
slow_seconds = config.get("slowSeconds", 0.3)
slow_in_flight = [0]


def record(event, **fields):
    fields.update(event=event, pid=os.getpid(), monotonicNs=time.monotonic_ns())
    with LOCK, open(LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(fields) + "\n")


def watch_sigterm():
    """Runs inside the server's signal handling (the app's lifespan startup): records the SIGTERM, then passes
    it to uvicorn's handler, which stops the server."""
    stop = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        record("sigterm", slowInFlight=slow_in_flight[0])
        stop(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                watch_sigterm()
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] == "/slow":
        slow_in_flight[0] += 1
        record("slow-started")
        try:
            await asyncio.sleep(slow_seconds)
        finally:
            slow_in_flight[0] -= 1
    data = json.dumps({"pid": os.getpid(), "path": scope["path"], "v": config.get("v")}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


if __name__ == "__main__":
    record("started", ppid=os.getppid(), config=config)
    isp_wrapper.serve(app, access_log=False, on_ready=lambda: record("ready"))
    record("stopped")
