#!/usr/bin/env bash
# The outside conformance check (check.py) against `./bin/logqlsql serve` on each engine of the matrix:
#   tests/matrix/serve-check.sh [duckdb] [postgres] [chdb]      (default: all three; run after `npm run build`)
# PostgreSQL: $LOGQLSQL_TEST_POSTGRES_URL (a database URL to use as is), else a fresh database on the local cluster
# (role logqlsql, prepared by the vitest matrix helper, tests/matrix/engines.ts). Prints check.py's summary per engine
# and exits non-zero when any engine fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
engines=("$@")
[ ${#engines[@]} -eq 0 ] && engines=(duckdb postgres chdb)
status=0
# The recorded Loki ran without service_name / detected_level discovery (tests/fixtures/conformance/README.md): the
# check says so explicitly (serve's default is off too), when this build has the flags.
discovery_off=()
if ./bin/logqlsql serve --help | grep -q -- '--no-discover-log-levels'; then
  discovery_off=(--discover-service-name '' --no-discover-log-levels)
fi
for e in "${engines[@]}"; do
  cleanup=""
  case "$e" in
    duckdb) db="duckdb::memory:" ;;
    chdb) dir=$(mktemp -d); db="chdb:$dir"; cleanup="rm -rf $dir" ;;
    postgres)
      if [ -n "${LOGQLSQL_TEST_POSTGRES_URL:-}" ]; then db="$LOGQLSQL_TEST_POSTGRES_URL"
      else
        name="logqlsql_serve_$$"
        su postgres -c "psql -q -X -c 'CREATE DATABASE $name OWNER logqlsql'" >/dev/null
        db="postgres://logqlsql:logqlsql_test@127.0.0.1:5432/$name"
        cleanup="su postgres -c \"psql -q -X -c 'DROP DATABASE IF EXISTS $name WITH (FORCE)'\""
      fi ;;
    *) echo "unknown engine $e"; exit 2 ;;
  esac
  port=$((33000 + RANDOM % 2000))
  log=$(mktemp)
  ./bin/logqlsql serve --db "$db" --listen 127.0.0.1:$port "${discovery_off[@]}" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do curl -fs "127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  echo "== check.py against serve on $e"
  if ! (cd tests/fixtures/conformance && python3 check.py "http://127.0.0.1:$port" expected.json dataset.json | tail -1); then
    status=1; tail -20 "$log"
  fi
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  [ -n "$cleanup" ] && eval "$cleanup"
  rm -f "$log"
done
exit $status
