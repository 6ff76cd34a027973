#!/usr/bin/env python3
"""Compares drydock's (ecosystem, directory) pairs with each checkout's own dependabot.yml.

Given a directory of checkouts (one repository per subdirectory), runs `drydock scan --path` on
each and reads the checkout's `.github/dependabot.yml` (or `.yaml`), with `directory` and
`directories` globs expanded against the checkout's directories. Prints, per repository and in
total: the pairs the maintainers configured, how many of them drydock finds (recall), the pairs
drydock reports beyond them (extras), and for each default skip how many pairs it removed (the
scan run again with that one skip turned off through `[scan] unskip`).

A checkout without a dependabot.yml counts only for extras and skips (it has no recall).
github-actions at `/.github/workflows` is read as `/`, as Dependabot does.

Usage: bench/scan-recall.py DIR [--drydock target/release/drydock] [--show-extras N]
"""

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile

import yaml

SKIPS = ["testdata", "fixtures", "tests", "examples"]


def scan(drydock, checkout, unskip=None):
    """drydock's pairs for one checkout, as a set of (ecosystem, directory)."""
    with tempfile.TemporaryDirectory() as tmp:
        fleet = os.path.join(tmp, "fleet.toml")
        with open(fleet, "w") as f:
            if unskip:
                f.write("[scan]\nunskip = [%s]\n" % ", ".join(f'"{u}"' for u in unskip))
        out = subprocess.run(
            [drydock, "--fleet", fleet, "scan", "--path", checkout, "--format", "json"],
            capture_output=True, text=True, timeout=600,
        )
    if out.returncode != 0:
        raise RuntimeError(f"{checkout}: drydock scan failed: {out.stderr.strip()}")
    repo = json.loads(out.stdout)["repos"][0]
    return {(e["ecosystem"], e["directory"]) for e in repo["ecosystems"]}


def norm(d):
    d = "/" + d.strip().strip("/")
    return d


def all_dirs(checkout):
    """Every directory of the checkout in Dependabot's form, for glob expansion."""
    out = ["/"]
    for root, dirs, _ in os.walk(checkout):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
        for d in dirs:
            out.append(norm(os.path.relpath(os.path.join(root, d), checkout)))
    return out


def configured(checkout):
    """The maintainers' pairs, or None when the checkout has no dependabot.yml."""
    for name in ("dependabot.yml", "dependabot.yaml"):
        path = os.path.join(checkout, ".github", name)
        if os.path.isfile(path) and not os.path.islink(path):
            break
    else:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            doc = yaml.safe_load(f) or {}
    except yaml.YAMLError as e:
        print(f"  {checkout}: unreadable dependabot.yml: {e}", file=sys.stderr)
        return set()
    pairs = set()
    dirs = None
    for u in doc.get("updates") or []:
        if not isinstance(u, dict):
            continue
        eco = str(u.get("package-ecosystem", ""))
        patterns = []
        if u.get("directory") is not None:
            patterns.append(str(u["directory"]))
        patterns.extend(str(p) for p in u.get("directories") or [])
        for p in patterns:
            p = norm(p)
            if any(c in p for c in "*?["):
                if dirs is None:
                    dirs = all_dirs(checkout)
                # `**` crosses segments; fnmatch's `*` does too, close enough for a bench.
                pairs.update((eco, d) for d in dirs if fnmatch.fnmatchcase(d, p))
            else:
                if eco == "github-actions" and p == "/.github/workflows":
                    p = "/"
                pairs.add((eco, p))
    return pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a directory of checkouts, one per subdirectory")
    ap.add_argument("--drydock", default="target/release/drydock")
    ap.add_argument("--show-extras", type=int, default=5, help="extras listed per repository")
    args = ap.parse_args()

    checkouts = sorted(
        os.path.join(args.dir, d) for d in os.listdir(args.dir)
        if os.path.isdir(os.path.join(args.dir, d))
    )
    total_conf = total_found = total_reported = total_extras = 0
    removed_total = {s: 0 for s in SKIPS}
    with_file = 0
    for checkout in checkouts:
        name = os.path.basename(checkout)
        ours = scan(args.drydock, checkout)
        removed = {}
        for s in SKIPS:
            # What this skip alone removes: the scan with it off, minus the default scan.
            removed[s] = len(scan(args.drydock, checkout, unskip=[s]) - ours)
            removed_total[s] += removed[s]
        theirs = configured(checkout)
        total_reported += len(ours)
        skipped = ", ".join(f"{s} {n}" for s, n in removed.items() if n) or "none"
        if theirs is None:
            total_extras += len(ours)
            print(f"{name}: no dependabot.yml; drydock reports {len(ours)}; skips removed: {skipped}")
            continue
        with_file += 1
        found = theirs & ours
        extras = sorted(ours - theirs)
        missed = sorted(theirs - ours)
        total_conf += len(theirs)
        total_found += len(found)
        total_extras += len(extras)
        print(
            f"{name}: configured {len(theirs)}, found {len(found)}, extras {len(extras)}, "
            f"skips removed: {skipped}"
        )
        for eco, d in missed:
            print(f"  missed  {eco} {d}")
        for eco, d in extras[: args.show_extras]:
            print(f"  extra   {eco} {d}")
        if len(extras) > args.show_extras:
            print(f"  ... {len(extras) - args.show_extras} more extras")
    print()
    print(f"repositories: {len(checkouts)} ({with_file} with their own dependabot.yml)")
    if total_conf:
        print(f"recall: {total_found}/{total_conf} = {100 * total_found / total_conf:.1f}%")
    print(f"pairs reported: {total_reported}, extras: {total_extras}")
    print("removed by default skips: " + ", ".join(f"{s} {n}" for s, n in removed_total.items()))


if __name__ == "__main__":
    main()
