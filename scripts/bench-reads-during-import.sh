#!/usr/bin/env bash
# Reads while the server imports (BENCHMARKS.md, "Reads beside a write"): a release server on a
# fresh store, an admin's upload of ZIP to /import (the import holds the writing connection
# until its last file commits), and meanwhile one client reading a page of the flow list
# (`GET /api/v1/flows?per_page=50`, read from the store) back to back. Prints the POST's wall
# time and the reads' latencies, first with nothing else running, then during the import.
#
#   scripts/bench-reads-during-import.sh BINARY ZIP [PORT]
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 BINARY ZIP [PORT]" >&2
    exit 2
fi
. "$(dirname "$0")/bench-server.sh" "$1" "${3:-18742}"
zip=$2
# Reads go through the API with a token (the pages are served from the read model).
api=$("$bin" --db "$work/db" token create --name bench --days 1 2> /dev/null | head -1)
# Latency of each read, in seconds, one per line, while the file $1 exists.
reads_while() {
    while [ -e "$1" ]; do
        curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -H "Authorization: Bearer $api" \
            "$base/api/v1/flows?per_page=50"
    done
}
summary() {
    sort -n | awk '$2 != 200 { bad++ } {v[NR]=$1} END {
        if (bad) { printf "  %d reads did not answer 200\n", bad; exit 1 }
        if (NR == 0) { print "  no reads"; exit }
        p = int(NR * 0.99); if (p < 1) p = 1
        printf "  %d reads: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
            NR, v[int((NR + 1) / 2)] * 1000, v[p] * 1000, v[NR] * 1000 }'
}
touch "$work/idle"
(sleep 3; rm -f "$work/idle") &
echo "reads for 3 s with nothing else running:"
reads_while "$work/idle" | summary
token=$(curl -s -c "$jar" -b "$jar" "$base/import" | csrf)
touch "$work/importing"
(
    curl -s -c "$jar" -b "$jar" -o "$work/page.html" \
        -w "POST /import: %{time_total} s wall, HTTP %{http_code}\n" \
        -F "csrf=$token" -F action=import -F "file=@$zip" "$base/import" > "$work/post.txt"
    rm -f "$work/importing"
) &
importer=$!
echo "reads during the import:"
reads_while "$work/importing" | summary
wait "$importer"
cat "$work/post.txt"
