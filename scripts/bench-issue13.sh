#!/usr/bin/env bash
# Issue #13's table for one store, one server: the first dashboard after start, RSS after it,
# `PUT` latency over 200 writes and a write's visibility (bench-writes.sh), then dashboard
# latency at 64 connections (wrk, 20 s) while 10 writes/s run (bench-writes-paced.py).
#   scripts/bench-issue13.sh AIDTRACE_BIN DB_URL PORT [FLOW_ID]
# e.g. scripts/bench-issue13.sh target/release/aidtrace big.db 18401
#      scripts/bench-issue13.sh target/release/aidtrace postgres://aidtrace@127.0.0.1:5432/bench 18402
# The server's read-model step timings go to /tmp/bench-issue13-PORT.log.
set -euo pipefail
bin=$1 db=$2 port=$3 flow=${4:-flow-bench-2-2}
here=$(dirname "$0")
base=http://127.0.0.1:$port
echo 'a long password' | "$bin" --db "$db" user add --name ada --role admin --password-stdin \
  >/dev/null 2>&1 || true   # already there from an earlier run
token=$("$bin" --db "$db" token create --name ada --days 1 | head -1)
echo "load before: $(uptime)"
start=$(date +%s.%N)
AIDTRACE_READ_MODEL_TIMING=1 "$bin" --db "$db" serve --addr "127.0.0.1:$port" \
  --max-connections-per-address 256 >"/tmp/bench-issue13-$port.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/dashboard"; do
  kill -0 $pid || { echo "server stopped; see /tmp/bench-issue13-$port.log" >&2; exit 1; }
  sleep 0.05
done
python3 -c "print(f'first dashboard {$(date +%s.%N)-$start:.1f} s after start')"
mem() { grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | paste -sd' '; }
echo "after the first dashboard: $(mem)"
bash "$here/bench-writes.sh" "$base" "$token" "$flow" 200
echo "after 201 writes: $(mem)"
wrk -t2 -c64 -d20s --latency "$base/api/v1/dashboard" >"/tmp/bench-issue13-$port.wrk" &
wrk_pid=$!
sleep 1
python3 "$here/bench-writes-paced.py" "$base" "$token" "$flow" 18 10
wait $wrk_pid
grep -E 'Requests/sec|Latency|50%|99%|Non-2xx|Socket' "/tmp/bench-issue13-$port.wrk"
echo "after the mixed run: $(mem)"
echo "load after: $(uptime)"
