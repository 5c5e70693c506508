#!/usr/bin/env bash
# Times the web upload as a user runs it: a release server on a fresh store, sign-in as an
# admin, then one POST of ZIP to /import with action=import (BENCHMARKS.md, "IATI import
# throughput"). Prints the POST's wall time and the server process's CPU for it, then the same
# for the next page (the dashboard), which waits for the read model to show the import when the
# POST did not.
#
#   scripts/bench-web-upload.sh BINARY ZIP [PORT]
#
# Make the zip with e.g. `zip -j pages.zip ../shared/iati/real-data/dportal-covid-2021/*.xml`.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 BINARY ZIP [PORT]" >&2
    exit 2
fi
. "$(dirname "$0")/bench-server.sh" "$1" "${3:-18741}"
zip=$2
token=$(curl -s -c "$jar" -b "$jar" "$base/import" | csrf)
# utime + stime of the server, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(cpu)
curl -s -c "$jar" -b "$jar" -o "$work/page.html" \
    -w "POST /import: %{time_total} s wall, HTTP %{http_code}\n" \
    -F "csrf=$token" -F action=import -F "file=@$zip" "$base/import"
ticks=$(( $(cpu) - before ))
echo "server CPU for the POST: $ticks ticks of 1/$(getconf CLK_TCK) s"
curl -s -c "$jar" -b "$jar" -o /dev/null -w "GET / after it: %{time_total} s wall, HTTP %{http_code}\n" "$base/"
ticks=$(( $(cpu) - before ))
echo "server CPU for the POST and the next page: $ticks ticks of 1/$(getconf CLK_TCK) s"
echo "activities stored: $(sqlite3 "$work/db" 'SELECT count(*) FROM activities')"
