#!/usr/bin/env bash
# Benchmark for issue 16: `drydock apply` over a synthetic fleet of N repositories (default 500)
# in the GitHub stand-in (tests/standin/, on 127.0.0.1), each with a Dockerfile and a package
# manifest (npm, pip or Go), so every repository gets a pull request. Three runs:
#   rollout  the first run: a branch, a commit and a pull request per repository
#   no-op    a rerun with nothing changed
#   drift    a rerun after 10% of the repositories moved their default branch with a new
#            ecosystem (drydock's pull request is updated)
# and per run: API requests per repository (REST + GraphQL; git smart HTTP apart), writes and
# reads, wall time per repository excluding pacer waits (the waits drydock reports on stderr),
# the rollout pace as a share of the content-creating limit, and any rate-limit answer.
#
# The limits are lowered in proportion so that a run takes minutes, not hours: the
# content-creating limit is WPM per minute (default 240; GitHub's is 80) and WPM*500/80 per hour,
# configured the same in drydock's [github.limits] and enforced by the stand-in (a write over
# either is answered with a secondary rate limit, so "no secondary-limit hit" is measured, not
# assumed); the primary limit is GitHub's 5,000 requests an hour.
#
# Targets (issue 16): at most 4 API requests per repository for the rollout; 0 writes and at most
# 0.05 reads per repository for the no-op rerun; a rollout pace of at least 90% of the
# content-creating limit; no rate-limit hit. The script prints a table and exits 1 when the
# stand-in saw an invalid request; the targets are reported (PASS/MISS), not enforced.
#
# Usage: bench/apply.sh [N]
# Env:   DRYDOCK (binary; default: a release build of this checkout)  TOOLS (default /work/tools,
#        where standin-python lives)  BENCH_DIR (default /tmp/drydock-bench-apply-N)
#        WPM (content-creating requests per minute, default 240)  JOBS (git jobs, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-500}}
WPM=${WPM:-240}
JOBS=${JOBS:-4}
TOOLS=${TOOLS:-/work/tools}
BENCH_DIR=${BENCH_DIR:-/tmp/drydock-bench-apply-$N}
export PATH="$TOOLS/bin:$PATH:/usr/lib/git-core"

if [ -z "${DRYDOCK:-}" ]; then
  cargo build --release --quiet
  DRYDOCK=$PWD/target/release/drydock
fi

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/state"
standin-python tests/standin/github_standin.py --state "$BENCH_DIR/state" --port 0 --max-seconds 7200 \
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
WPH=$((WPM * 500 / 80))
ctl POST tokens "{\"token\":\"$TOKEN\",\"login\":\"bench\"}" >/dev/null
ctl POST orgs '{"login":"acme","type":"Organization"}' >/dev/null
ctl POST limits "{\"per_minute\":$WPM,\"per_hour\":$WPH,\"reset_counters\":true}" >/dev/null

# The fleet: the same three kinds of service as the tests' (tests/it/support/apply_world.rs).
python3 - "$N" "$BASE" "$BENCH_DIR" "$WPM" "$WPH" "$JOBS" <<'PY'
import json, sys
n, base, out, wpm, wph, jobs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def files(i):
    name = "svc-%03d" % i
    if i % 3 == 0:
        return {"README.md": "# %s\n" % name, "package.json": '{"name": "%s", "version": "1.0.0"}\n' % name,
                "Dockerfile": "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
                              "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n"}
    if i % 3 == 1:
        return {"README.md": "# %s\n" % name, "requirements.txt": "flask==3.0.3\n",
                "Dockerfile": "FROM python:3.12-slim AS build\nCOPY requirements.txt .\n"
                              "RUN pip wheel -r requirements.txt -w /wheels\n\nFROM python:3.12-slim\n"
                              "COPY --from=build /wheels /wheels\n"}
    return {"README.md": "# %s\n" % name, "go.mod": "module example.com/%s\n\ngo 1.22\n" % name,
            "main.go": "package main\n\nfunc main() {}\n",
            "Dockerfile": "FROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /app .\n\n"
                          "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n"}
names = ["acme/svc-%03d" % i for i in range(n)]
json.dump({"repos": [{"owner": "acme", "name": "svc-%03d" % i, "files": files(i)} for i in range(n)]},
          open(out + "/repos.json", "w"))
with open(out + "/fleet.toml", "w") as f:
    f.write('[fleet]\nworkspace = "ws"\njobs = %s\n\n[github]\napi_url = "%s"\n\n' % (jobs, base))
    f.write("[github.limits]\nwrites_per_minute = %s\nwrites_per_hour = %s\nwrite_interval = %.3f\n\n"
            % (wpm, wph, 60.0 / float(wpm) / 2))
    f.write('[apply]\nlabels = ["dependencies", "drydock"]\npolicy_url = "https://example.com/policy"\n\n')
    for name in names:
        f.write('[[repo]]\nname = "%s"\nurl = "%s/%s.git"\n\n' % (name, base, name))
PY
ctl POST repos "@$BENCH_DIR/repos.json" >/dev/null

