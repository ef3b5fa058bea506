#!/usr/bin/env bash
# Records what Loki's parser says about the LogQL strings of Loki's own tests (tests/fixtures/loki-corpus):
#   scripts/loki-corpus/build.sh <loki git dir> [tag=v3.7.6]
# Needs Go and the Go module proxy (it builds oracle/ against github.com/grafana/loki/v3 at the tag).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
git_dir="$1"
tag="${2:-v3.7.6}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/oracle/main.go" "$work/"
cd "$work"
go mod init lokicorpus >/dev/null 2>&1
go get "github.com/grafana/loki/v3/pkg/logql/syntax@$tag" >/dev/null 2>&1
# Loki's own go.mod replaces these modules with forks; the oracle must build against the same code
git -C "$git_dir" show "$tag:go.mod" | grep -E '^replace .* => [a-z]' | grep -v '=> \./' >>go.mod
go mod tidy >/dev/null 2>&1
go build -o oracle .
node "$here/extract.mjs" "$git_dir" "$tag" >corpus.jsonl
./oracle <corpus.jsonl >answers.jsonl
node -e '
  const fs = require("fs");
  const qs = fs.readFileSync("corpus.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const as = fs.readFileSync("answers.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const cases = qs.map((q, i) => ({ q: q.q, ok: as[i].ok, ...(as[i].ok ? { pretty: as[i].pretty } : { err: as[i].err }) }));
  const out = { recorded: "Loki " + process.argv[1] + " syntax.ParseExpr + syntax.Prettify (format_query)", cases };
  fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 1) + "\n");
' "$tag" "$repo/tests/fixtures/loki-corpus/corpus.json"
echo "recorded $(wc -l <corpus.jsonl) strings into tests/fixtures/loki-corpus/corpus.json"
