#!/usr/bin/env bash
# Benchmark for issue 13: `drydock status` over a fleet of N repositories (default 1,000) in the
# GitHub stand-in (tests/standin/, on 127.0.0.1), against a baseline measured in the same run on
# the same stand-in: one GraphQL query per repository with the same fields (what `gh pr list
# --head BRANCH --json ...` sends, run once per repository). Prints, for both:
#   requests, GraphQL cost (the sum of `rateLimit.cost`), wall time; then the ratios
#   (baseline / drydock). Goal: at most 20 requests for 1,000 repositories.
# Also prints what a naive REST client would send (one pulls list per repository plus the
# commit status and check runs of each open pull request), counted, not run.
# The stand-in validates every request against GitHub's schema; any violation fails the run.
#
# Usage: bench/status.sh [N] [EVERY]   (a drydock pull request on every EVERY-th repository,
#                                       default 10; the rest have none)
# Env:   DRYDOCK (binary; default: a release build of this checkout)  TOOLS (default /work/tools,
#        where standin-python lives)  BENCH_DIR (default /tmp/drydock-bench-status-N)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-1000}}
EVERY=${2:-${EVERY:-10}}
TOOLS=${TOOLS:-/work/tools}
BENCH_DIR=${BENCH_DIR:-/tmp/drydock-bench-status-$N}
export PATH="$TOOLS/bin:$PATH"

if [ -z "${DRYDOCK:-}" ]; then
  cargo build --release --quiet
  DRYDOCK=$PWD/target/release/drydock
fi

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/state"
standin-python tests/standin/github_standin.py --state "$BENCH_DIR/state" --port 0 --max-seconds 1800 \
  >"$BENCH_DIR/standin.url" 2>"$BENCH_DIR/standin.log" &
standin_pid=$!
trap 'kill "$standin_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$BENCH_DIR/standin.url" ] && break; sleep 0.1; done
BASE=$(head -1 "$BENCH_DIR/standin.url")
[ -n "$BASE" ] || { echo "the stand-in did not start: $(cat "$BENCH_DIR/standin.log")" >&2; exit 1; }

