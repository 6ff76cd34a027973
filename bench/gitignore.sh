#!/usr/bin/env bash
# The cost of a huge .gitignore (issue 14 item 5): one repository with N ignore patterns and a few
# thousand files, scanned by the drydock given (default target/release/drydock). Prints the wall
# time and peak memory. Ignore files over 10,000 patterns or 1 MiB are not applied (a warning
# says so), so the cost no longer grows with patterns x paths.
# Usage: bench/gitignore.sh [N=200000] [DRYDOCK]
set -euo pipefail
n=${1:-200000}
drydock=${2:-target/release/drydock}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
repo=$dir/repo
mkdir -p "$repo"
python3 - "$repo" "$n" <<'PY'
import os, sys
repo, n = sys.argv[1], int(sys.argv[2])
with open(os.path.join(repo, ".gitignore"), "w") as f:
    for i in range(n):
        f.write(f"/gen/out-{i}/*.tmp\n")
for d in range(100):
    p = os.path.join(repo, "src", f"pkg{d}")
    os.makedirs(p, exist_ok=True)
    for k in range(30):
        open(os.path.join(p, f"f{k}.txt"), "w").close()
open(os.path.join(repo, "Dockerfile"), "w").write("FROM scratch\n")
PY
/usr/bin/time -f "patterns=$n wall=%es maxrss=%MKB" "$drydock" scan --path "$repo" >/dev/null
