#!/usr/bin/env python3
"""Issue #12 measurement: 128 (argv[2]) concurrent anonymous sign-ins with unknown names from
distinct X-Forwarded-For addresses (start the server with --trusted-proxy 127.0.0.1), argv[3]
rounds, against 127.0.0.1:argv[1]. Prints the status counts. Watch VmHWM in /proc/PID/status."""
# 128 concurrent anonymous sign-ins with unknown names from distinct (forwarded) addresses,
# several rounds; prints the status counts.
import http.client, threading, re, sys, collections, time, random
port = int(sys.argv[1]); clients = int(sys.argv[2]); rounds = int(sys.argv[3])
counts = collections.Counter(); lock = threading.Lock()
def one(i, r):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/login"); resp = c.getresponse(); body = resp.read().decode()
        cookie = resp.getheader("set-cookie").split(";")[0]
        token = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ip = f"198.18.{random.randint(0,255)}.{random.randint(1,254)}"
        form = f"name=nobody{r}x{i}&password=guess{i}&csrf={token}"
        c.request("POST", "/login", body=form, headers={"Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": ip})
        resp = c.getresponse(); resp.read()
        with lock: counts[resp.status] += 1
    except Exception as e:
        with lock: counts[type(e).__name__] += 1
t0 = time.time()
for r in range(rounds):
    ts = [threading.Thread(target=one, args=(i, r)) for i in range(clients)]
    [t.start() for t in ts]; [t.join() for t in ts]
print(dict(counts), f"{time.time()-t0:.1f}s")
