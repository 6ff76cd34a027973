#!/usr/bin/env bash
# Benchmark: one drydock revision against another on the same work, in the same run.
#
#   bench/revisions.sh BASE_REV [N]     (N synthetic repositories, default 100)
#   NEW_BIN=... BASE_BIN=... bench/revisions.sh LABEL [N]   (binaries built already)
#
# Builds BASE_REV and the working tree in release mode (BASE_REV in a temporary worktree with its
# own target directory), generates N repositories with bench/gen-fleet.py, checks them out as a
# path fleet, and runs `scan`, `check` and `plan` of both binaries over that fleet and over the
# example fleet. Two measures per command:
#   - instructions (valgrind --tool=callgrind; it runs the threads one at a time): repeatable whatever else the machine
#     is doing, so the ratio says whether the code does more work;
#   - wall time, best of RUNS runs with the two binaries alternating, with the fleet's jobs.
# Prints one line per command: base, new and new/base for both.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: bench/revisions.sh BASE_REV [N]}
N=${2:-100}
RUNS=${RUNS:-5}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

root=$PWD
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base-src" 2>/dev/null || true; rm -rf "$work"' EXIT

# NEW_BIN / BASE_BIN: binaries built already (the revision argument then only labels the run).
if [ -n "${NEW_BIN:-}" ]; then
  new=$NEW_BIN
else
  cargo build --release --locked --quiet
  new=$root/target/release/drydock
fi
if [ -n "${BASE_BIN:-}" ]; then
  base=$BASE_BIN
else
  git worktree add --quiet --detach "$work/base-src" "$BASE"
  (cd "$work/base-src" && CARGO_TARGET_DIR=$work/base-target cargo build --release --locked --quiet)
  base=$work/base-target/release/drydock
fi

# The synthetic fleet as checkouts (path repositories: no network, no sync).
python3 bench/gen-fleet.py --repos "$N" --out "$work/bare" >/dev/null
mkdir -p "$work/fleet/repos"
{
  echo '[fleet]'
  echo "workspace = \"$work/fleet/ws\""
  while read -r name; do
    git clone --quiet "$work/bare/$name.git" "$work/fleet/repos/$name"
    printf '[[repo]]\nname = "%s"\npath = "repos/%s"\n' "$name" "$name"
  done <"$work/bare/repos.txt"
} >"$work/fleet/fleet.toml"

instructions() { # binary, fleet, args...
  local bin=$1 fleet=$2
  shift 2
  local out=$work/cg.out
  (cd "$(dirname "$fleet")" && valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bin" --fleet "$fleet" "$@" >/dev/null 2>&1 || true)
  awk '/^summary:/ {print $2}' "$out"
}

wall() { # binary, fleet, args... -> best seconds
  local bin=$1 fleet=$2
  shift 2
  local best=
  for ((r = 0; r < RUNS; r++)); do
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$(dirname "$fleet")" && "$bin" --fleet "$fleet" "$@" >/dev/null 2>&1 || true)
    t1=$(date +%s.%N)
    best=$(python3 -c "import sys; a=float(sys.argv[1]); b=float(sys.argv[2]) - float(sys.argv[3]); print(b if a == 0 or b < a else a)" "${best:-0}" "$t1" "$t0")
  done
  echo "$best"
}

printf '%-28s %14s %14s %7s   %8s %8s %7s\n' command "base instr" "new instr" ratio "base s" "new s" ratio
for fleet in "$work/fleet/fleet.toml" "$root/fleet.toml"; do
  label=$([ "$fleet" = "$root/fleet.toml" ] && echo examples || echo "synthetic-$N")
  for cmd in scan check plan; do
    bi=$(instructions "$base" "$fleet" "$cmd")
    ni=$(instructions "$new" "$fleet" "$cmd")
    # Alternate the two binaries so drift in machine speed weighs on both.
    bw=$(wall "$base" "$fleet" "$cmd")
    nw=$(wall "$new" "$fleet" "$cmd")
    python3 - "$label $cmd" "$bi" "$ni" "$bw" "$nw" <<'EOF'
import sys
name, bi, ni, bw, nw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
print(f"{name:<28} {bi:>14,} {ni:>14,} {ni/bi:>7.3f}   {bw:>8.3f} {nw:>8.3f} {nw/bw:>7.3f}")
EOF
  done
done
