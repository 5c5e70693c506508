#!/usr/bin/env bash
# Times the web upload as a user runs it: a release server on a fresh store, sign-in as an
# admin, then one POST of ZIP to /import with action=import (BENCHMARKS.md, "IATI import
# throughput"). Prints the POST's wall time and the server process's CPU for it.
#
#   scripts/bench-web-upload.sh BINARY ZIP [PORT]
#
# Make the zip with e.g. `zip -j pages.zip ../shared/iati/real-data/dportal-covid-2021/*.xml`.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 BINARY ZIP [PORT]" >&2
    exit 2
fi
bin=$1
zip=$2
port=${3:-18741}
work=$(mktemp -d)
password='bench-password-123456'
echo "$password" | "$bin" --db "$work/db" user add --name bench --role admin --password-stdin > /dev/null
"$bin" --db "$work/db" serve --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server"; rm -rf "$work"' EXIT
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
    sleep 0.2
done
jar=$work/jar
csrf() { grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | csrf)
curl -s -c "$jar" -b "$jar" -o /dev/null \
    -d "name=bench&password=$password&csrf=$token" "http://127.0.0.1:$port/login"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/import" | csrf)
# utime + stime of the server, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before=$(cpu)
curl -s -c "$jar" -b "$jar" -o "$work/page.html" \
    -w "POST /import: %{time_total} s wall, HTTP %{http_code}\n" \
    -F "csrf=$token" -F action=import -F "file=@$zip" "http://127.0.0.1:$port/import"
ticks=$(( $(cpu) - before ))
echo "server CPU for the POST: $ticks ticks of 1/$(getconf CLK_TCK) s"
echo "activities stored: $(sqlite3 "$work/db" 'SELECT count(*) FROM activities')"