run() {
  local name=$1
  ctl POST log/clear >/dev/null
  local start end code=0
  start=$(date +%s.%N)
  GITHUB_TOKEN=$TOKEN "$DRYDOCK" --fleet "$BENCH_DIR/fleet.toml" apply --format json \
    >"$BENCH_DIR/out-$name.json" 2>"$BENCH_DIR/err-$name.txt" || code=$?
  end=$(date +%s.%N)
  ctl GET log >"$BENCH_DIR/log-$name.json"
  ctl GET log/summary >"$BENCH_DIR/summary-$name.json"
  echo "$name $start $end $code" >>"$BENCH_DIR/runs.txt"
}

# 10% of the repositories move on: a worker service with its own manifest and Dockerfile.
drift() {
  python3 - "$N" >"$BENCH_DIR/drift.txt" <<'PY'
import sys
n = int(sys.argv[1])
print("\n".join("acme/svc-%03d" % i for i in range(0, n, 10)))
PY
  while read -r repo; do
    ctl POST "repos/$repo/commits" '{"branch":"main","message":"add a worker","author":{"name":"Dev","email":"dev@example.com"},"files":{"worker/requirements.txt":"celery==5.4.0\n","worker/Dockerfile":"FROM python:3.12-slim\nCOPY . .\n"}}' >/dev/null
  done <"$BENCH_DIR/drift.txt"
}

echo "== drydock apply over $N repositories ($DRYDOCK), content-creating limit $WPM/min, $WPH/h, $JOBS git jobs"
: >"$BENCH_DIR/runs.txt"
run rollout
run no-op
drift
run drift

python3 - "$BENCH_DIR" "$N" "$WPM" <<'PY'
import json, re, sys
d, n, wpm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
API = ("read", "write", "graphql-query", "graphql-mutation")
rows, targets, bad = [], [], False
for line in open(d + "/runs.txt"):
    name, start, end, code = line.split()
    log = json.load(open("%s/log-%s.json" % (d, name)))["entries"]
    summary = json.load(open("%s/summary-%s.json" % (d, name)))
    try:
        report = json.load(open("%s/out-%s.json" % (d, name)))
        results = {}
        for r in report["repos"]:
            results[r["result"]] = results.get(r["result"], 0) + 1
    except ValueError:
        report, results = None, {"(no JSON report)": 1}
    err = open("%s/err-%s.txt" % (d, name)).read()
    waits = sum(float(m) for m in re.findall(r"waiting ([0-9.]+) s", err))
    api = [e for e in log if e["kind"] in API]
    writes = [e for e in log if e["content_creating"]]
    reads = [e for e in api if not e["content_creating"]]
    git = [e for e in log if e["kind"] in ("git-fetch", "git-push")]
    limited = [e for e in log if e["fault"] is None and (e["status"] == 429 or
               (e["status"] == 403 and e["kind"] in API))]
    wall = float(end) - float(start)
    times = sorted(e["t"] for e in writes)
    # The pace: writes per minute over the span of the run's writes, as a share of the limit;
    # only for a span of a minute or more (a shorter one is a burst the limit allows whole).
    pace = None
    if len(times) > 1 and times[-1] - times[0] >= 60:
        pace = (len(times) - 1) / (times[-1] - times[0]) * 60.0 / wpm
    rows.append((name, code, len(api) / n, len(writes) / n, len(reads) / n, len(git) / n, wall,
                 max(wall - waits, 0.0) / n * 1000, waits, summary["max_content_60s"], pace, len(limited),
                 results))
    if summary.get("violations"):
        bad = True
        print("%s: %d VIOLATIONS (see GET /_standin/violations)" % (name, summary["violations"]), file=sys.stderr)
    if name == "rollout":
        targets.append(("rollout: API requests per repository <= 4", len(api) / n <= 4, "%.2f" % (len(api) / n)))
        targets.append(("rollout: pace >= 90%% of %d/min" % wpm, pace is not None and pace >= 0.9,
                        "%.0f%%" % (100 * pace) if pace else "- (writes spanned under a minute: raise N)"))
    if name == "no-op":
        targets.append(("no-op rerun: 0 writes", len(writes) == 0, str(len(writes))))
        targets.append(("no-op rerun: reads per repository <= 0.05", len(reads) / n <= 0.05, "%.3f" % (len(reads) / n)))
    targets.append(("%s: no rate-limit hit, max %d writes in 60 s" % (name, wpm),
                    not limited and summary["max_content_60s"] <= wpm,
                    "%d hits, max %d" % (len(limited), summary["max_content_60s"])))

print("%-8s %4s %8s %8s %8s %8s %8s %12s %8s %7s %6s %5s  %s" % (
    "run", "exit", "API/repo", "wr/repo", "rd/repo", "git/repo", "wall s", "ms/repo*", "waits s",
    "max/60s", "pace", "RL", "results"))
for (name, code, api, wr, rd, git, wall, per, waits, mx, pace, rl, results) in rows:
    print("%-8s %4s %8.2f %8.2f %8.3f %8.2f %8.1f %12.1f %8.1f %7d %6s %5d  %s" % (
        name, code, api, wr, rd, git, wall, per, waits, mx, "%.0f%%" % (100 * pace) if pace else "-", rl,
        " ".join("%s=%d" % kv for kv in sorted(results.items()))))
print("* wall time per repository excluding the pacer waits drydock reported; max/60s = most writes in any")
print("  60 s (stand-in log); pace = writes per minute over the writes' span / the limit; RL = rate-limit answers")
print()
for what, ok, value in targets:
    print("%-4s %-52s %s" % ("PASS" if ok else "MISS", what, value))
sys.exit(1 if bad else 0)
PY
