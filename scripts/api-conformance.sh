#!/usr/bin/env bash
# API conformance: serves the demo store on a free 127.0.0.1 port, validates the served
# /api/v1/openapi.json with openapi-spec-validator, and runs schemathesis over every operation,
# anonymous and signed in with an API token. Fails on any 5xx and on any response (status, content
# type, headers, body) the document does not describe. Called by .ci/run; run it by hand with
#   bash scripts/api-conformance.sh            (API_EXAMPLES=N for more cases per operation)
# The Python tools are pinned and installed into a virtualenv under target/, nothing global.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$PWD/target/api-venv"
bin=${AIDTRACE_BIN:-target/debug/aidtrace}
examples=${API_EXAMPLES:-8}
pins=(openapi-spec-validator==0.9.0 schemathesis==4.32.5)

if ! "$venv/bin/python" -c 'import openapi_spec_validator, schemathesis' 2>/dev/null; then
  echo "== installing ${pins[*]} into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}"
fi
if [ -z "${AIDTRACE_BIN:-}" ]; then
  cargo build --quiet --locked -p aidtrace
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

db="$work/demo.db"
"$bin" --db "$db" --actor conformance demo >/dev/null
echo 'conformance test password' | "$bin" --db "$db" user add --name conformance --role admin --password-stdin >/dev/null
token=$("$bin" --db "$db" token create --name conformance --days 1 | tail -n 1 | tr -d '[:space:]')

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" --db "$db" --actor conformance serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!

# Up to 30 s for the server to answer.
"$venv/bin/python" - "$base/api/v1/openapi.json" "$work/openapi.json" <<'PY'
import sys, time, urllib.request
url, out = sys.argv[1], sys.argv[2]
for _ in range(300):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            open(out, "wb").write(r.read())
            break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(f"no answer from {url}")
PY

echo "== openapi-spec-validator: $base/api/v1/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
run() {
  local who=$1
  shift
  echo "== schemathesis ($who, at most $examples cases per operation)"
  # From the scratch directory: schemathesis keeps its cache (.schemathesis/) where it runs.
  (cd "$work" && "$venv/bin/st" run "$work/openapi.json" --url "$base" --checks "$checks" \
    --max-examples "$examples" --seed 19 --workers 1 --request-timeout 30 \
    --suppress-health-check all --no-color "$@")
}
status=0
run anonymous || status=1
run "signed in" --header "Authorization: Bearer $token" || status=1
if [ "$status" -ne 0 ]; then
  echo "== server log (last 40 lines)"
  tail -n 40 "$work/server.log"
fi
exit "$status"
