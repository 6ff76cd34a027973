#!/usr/bin/env bash
# Benchmark for issue 2: in one run, on a synthetic fleet served by `git daemon` on 127.0.0.1,
#   1. `drydock sync` (fresh workspace)  vs  `git clone --depth 1` run by xargs -P with the same
#      parallelism;
#   2. `drydock sync` again (nothing new: fetch only)  vs  `git fetch --depth 1` the same way;
#   3. `drydock scan --format json`  vs  `find` walking the same checkouts;
#   4. peak memory (max RSS from /usr/bin/time -v) of each drydock run.
# Prints the figures and the ratios (drydock / baseline; below 1.00 means drydock is faster).
#
# Usage: bench/sync-scan.sh [N]      N repositories, default 200 (up to 2000)
# Env:   JOBS (default 8)  BENCH_DIR (default /tmp/drydock-bench-N)  DRYDOCK (binary; default:
#        a release build of this checkout)  SCAN_RUNS (default 3: best of)  SYNC_ROUNDS (default 2:
#        fresh clones of the whole fleet by each side, in alternating order; the sync row shows totals)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-200}}
JOBS=${JOBS:-8}
SCAN_RUNS=${SCAN_RUNS:-3}
SYNC_ROUNDS=${SYNC_ROUNDS:-2}
BENCH_DIR=${BENCH_DIR:-/tmp/drydock-bench-$N}
export PATH="$PATH:/usr/lib/git-core"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (for peak memory)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi

if [ -z "${DRYDOCK:-}" ]; then
  cargo build --release --quiet
  DRYDOCK=$PWD/target/release/drydock
fi

mkdir -p "$BENCH_DIR"
echo "== generating $N repositories in $BENCH_DIR/served"
python3 bench/gen-fleet.py --repos "$N" --out "$BENCH_DIR/served"

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
  printf '[fleet]\nworkspace = "ws"\njobs = %d\n' "$JOBS"
  while read -r name; do
    printf '\n[[repo]]\nname = "%s"\nurl = "git://127.0.0.1:%d/%s.git"\n' "$name" "$port" "$name"
  done <"$BENCH_DIR/served/repos.txt"
} >"$fleet"

# timed LABEL CMD...: runs CMD under /usr/bin/time -v, records wall seconds, CPU seconds (user +
# system, including child processes such as git's index-pack) and max RSS (KiB).
declare -A WALL CPU RSS
timed() {
  local label=$1; shift
  local out=$BENCH_DIR/time-$label.txt
  /usr/bin/time -v -o "$out" "$@" >"$BENCH_DIR/out-$label.txt" 2>"$BENCH_DIR/err-$label.txt" || {
    echo "$label failed (exit $?); see $BENCH_DIR/err-$label.txt" >&2
    tail -5 "$BENCH_DIR/err-$label.txt" >&2
    exit 1
  }
  WALL[$label]=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out")
  RSS[$label]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
  CPU[$label]=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$out")
}

# Argument files for the git CLI baselines (xargs reads them, so `timed` runs in this shell).
sed "s|.*|git://127.0.0.1:$port/&.git $BENCH_DIR/gitcli/&|" "$BENCH_DIR/served/repos.txt" >"$BENCH_DIR/clone-args.txt"
sed "s|.*|$BENCH_DIR/gitcli/&|" "$BENCH_DIR/served/repos.txt" >"$BENCH_DIR/fetch-args.txt"

