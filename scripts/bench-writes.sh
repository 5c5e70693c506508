#!/usr/bin/env bash
# Issue #13's write benchmark against a running server: PUT latency of one flow over N writes
# (p50/p99), and how long a committed write takes to show in the dashboard totals.
#   scripts/bench-writes.sh BASE_URL TOKEN FLOW_ID [N]
# e.g. scripts/bench-writes.sh http://127.0.0.1:18201 "$(aidtrace --db big.db token create --name ada --days 1)" flow-bench-1-1 200
# Run `wrk -t2 -c64 -d20s --latency BASE_URL/api/v1/dashboard` beside it for dashboard p99
# under writes; `RATE=10` paces the writes at ten a second (the default: as fast as they go).
set -euo pipefail
base=$1 token=$2 flow=$3 n=${4:-200} rate=${RATE:-0}
auth="Authorization: Bearer $token"
hdr=$(mktemp)
trap 'rm -f "$hdr"' EXIT
doc=$(curl -sf -D "$hdr" -H "$auth" "$base/api/v1/flows/$flow")
# Updates must name the version they replace (If-Match); each PUT answers with the next ETag.
etag() { grep -i '^etag:' "$hdr" | cut -d' ' -f2 | tr -d '\r'; }
tag=$(etag)
times=()
for i in $(seq 1 "$n"); do
  # A new amount each time, so every PUT changes the record (an identical one is a no-op).
  body=$(printf '%s' "$doc" | python3 -c "import json,sys; d=json.load(sys.stdin); d['money']['amount']=str(1000+$i); print(json.dumps(d))")
  t=$(curl -s -D "$hdr" -o /dev/null -w '%{time_total} %{http_code}' -X PUT -H "$auth" \
    -H "If-Match: $tag" -H 'Content-Type: application/json' --data "$body" \
    "$base/api/v1/flows/$flow")
  [[ ${t#* } == 200 ]] || { echo "PUT $i answered ${t#* }" >&2; exit 1; }
  tag=$(etag)
  times+=("${t% *}")
  [[ $rate == 0 ]] || sleep "$(python3 -c "print(1/$rate)")"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
  m=int(NR*0.5); if (m<1) m=1; p=int(NR*0.99); if (p<1) p=1;
  printf "PUT over %d writes: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", NR, a[m]*1000, a[p]*1000, a[NR]*1000}'
# Visibility: one more write with a distinctive amount, then poll the dashboard until its
# totals change.
before=$(curl -sf -H "$auth" "$base/api/v1/dashboard" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['totals']))")
body=$(printf '%s' "$doc" | python3 -c "import json,sys; d=json.load(sys.stdin); d['money']['amount']='987654321'; print(json.dumps(d))")
start=$(date +%s.%N)
curl -sf -o /dev/null -X PUT -H "$auth" -H "If-Match: $tag" -H 'Content-Type: application/json' \
  --data "$body" "$base/api/v1/flows/$flow"
committed=$(date +%s.%N)
while :; do
  now=$(curl -sf -H "$auth" "$base/api/v1/dashboard" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['totals']))")
  [[ $now != "$before" ]] && break
  sleep 0.02
done
python3 -c "print(f'visible in the dashboard {($(date +%s.%N)-$committed)*1000:.0f} ms after the PUT answered (PUT {($committed-$start)*1000:.0f} ms)')"
