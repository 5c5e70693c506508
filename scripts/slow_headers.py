#!/usr/bin/env python3
"""Issue #12 measurement: argv[2] connections to 127.0.0.1:argv[1] each send half a request head
and wait up to argv[3] s; prints how many the server closed and the longest wait. Raise
`ulimit -n` first."""
# N connections each send half a request head, then wait; reports how many the server closed by when.
import asyncio, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]); wait = float(sys.argv[3])
async def one(closed):
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 60)
        w.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); await w.drain()
        t0 = time.time()
        data = await asyncio.wait_for(r.read(), wait)
        closed.append(time.time() - t0)
    except Exception as e:
        closed.append(None); errs.append(type(e).__name__ + (' connect' if 't0' not in dir() else ''))
errs=[]
async def main():
    closed = []
    await asyncio.gather(*[one(closed) for _ in range(n)])
    done = [c for c in closed if c is not None]
    import collections; print(collections.Counter(errs))
    print(f"{len(done)} of {n} closed by the server within {wait}s; max {max(done) if done else 0:.1f}s")
asyncio.run(main())
