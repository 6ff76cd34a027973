#!/usr/bin/env bash
# Scale figures for issue 15 (docs/scale.md): a synthetic fleet of N repositories (default
# 10,000, bench/gen-scale-fleet.py) served by `git daemon` on 127.0.0.1, split into S shards
# (default 20) run one after another, as the jobs of a CI matrix would run side by side:
#   1. per shard: `drydock sync --shard I/S` (first clone), `check --shard I/S --format json`,
#      `plan --shard I/S --format json`: wall time, CPU time, peak memory (/usr/bin/time -v);
#   2. the same fleet unsharded: `sync` again (nothing new: the daily fetch), `check`, `plan`;
#   3. `drydock report merge` of the shards' check and plan reports, compared with the unsharded
#      reports as JSON (python's json.load, so key order and whitespace do not matter): they must
#      be equal, or the script fails.
# Prints a table per shard, the totals, and the ratio sum-of-shards / unsharded (what splitting
# the fleet costs: every shard loads fleet.toml and starts its pools).
#
# Runtime on 2 shared cores: about 10-15 minutes for 10,000 repositories (generation < 1 min,
# the first sync most of it). `N=2000 bench/scale.sh` takes about 3 minutes.
#
# Usage: bench/scale.sh [N]
# Env:   SHARDS (default 20)  JOBS (default 8)  BENCH_DIR (default /tmp/drydock-scale-N)
#        DRYDOCK (binary; default: a release build of this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-10000}}
SHARDS=${SHARDS:-20}
JOBS=${JOBS:-8}
BENCH_DIR=${BENCH_DIR:-/tmp/drydock-scale-$N}
NOW=2026-11-27T12:00:00Z
export PATH="$PATH:/usr/lib/git-core"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 1; }
if [ -z "${DRYDOCK:-}" ]; then
  cargo build --release --quiet
  DRYDOCK=$PWD/target/release/drydock
fi

mkdir -p "$BENCH_DIR"
started=$(date +%s)
echo "== generating $N repositories in $BENCH_DIR/served"
python3 bench/gen-scale-fleet.py --repos "$N" --out "$BENCH_DIR"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# git-daemon itself, not the `git` wrapper: killing the wrapper would leave the daemon running.
"$(git --exec-path)/git-daemon" --listen=127.0.0.1 --port="$port" --export-all --reuseaddr --max-connections=$((JOBS * 4)) \
  --base-path="$BENCH_DIR/served" "$BENCH_DIR/served" 2>"$BENCH_DIR/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

fleet=$BENCH_DIR/fleet.toml
{
  printf '[fleet]\nworkspace = "ws"\njobs = %d\n\n' "$JOBS"
  printf '[workflow]\ndrydock_image = "ghcr.io/acme/drydock:0.1.0@sha256:6b3a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"\ndevops_team = "acme/platform"\n'
  while read -r name; do
    printf '\n[[repo]]\nname = "%s"\nurl = "git://127.0.0.1:%d/%s.git"\n' "$name" "$port" "$name"
  done <"$BENCH_DIR/repos.txt"
} >"$fleet"
rm -rf "$BENCH_DIR/ws" "$BENCH_DIR"/shard-*.json

# timed LABEL OK-CODES CMD...: runs CMD under /usr/bin/time -v (stdout to out-LABEL.txt); fails
# unless its exit status is one of OK-CODES ("0" or "0 1"); records wall and CPU seconds (user +
# system of the process tree, git included) and max RSS (KiB).
declare -A WALL CPU RSS
REPOS=()
timed() {
  local label=$1 ok=$2; shift 2
  local out=$BENCH_DIR/time-$label.txt status=0
  /usr/bin/time -v -o "$out" "$@" >"$BENCH_DIR/out-$label.txt" 2>"$BENCH_DIR/err-$label.txt" || status=$?
  if ! [[ " $ok " == *" $status "* ]]; then
    echo "$label failed (exit $status); see $BENCH_DIR/err-$label.txt" >&2
    tail -5 "$BENCH_DIR/err-$label.txt" >&2
    exit 1
  fi
  WALL[$label]=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out")
  RSS[$label]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
  CPU[$label]=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$out")
}
count_repos() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repos"]))' "$1"; }

echo "== $SHARDS shards, one after another: sync, check, plan (jobs $JOBS)"
for i in $(seq "$SHARDS"); do
  shard="$i/$SHARDS"
  timed "sync-$i" "0" "$DRYDOCK" --fleet "$fleet" --shard "$shard" --quiet sync
  timed "check-$i" "0 1" "$DRYDOCK" --fleet "$fleet" --shard "$shard" check --format json --now "$NOW"
  cp "$BENCH_DIR/out-check-$i.txt" "$BENCH_DIR/shard-check-$i.json"
  timed "plan-$i" "0" "$DRYDOCK" --fleet "$fleet" --shard "$shard" plan --format json
  cp "$BENCH_DIR/out-plan-$i.txt" "$BENCH_DIR/shard-plan-$i.json"
  REPOS[$i]=$(count_repos "$BENCH_DIR/shard-check-$i.json")
  printf '   shard %5s: %4d repositories, sync %6.1f s, check %5.1f s, plan %5.1f s\n' "$shard" "${REPOS[$i]}" \
    "${WALL[sync-$i]}" "${WALL[check-$i]}" "${WALL[plan-$i]}"
