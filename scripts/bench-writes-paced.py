#!/usr/bin/env python3
"""Issue #13's "10 writes/s while the dashboard is read": PUTs of one flow at a steady rate over
one kept-alive connection, for a fixed time, then their latency. `RATE=10 bench-writes.sh` starts
python and curl for every write and reaches only about 2.6 writes/s on this machine, so this
pacer takes that part; run `wrk` on the dashboard beside it.
    scripts/bench-writes-paced.py BASE_URL TOKEN FLOW_ID [SECONDS] [RATE]
"""
import http.client
import json
import sys
import time
import urllib.parse

base, token, flow = sys.argv[1], sys.argv[2], sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
auth = {"Authorization": f"Bearer {token}"}
path = f"/api/v1/flows/{flow}"

conn.request("GET", path, headers=auth)
resp = conn.getresponse()
doc = json.loads(resp.read())
tag = resp.getheader("ETag")

times = []
start = time.monotonic()
i = 0
while time.monotonic() - start < seconds:
    i += 1
    due = start + i / rate
    # A new amount each time, so every PUT changes the record (an identical one is a no-op).
    doc["money"]["amount"] = str(5000 + i)
    t0 = time.monotonic()
    conn.request("PUT", path, body=json.dumps(doc),
                 headers={**auth, "If-Match": tag, "Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    times.append(time.monotonic() - t0)
    if resp.status != 200:
        sys.exit(f"PUT {i} answered {resp.status}")
    tag = resp.getheader("ETag")
    # Paced against the schedule, not the last answer, so a slow PUT is not followed by a gap.
    time.sleep(max(0.0, due - time.monotonic()))

elapsed = time.monotonic() - start
times.sort()
pick = lambda q: times[max(0, int(len(times) * q) - 1)] * 1000
print(f"{len(times)} PUTs in {elapsed:.1f} s ({len(times) / elapsed:.1f}/s): "
      f"p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {times[-1] * 1000:.1f} ms")
