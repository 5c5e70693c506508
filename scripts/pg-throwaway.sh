#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster in a temporary directory, as an unprivileged user, with no
# system service: for the test suites and benchmarks on the PostgreSQL backend.
#   eval "$(bash scripts/pg-throwaway.sh start)"   # exports AIDTRACE_TEST_PG and PG_THROWAWAY_DIR
#   bash scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
# Needs Debian's `postgresql` package (initdb and pg_ctl under /usr/lib/postgresql/*/bin).
set -euo pipefail

bin_dir() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }
  echo "$found"
}

# initdb refuses to run as root: run the server as the package's `postgres` user, or `nobody`.
as_server_user() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  local user=postgres
  id "$user" >/dev/null 2>&1 || user=nobody
  runuser -u "$user" -- "$@"
}

case "${1:-}" in
  start)
    bin=$(bin_dir)
    dir=$(mktemp -d /tmp/aidtrace-pg.XXXXXX)
    port=${PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
    [ "$(id -u)" -ne 0 ] || chown "$(id -u postgres 2>/dev/null || id -u nobody)" "$dir"
    as_server_user "$bin/initdb" -D "$dir/data" -U aidtrace -A trust -E UTF8 --no-locale >/dev/null
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null
    echo "export PG_THROWAWAY_DIR=$dir"
    echo "export AIDTRACE_TEST_PG=postgres://aidtrace@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: pg-throwaway.sh stop DIR}
    as_server_user "$(bin_dir)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-throwaway.sh start | stop DIR" >&2
    exit 2
    ;;
esac