done
# The documented partition (docs/shards.md), computed independently: each shard's size must match.
expected=$(python3 - "$BENCH_DIR/repos.txt" "$SHARDS" <<'EOF'
import collections, hashlib, sys
names, n = open(sys.argv[1]).read().split(), int(sys.argv[2])
sizes = collections.Counter(int(hashlib.sha256(x.lower().encode()).hexdigest()[:16], 16) % n + 1 for x in names)
print(" ".join(str(sizes[i]) for i in range(1, n + 1)))
EOF
)
[ "$expected" = "${REPOS[*]}" ] || { echo "shard sizes ${REPOS[*]} differ from the documented hash's: $expected" >&2; exit 1; }
echo "   shard sizes match the documented hash (python's hashlib): $expected"
cloned=$(find "$BENCH_DIR/ws/repos" -mindepth 2 -maxdepth 2 -type d | wc -l)
[ "$cloned" = "$N" ] || { echo "the shards cloned $cloned of $N repositories" >&2; exit 1; }

echo "== unsharded: sync (nothing new), check, plan"
timed resync "0" "$DRYDOCK" --fleet "$fleet" --quiet sync
timed check "0 1" "$DRYDOCK" --fleet "$fleet" check --format json --now "$NOW"
timed plan "0" "$DRYDOCK" --fleet "$fleet" plan --format json

echo "== report merge of the shards, compared with the unsharded reports"
for kind in check plan; do
  timed "merge-$kind" "0" "$DRYDOCK" report merge "$BENCH_DIR"/shard-"$kind"-*.json
  python3 - "$BENCH_DIR/out-merge-$kind.txt" "$BENCH_DIR/out-$kind.txt" "$kind" <<'EOF'
import json, sys
merged, whole, kind = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
if merged != whole:
    names = lambda r: [x["name"] for x in r["repos"]]
    sys.exit(f"{kind}: the merged report differs from the unsharded one "
             f"({len(names(merged))} vs {len(names(whole))} repositories, same names: {names(merged) == names(whole)})")
print(f"   {kind}: merged == unsharded ({len(whole['repos'])} repositories"
      + (f", {whole['summary']['errors']} errors, {whole['summary']['warnings']} warnings" if kind == "check" else "")
      + ")")
EOF
done

total() { local prefix=$1 field=$2 s=0; for i in $(seq "$SHARDS"); do s=$(awk "BEGIN{print $s + $(eval echo "\${$field[$prefix-$i]}")}"); done; echo "$s"; }
maxrss() { local m=0; for i in $(seq "$SHARDS"); do for p in sync check plan; do r=${RSS[$p-$i]}; [ "$r" -gt "$m" ] && m=$r; done; done; echo "$m"; }
mib() { awk "BEGIN{printf \"%.1f\", $1 / 1024}"; }
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"n/a\" }"; }

echo
echo "drydock scale benchmark: $N repositories in $SHARDS shards, jobs $JOBS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %6s  %8s %8s %8s  %8s %8s %8s  %9s\n' shard repos "sync s" "check s" "plan s" "sync cpu" "chk cpu" "plan cpu" "peak MiB"
for i in $(seq "$SHARDS"); do
  peak=0; for p in sync check plan; do [ "${RSS[$p-$i]}" -gt "$peak" ] && peak=${RSS[$p-$i]}; done
  printf '%-7s %6d  %8.1f %8.1f %8.1f  %8.1f %8.1f %8.1f  %9s\n' "$i/$SHARDS" "${REPOS[$i]}" "${WALL[sync-$i]}" "${WALL[check-$i]}" "${WALL[plan-$i]}" \
    "${CPU[sync-$i]}" "${CPU[check-$i]}" "${CPU[plan-$i]}" "$(mib "$peak")"
done
sync_sum=$(total sync WALL); check_sum=$(total check WALL); plan_sum=$(total plan WALL)
printf '%-7s %6d  %8.1f %8.1f %8.1f  %8.1f %8.1f %8.1f  %9s\n' "sum" "$N" "$sync_sum" "$check_sum" "$plan_sum" \
  "$(total sync CPU)" "$(total check CPU)" "$(total plan CPU)" "$(mib "$(maxrss)")"
printf '%-7s %6d  %8.1f %8.1f %8.1f  %8.1f %8.1f %8.1f  %9s\n' "whole" "$N" "${WALL[resync]}" "${WALL[check]}" "${WALL[plan]}" \
  "${CPU[resync]}" "${CPU[check]}" "${CPU[plan]}" "$(mib "$(printf '%s\n' "${RSS[resync]}" "${RSS[check]}" "${RSS[plan]}" | sort -n | tail -1)")"
echo "whole: the unsharded run over the synced fleet; its sync column is a re-sync with nothing new (the daily fetch)"
echo "sharding cost (sum of the shards / unsharded): check $(ratio "$check_sum" "${WALL[check]}"), plan $(ratio "$plan_sum" "${WALL[plan]}")"
echo "per repository: first sync $(awk "BEGIN{printf \"%.1f\", 1000 * $sync_sum / $N}") ms, re-sync $(awk "BEGIN{printf \"%.1f\", 1000 * ${WALL[resync]} / $N}") ms, check $(awk "BEGIN{printf \"%.1f\", 1000 * ${WALL[check]} / $N}") ms, plan $(awk "BEGIN{printf \"%.1f\", 1000 * ${WALL[plan]} / $N}") ms (wall, jobs $JOBS on $(nproc) CPUs)"
echo "merge: check ${WALL[merge-check]} s (peak $(mib "${RSS[merge-check]}") MiB), plan ${WALL[merge-plan]} s (peak $(mib "${RSS[merge-plan]}") MiB); merged == unsharded for both"
echo "total runtime $(( $(date +%s) - started )) s"
