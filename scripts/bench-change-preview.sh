#!/usr/bin/env bash
# The approval queue's cost at scale: an editor proposes N flows (each a pending change), then the
# approver's `/changes` page, which compares each change with the ledger and previews the
# findings it would add or clear, is fetched R times; prints each page's time.
#   [PAGE_OUT=FILE] scripts/bench-change-preview.sh BINARY STORE PORT [N] [R]
# STORE is copied first (the proposals are written to the copy), e.g. a `bench_gen` store:
#   target/release/examples/bench_gen mid.db 10000 10
set -euo pipefail
bin=$1 src=$2 port=$3 n=${4:-8} rounds=${5:-5}
work=$(mktemp -d /tmp/bench-preview.XXXXXX)
db="$work/store.db"
cp "$src" "$db"
echo 'a long password' | "$bin" --db "$db" user add --name ada --role admin --password-stdin >/dev/null
echo 'a long password' | "$bin" --db "$db" user add --name ed --role editor --org org-bench-7 \
  --password-stdin >/dev/null
admin=$("$bin" --db "$db" token create --name ada --days 1 2>/dev/null | head -1)
editor=$("$bin" --db "$db" token create --name ed --days 1 2>/dev/null | head -1)
"$bin" --db "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/dashboard"; do
  kill -0 $pid || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
# Donor 7 funds act-bench-7, act-bench-47, …: one new disbursement on each of N of them.
for i in $(seq 0 $((n - 1))); do
  act=$((7 + 40 * i))
  body=$(printf '{"record":"flow","id":"flow-proposed-%s","activity":"act-bench-%s","kind":"disbursement","provider":"org-bench-7","money":{"amount":"12345","currency":"USD","value_date":"2024-06-01"}}' "$i" "$act")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $editor" \
    -H 'If-None-Match: *' -H 'Content-Type: application/json' --data "$body" \
    "http://127.0.0.1:$port/api/v1/flows/flow-proposed-$i")
  [[ $code == 202 ]] || { echo "proposal $i answered $code" >&2; exit 1; }
done
for r in $(seq 1 "$rounds"); do
  curl -s -o "$work/changes.html" -w "GET /changes ($n pending): %{time_total} s, %{http_code}, %{size_download} bytes\n" \
    -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/changes"
done
# PAGE_OUT=FILE keeps the last page, to compare what two builds show.
[[ -z ${PAGE_OUT:-} ]] || cp "$work/changes.html" "$PAGE_OUT"
