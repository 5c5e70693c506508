#!/usr/bin/env bash
# Imports the same IATI files with two aidtrace binaries into fresh stores and compares what
# they stored: every record table row by row, the audit log without its times and hashes (which
# differ by the clock alone), and the JSON import report. Then checks, for the second binary,
# that `audit verify` passes and that importing again writes nothing. Used to show a speed
# change kept the import's results identical (BENCHMARKS.md, "IATI import throughput").
#
#   scripts/compare-import.sh BASE_BINARY NEW_BINARY PATH...
#
# Needs the sqlite3 command-line shell. Exits 1 on any difference.
set -euo pipefail

if [ "$#" -lt 3 ]; then
    echo "usage: $0 BASE_BINARY NEW_BINARY PATH..." >&2
    exit 2
fi
base=$1
new=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dump() {
    local db=$1
    # Every table with a `doc` column holds records (or rates); the audit log without `at`,
    # `prev_hash` and `hash`; the chain head's sequence number.
    local tables
    tables=$(sqlite3 "$db" "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
        WHERE m.type = 'table' AND c.name = 'doc' ORDER BY m.name")
    for t in $tables; do
        echo "== $t"
        sqlite3 -json "$db" "SELECT * FROM \"$t\" ORDER BY id"
    done
    echo "== audit_log"
    sqlite3 -json "$db" "SELECT seq, actor, action, kind, record_id, before, after
        FROM audit_log ORDER BY seq"
    echo "== audit_head"
    sqlite3 "$db" "SELECT seq FROM audit_head"
}

for which in base new; do
    bin=$base
    [ "$which" = new ] && bin=$new
    "$bin" --db "$work/$which.db" iati import --format json "$@" > "$work/$which.report.json" || true
    dump "$work/$which.db" > "$work/$which.dump"
done

status=0
if ! cmp -s "$work/base.dump" "$work/new.dump"; then
    echo "stores differ:"
    diff "$work/base.dump" "$work/new.dump" | head -40
    status=1
fi
if ! cmp -s "$work/base.report.json" "$work/new.report.json"; then
    echo "import reports differ:"
    diff "$work/base.report.json" "$work/new.report.json" | head -40
    status=1
fi
entries=$(sqlite3 "$work/new.db" "SELECT count(*) FROM audit_log")
"$new" --db "$work/new.db" audit verify > "$work/verify.txt" || {
    echo "audit verify failed:"
    head -20 "$work/verify.txt"
    status=1
}
"$new" --db "$work/new.db" iati import --format json "$@" > /dev/null || true
again=$(sqlite3 "$work/new.db" "SELECT count(*) FROM audit_log")
if [ "$entries" != "$again" ]; then
    echo "importing again wrote $((again - entries)) audit entries (expected none)"
    status=1
fi
if [ "$status" = 0 ]; then
    records=$(grep -c '"id"' "$work/new.dump" || true)
    echo "identical: $records rows and $entries audit entries; audit verify passes; re-import writes nothing"
fi
exit "$status"
