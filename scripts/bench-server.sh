# Sourced by the web benchmarks (bench-web-upload.sh, bench-reads-during-import.sh): starts a
# release server on a fresh store in a temporary directory with one admin, waits until it
# answers, and signs the admin in. Sets: work (the directory), server (its pid), base (its URL),
# jar (the signed-in cookie jar), password; defines csrf (reads a page's form token from stdin).
# Stops the server and removes the directory on exit.
#
#   . scripts/bench-server.sh BINARY PORT

bin=$1
port=$2
work=$(mktemp -d)
password='bench-password-123456'
echo "$password" | "$bin" --db "$work/db" user add --name bench --role admin --password-stdin > /dev/null
"$bin" --db "$work/db" serve --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 50); do
    curl -s -o /dev/null "$base/login" && break
    sleep 0.2
done
jar=$work/jar
csrf() { grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
sign_in_token=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf)
curl -s -c "$jar" -b "$jar" -o /dev/null \
    -d "name=bench&password=$password&csrf=$sign_in_token" "$base/login"
