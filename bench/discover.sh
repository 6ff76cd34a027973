#!/usr/bin/env bash
# Benchmark for issue 12: `drydock discover` over an organisation of N repositories (default
# 5,000) in the GitHub stand-in (tests/standin/, on 127.0.0.1). Prints, for a first run (empty
# ETag cache) and a second run (same workspace):
#   API requests (goal: one per 100 repositories), how many were answered 304, the content-creating
#   requests (must be 0), wall time, peak memory (max RSS from /usr/bin/time -v).
# The stand-in validates every request against GitHub's OpenAPI description; any violation
# fails the benchmark.
#
# Usage: bench/discover.sh [N]
# Env:   DRYDOCK (binary; default: a release build of this checkout)  TOOLS (default /work/tools,
#        where standin-python lives)  BENCH_DIR (default /tmp/drydock-bench-discover-N)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-5000}}
TOOLS=${TOOLS:-/work/tools}
BENCH_DIR=${BENCH_DIR:-/tmp/drydock-bench-discover-$N}
export PATH="$TOOLS/bin:$PATH"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak memory)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
if [ -z "${DRYDOCK:-}" ]; then
  cargo build --release --quiet
  DRYDOCK=$PWD/target/release/drydock
fi

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/state"
standin-python tests/standin/github_standin.py --state "$BENCH_DIR/state" --port 0 --max-seconds 900 \
  >"$BENCH_DIR/standin.url" 2>"$BENCH_DIR/standin.log" &
standin_pid=$!
trap 'kill "$standin_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$BENCH_DIR/standin.url" ] && break; sleep 0.1; done
BASE=$(head -1 "$BENCH_DIR/standin.url")
[ -n "$BASE" ] || { echo "the stand-in did not start: $(cat "$BENCH_DIR/standin.log")" >&2; exit 1; }

ctl() {
  local body=${3-}
  [ -n "$body" ] || body='{}'
  curl -sf -X "$1" "$BASE/_standin/$2" -H 'Content-Type: application/json' -d "$body"
}
TOKEN=ghp_benchmark0123456789
ctl POST tokens "{\"token\":\"$TOKEN\",\"login\":\"bench\"}" >/dev/null
ctl POST orgs '{"login":"acme","type":"Organization"}' >/dev/null
python3 - "$N" >"$BENCH_DIR/repos.json" <<'PY'
import json, sys
n = int(sys.argv[1])
repos = [{"owner": "acme", "name": "svc-%05d" % i, "files": {"README.md": "x\n"},
          "topics": ["docker"] if i % 3 == 0 else [], "archived": i % 50 == 0, "fork": i % 70 == 0}
         for i in range(n)]
print(json.dumps({"repos": repos}))
PY
ctl POST repos "@$BENCH_DIR/repos.json" >/dev/null
printf '# bench fleet\n[fleet]\nworkspace = "ws"\n\n[github]\napi_url = "%s"\n\n[[repo]]\nname = "acme/svc-00001"\n' "$BASE" \
  >"$BENCH_DIR/fleet.toml"

run() {
  ctl POST log/clear >/dev/null
  local start end
  start=$(date +%s.%N)
  GITHUB_TOKEN=$TOKEN /usr/bin/time -v "$DRYDOCK" --fleet "$BENCH_DIR/fleet.toml" discover --org acme --format json \
    >"$BENCH_DIR/out-$1.json" 2>"$BENCH_DIR/time-$1.txt"
  end=$(date +%s.%N)
  local summary rss
  summary=$(ctl GET log/summary)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$BENCH_DIR/time-$1.txt")
  python3 - "$1" "$summary" "$start" "$end" "$rss" "$N" "$BENCH_DIR/out-$1.json" <<'PY'
import json, sys
name, summary, start, end, rss, n, out = sys.argv[1:]
s = json.loads(summary)
report = json.load(open(out))
print("%-6s requests %4d (%.2f per 100 repositories)  304s %4d  content-creating %d  wall %.2f s  peak RSS %.1f MiB  added %d"
      % (name, s["requests"], 100.0 * s["requests"] / int(n), s.get("status_304", 0), s["content_creating"],
         float(end) - float(start), int(rss) / 1024.0, len(report["added"])))
if s.get("violations"):
    print("VIOLATIONS: %s" % s["violations"], file=sys.stderr)
    sys.exit(1)
PY
}

echo "== drydock discover over $N repositories ($DRYDOCK)"
run first
run second