# The machine's speed drifts within a run (other work, page-cache and writeback state), so the
# fresh clones run in alternating order (drydock, git, git, drydock, ...) and the ratio compares
# totals: a steady drift then weighs on both sides alike.
echo "== sync: drydock vs git clone --depth 1 (jobs $JOBS, $SYNC_ROUNDS rounds in alternating order)"
declare -A SUM_WALL SUM_CPU MAX_RSS
add_run() { # label: adds the last run of LABEL to its totals
  SUM_WALL[$1]=$(awk "BEGIN{print ${SUM_WALL[$1]:-0} + ${WALL[$1]}}")
  SUM_CPU[$1]=$(awk "BEGIN{printf \"%.2f\", ${SUM_CPU[$1]:-0} + ${CPU[$1]}}")
  [ "${RSS[$1]}" -gt "${MAX_RSS[$1]:-0}" ] && MAX_RSS[$1]=${RSS[$1]}
  echo "   $1: ${WALL[$1]} s wall, ${CPU[$1]} s CPU"
}
clone_drydock() {
  rm -rf "$BENCH_DIR/ws"; sync
  timed sync "$DRYDOCK" sync --fleet "$fleet" --quiet; add_run sync
}
clone_git() {
  rm -rf "$BENCH_DIR/gitcli"; sync
  timed gitclone xargs -a "$BENCH_DIR/clone-args.txt" -P "$JOBS" -n 2 git clone -q --depth 1; add_run gitclone
}
for round in $(seq "$SYNC_ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then clone_drydock; clone_git; else clone_git; clone_drydock; fi
done
for label in sync gitclone; do WALL[$label]=${SUM_WALL[$label]}; CPU[$label]=${SUM_CPU[$label]}; RSS[$label]=${MAX_RSS[$label]}; done
cloned=$(find "$BENCH_DIR/ws/repos" -mindepth 2 -maxdepth 2 -type d | wc -l)
[ "$cloned" = "$N" ] || { echo "drydock cloned $cloned of $N" >&2; exit 1; }

echo "== re-sync (nothing new): drydock vs git fetch --depth 1"
timed resync "$DRYDOCK" sync --fleet "$fleet" --quiet
grep -q "$N unchanged" "$BENCH_DIR/out-resync.txt" || { cat "$BENCH_DIR/out-resync.txt" >&2; exit 1; }
timed gitfetch xargs -a "$BENCH_DIR/fetch-args.txt" -P "$JOBS" -I{} git -C {} fetch -q --depth 1 origin

echo "== scan: drydock scan --format json vs find (best of $SCAN_RUNS)"
best_scan='' best_find=''
for _ in $(seq "$SCAN_RUNS"); do
  timed scan "$DRYDOCK" scan --fleet "$fleet" --format json
  timed find find "$BENCH_DIR/ws/repos"
  if [ -z "$best_scan" ] || awk "BEGIN{exit !(${WALL[scan]} < $best_scan)}"; then
    best_scan=${WALL[scan]}; scan_cpu=${CPU[scan]}; scan_rss=${RSS[scan]}
  fi
  if [ -z "$best_find" ] || awk "BEGIN{exit !(${WALL[find]} < $best_find)}"; then
    best_find=${WALL[find]}; find_cpu=${CPU[find]}
  fi
done
WALL[scan]=$best_scan; CPU[scan]=$scan_cpu; RSS[scan]=$scan_rss; WALL[find]=$best_find; CPU[find]=$find_cpu
repos_in_json=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repos"]))' "$BENCH_DIR/out-scan.txt")
entries=$(wc -l <"$BENCH_DIR/out-find.txt")

ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"n/a\" }"; }
mib() { awk "BEGIN{printf \"%.1f\", $1 / 1024}"; }
echo
echo "drydock sync/scan benchmark: $N repositories, jobs $JOBS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
row() { # task drydock-label baseline-label
  printf '%-30s %9s %9s %6s  %9s %9s %6s  %8s\n' "$1" "${WALL[$2]}" "${WALL[$3]}" "$(ratio "${WALL[$2]}" "${WALL[$3]}")" \
    "${CPU[$2]}" "${CPU[$3]}" "$(ratio "${CPU[$2]}" "${CPU[$3]}")" "$(mib "${RSS[$2]}")"
}
printf '%-30s %9s %9s %6s  %9s %9s %6s  %8s\n' "task" "wall s" "baseline" "ratio" "CPU s" "baseline" "ratio" "peak MiB"
row "sync (clone, depth 1)" sync gitclone
row "re-sync (fetch, nothing new)" resync gitfetch
row "scan --format json vs find" scan find
echo "sync row: totals over $SYNC_ROUNDS fresh clones of the fleet by each side, in alternating order"
echo "baselines: git clone --depth 1 / git fetch --depth 1 under xargs -P $JOBS; find over $entries entries"
echo "scan reported $repos_in_json repositories; peak memory is drydock's max RSS (/usr/bin/time -v);"
echo "CPU is user+system of the process tree (less sensitive than wall time to a loaded machine)"
echo "targets: sync ratio <= 1.00; scan ratio <= 2.00; peak memory < 200 MiB at 1000 repositories"
