#!/usr/bin/env bash
# Benchmark: `drydock check` over 1,000 Dockerfiles against one hadolint process over the same
# files, and against `trivy config` where it runs offline. Prints wall times and ratios.
#
#   bench/check.sh [N]        (N Dockerfiles, default 1000; needs a release build)
#
# The Dockerfiles are the fixture set (tests/fixtures/dockerfiles, 70 realistic files) repeated
# into N directories. Each tool runs RUNS times; the best time counts.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
RUNS=${RUNS:-3}
# hadolint and trivy: from scripts/install-test-tools.sh (.tools/ of this checkout), else PATH.
export PATH="${DRYDOCK_TEST_TOOLS:-$PWD/.tools}/bin:$PATH"

cargo build --release --quiet
bin=$PWD/target/release/drydock

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t fixtures < <(ls tests/fixtures/dockerfiles/*.Dockerfile | sort)
for ((i = 0; i < N; i++)); do
  d=$(printf '%s/repo/%04d' "$work" "$i")
  mkdir -p "$d"
  cp "${fixtures[i % ${#fixtures[@]}]}" "$d/Dockerfile"
done
# A monitor workflow so the repository-level check has its file.
mkdir -p "$work/repo/.github/workflows"
echo 'on: workflow_dispatch' > "$work/repo/.github/workflows/modules-docker-base-image-monitor.yml"
files=("$work"/repo/*/Dockerfile)

# best-of-RUNS wall time in seconds of a command (output discarded, exit status ignored)
best() {
  local best=""
  for ((r = 0; r < RUNS; r++)); do
    local start end t
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [[ -z $best ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

echo "Dockerfiles: ${#files[@]} ($(du -sh "$work/repo" | cut -f1)), best of $RUNS runs"
t_drydock=$(best "$bin" check --path "$work/repo" --format json --now 2026-11-27T12:00:00Z)
printf 'drydock check --format json     %8.3f s\n' "$t_drydock"

# The findings drydock reports, as a sanity check that it did the work.
findings=$("$bin" check --path "$work/repo" --format json --now 2026-11-27T12:00:00Z 2>/dev/null | python3 -c 'import json,sys; print(sum(len(r["findings"]) for r in json.load(sys.stdin)["repos"]))' || true)
echo "  ($findings findings)"

if command -v hadolint >/dev/null; then
  t_hadolint=$(best hadolint --no-fail --format json "${files[@]}")
  printf 'hadolint (one process)          %8.3f s   drydock is %.1fx faster\n' "$t_hadolint" "$(echo "$t_hadolint / $t_drydock" | bc -l)"
else
  echo "hadolint: not on PATH (run scripts/install-test-tools.sh)"
fi

if command -v trivy >/dev/null; then
  cache=$(mktemp -d)
  if trivy config --cache-dir "$cache" --skip-check-update --quiet --format json "$work/repo" >/dev/null 2>"$work/trivy.err"; then
    t_trivy=$(best trivy config --cache-dir "$cache" --skip-check-update --quiet --format json "$work/repo")
    printf 'trivy config                    %8.3f s   drydock is %.1fx faster\n' "$t_trivy" "$(echo "$t_trivy / $t_drydock" | bc -l)"
  else
    echo "trivy config: does not run offline here ($(head -c 300 "$work/trivy.err" | tr '\n' ' '))"
  fi
  rm -rf "$cache"
else
  echo "trivy: not on PATH"
fi