TOKEN=ghp_benchmark0123456789
echo "== setting up $N repositories, a pull request on every ${EVERY}th (stand-in control API)" >&2
python3 - "$BASE" "$TOKEN" "$N" "$EVERY" <<'PY'
import json, sys, urllib.request
base, token, n, every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def ctl(method, path, body):
    req = urllib.request.Request(base + "/_standin/" + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
ctl("POST", "tokens", {"token": token, "login": "bench"})
ctl("POST", "orgs", {"login": "acme", "type": "Organization"})
ctl("POST", "repos", {"repos": [{"owner": "acme", "name": "svc-%05d" % i, "files": {"README.md": "x\n"}}
                                for i in range(n)]})
states = [("FAILURE", True), ("PENDING", True), ("SUCCESS", True), ("SUCCESS", False)]
for k, i in enumerate(range(0, n, every)):
    repo = "acme/svc-%05d" % i
    ctl("POST", "repos/%s/commits" % repo, {"branch": "drydock/policy", "create_from": "main",
                                             "files": {".github/dependabot.yml": "version: 2\nupdates: []\n"}})
    pr = ctl("POST", "repos/%s/pulls" % repo, {"head": "drydock/policy", "base": "main", "title": "drydock"})
    checks, mergeable = states[k % len(states)]
    ctl("PATCH", "repos/%s/pulls/%d" % (repo, pr["number"]), {"checks": checks, "mergeable": mergeable})
PY
{
  printf '# bench fleet\n[fleet]\nworkspace = "ws"\n\n[github]\napi_url = "%s"\n' "$BASE"
  for i in $(seq 0 $((N - 1))); do printf '\n[[repo]]\nname = "acme/svc-%05d"\n' "$i"; done
} >"$BENCH_DIR/fleet.toml"

ctl() { curl -sf -X "$1" "$BASE/_standin/$2" -H 'Content-Type: application/json' -d "${3:-{\}}"; }

echo "== drydock status over $N repositories ($DRYDOCK)"
ctl POST log/clear >/dev/null
start=$(date +%s.%N)
GITHUB_TOKEN=$TOKEN "$DRYDOCK" --fleet "$BENCH_DIR/fleet.toml" -v status --format json \
  >"$BENCH_DIR/out.json" 2>"$BENCH_DIR/err.txt"
end=$(date +%s.%N)
drydock_summary=$(ctl GET log/summary)

echo "== baseline: one GraphQL query per repository (gh pr list --head, per repository)"
ctl POST log/clear >/dev/null
python3 - "$BASE" "$TOKEN" "$N" >"$BENCH_DIR/baseline.txt" <<'PY'
import json, sys, time, urllib.request
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
query = """query($o: String!, $n: String!, $head: String!) { repository(owner: $o, name: $n) {
  pullRequests(headRefName: $head, first: 5, states: [OPEN, CLOSED, MERGED], orderBy: {field: CREATED_AT, direction: DESC}) {
    nodes { number url createdAt state isDraft mergeable reviewDecision headRepositoryOwner { login }
            commits(last: 1) { nodes { commit { statusCheckRollup { state } } } } } } }
  rateLimit { cost remaining } }"""
cost = 0
open_prs = 0
start = time.time()
for i in range(n):
    body = json.dumps({"query": query, "variables": {"o": "acme", "n": "svc-%05d" % i, "head": "drydock/policy"}})
    req = urllib.request.Request(base + "/graphql", data=body.encode(), method="POST",
                                 headers={"Authorization": "token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        answer = json.loads(r.read())
    cost += answer["data"]["rateLimit"]["cost"]
    open_prs += sum(1 for p in answer["data"]["repository"]["pullRequests"]["nodes"] if p["state"] == "OPEN")
print(json.dumps({"cost": cost, "wall": time.time() - start, "open": open_prs}))
PY
baseline_summary=$(ctl GET log/summary)

python3 - "$N" "$drydock_summary" "$start" "$end" "$BENCH_DIR/err.txt" "$BENCH_DIR/out.json" \
  "$baseline_summary" "$BENCH_DIR/baseline.txt" <<'PY'
import json, re, sys
n, dsum, start, end, err, out, bsum, btxt = sys.argv[1:]
n = int(n)
d, b = json.loads(dsum), json.loads(bsum)
base = json.load(open(btxt))
report = json.load(open(out))
m = re.search(r"GraphQL cost (\d+) points", open(err).read())
if m is None:
    sys.exit("no cost line in drydock's -v output: %s" % open(err).read()[-2000:])
dcost, dwall = int(m.group(1)), float(end) - float(start)
print("drydock   requests %5d  GraphQL cost %5d  wall %6.2f s  (%d repositories, %d with a pull request)"
      % (d["requests"], dcost, dwall, len(report["repos"]), sum(1 for r in report["repos"] if r["pr"])))
print("baseline  requests %5d  GraphQL cost %5d  wall %6.2f s" % (b["requests"], base["cost"], base["wall"]))
print("ratio     requests %5.1fx GraphQL cost %5.1fx wall %6.1fx  (baseline / drydock)"
      % (b["requests"] / d["requests"], base["cost"] / max(dcost, 1), base["wall"] / dwall))
print("naive REST (counted): %d requests (a pulls list per repository + status and check runs per open PR): %.1fx"
      % (n + 2 * base["open"], (n + 2 * base["open"]) / d["requests"]))
bad = d.get("violations") or b.get("violations")
if bad:
    print("VIOLATIONS: %s" % bad, file=sys.stderr)
    sys.exit(1)
if n <= 1000 and d["requests"] > 20:
    print("FAIL: more than 20 requests for %d repositories" % n, file=sys.stderr)
    sys.exit(1)
PY
