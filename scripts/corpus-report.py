#!/usr/bin/env python3
"""Report what `drydock check` says over any directory of Dockerfiles.

    scripts/corpus-report.py DIR [--drydock BIN] [--data-dir DIR] [--now RFC3339] [--json]

Runs `drydock check --path DIR --format json` once and prints:
  - findings per file (files, files with findings, mean and maximum), and per rule;
  - rules per FROM: how many FROM lines carry 0, 1, 2, ... findings (the text report shows one
    line per FROM, so this is what a reader sees);
  - fixes: how many image findings carry a suggested reference, and the share of those whose
    suggested tag is a supported tag in the data (data/official-images.json for Docker Official
    Images, `registry_tags` of data/lifecycle.json for the MCR .NET images), checked here
    independently of drydock.

Only Dockerfile and compose findings are counted (`base-image/*`, `multi-stage/*`,
`dockerfile/*`), not the repository-level ones (dependabot.yml, the monitor workflow).
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FROM_RE = re.compile(r"^\s*FROM\s", re.IGNORECASE)
ARCH_NAMESPACES = {"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le",
                   "ppc64le", "riscv64", "s390x", "windows-amd64", "winamd64"}


def find_drydock(given):
    if given:
        return given
    for candidate in (os.path.join(ROOT, "target", "release", "drydock"),
                      os.path.join(ROOT, "target", "debug", "drydock")):
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("drydock")
    if not found:
        sys.exit("no drydock binary: build one (cargo build) or pass --drydock")
    return found


def supported_tags(data_dir):
    with open(os.path.join(data_dir, "official-images.json"), encoding="utf-8") as f:
        official = {name: set(i["tags"]) for name, i in json.load(f)["images"].items()}
    with open(os.path.join(data_dir, "lifecycle.json"), encoding="utf-8") as f:
        other = {name: set(tags) for name, tags in json.load(f).get("registry_tags", {}).items()}
    return official, other


def split_reference(ref):
    """(image key, tag) as the data names them: `python`, `mcr.microsoft.com/dotnet/aspnet`."""
    ref = ref.split("@", 1)[0]
    name, tag = ref, None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        name, tag = ref[:colon], ref[colon + 1:]
    parts = name.split("/")
    if parts[0] in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        parts = parts[1:]
    if len(parts) == 2 and (parts[0] == "library" or parts[0] in ARCH_NAMESPACES):
        parts = parts[1:]
    return "/".join(parts), tag


def is_supported(ref, official, other):
    key, tag = split_reference(ref)
    if key.startswith("gcr.io/distroless/"):
        return True  # the version is in the repository name; distroless tags are few and fixed
    if tag is None:
        return False
    if key in official:
        return tag in official[key]
    if key in other:
        return tag in other[key]
    return False


def from_lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [i + 1 for i, line in enumerate(f) if FROM_RE.match(line)]
    except OSError:
        return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--drydock")
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "data"))
    parser.add_argument("--now", help="the clock drydock evaluates at (RFC 3339)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    cmd = [find_drydock(args.drydock), "check", "--path", args.dir, "--format", "json"]
    if args.now:
        cmd += ["--now", args.now]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if run.returncode not in (0, 1):
        sys.exit(f"drydock check failed ({run.returncode}): {run.stderr.strip()}")
    report = json.loads(run.stdout)
    findings = [f for repo in report["repos"] for f in repo["findings"]
                if f["rule"].split("/")[0] in ("base-image", "multi-stage", "dockerfile")]
    official, other = supported_tags(args.data_dir)

    per_file = collections.Counter(f["path"] for f in findings)
    per_rule = collections.Counter(f["rule"] for f in findings)
    files = sorted({f["path"] for f in findings} | set(dockerfiles(args.dir)))
    per_from = collections.Counter()
    rules_at = collections.defaultdict(set)
    for f in findings:
        rules_at[(f["path"], f.get("line"))].add(f["rule"])
    for path in files:
        for line in from_lines(os.path.join(args.dir, path)):
            per_from[len(rules_at.get((path, line), ()))] += 1
    for f in findings:
        # Older drydock releases have the fix as text only: "`a` → `b`".
        m = re.search(r"`([^`]+)` → `([^`]+)`", f.get("fix") or "")
        if not f.get("suggestion") and m:
            f["suggestion"] = {"from": m[1], "to": m[2]}
    suggestions = [f["suggestion"] for f in findings if f.get("suggestion")]
    version_findings = [f for f in findings if f["rule"] in (
        "base-image/untagged", "base-image/eol", "base-image/unsupported-tag",
        "base-image/outdated", "base-image/not-slim")]
    distinct = {(s["from"], s["to"]) for s in suggestions}
    good = [s for s in distinct if is_supported(s[1], official, other)]
    figures = {
        "files": len(files),
        "files_with_findings": len(per_file),
        "findings": len(findings),
        "findings_per_file_mean": round(len(findings) / len(files), 2) if files else 0,
        "findings_per_file_max": max(per_file.values(), default=0),
        "per_rule": dict(per_rule.most_common()),
        "rules_per_from": {str(k): v for k, v in sorted(per_from.items())},
        "version_findings": len(version_findings),
        "version_findings_with_suggestion": sum(1 for f in version_findings if f.get("suggestion")),
        "distinct_suggestions": len(distinct),
        "suggestions_naming_a_supported_tag": len(good),
        "share_supported": round(len(good) / len(distinct), 3) if distinct else None,
        "unsupported_suggestions": sorted(f"{a} -> {b}" for a, b in distinct
                                          if not is_supported(b, official, other)),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{figures['files']} Dockerfiles, {figures['files_with_findings']} with findings, "
          f"{figures['findings']} findings ({figures['findings_per_file_mean']} per file, "
          f"at most {figures['findings_per_file_max']})")
    print("findings per rule:")
    for rule, n in per_rule.most_common():
        print(f"  {n:5}  {rule}")
    print("rules per FROM line: " + ", ".join(f"{k}: {v}" for k, v in figures["rules_per_from"].items()))
    print(f"version findings: {figures['version_findings']}, "
          f"{figures['version_findings_with_suggestion']} with a suggested reference")
    if distinct:
        print(f"suggestions naming a supported tag: {len(good)} of {len(distinct)} distinct "
              f"({100 * len(good) / len(distinct):.1f}%)")
    for s in figures["unsupported_suggestions"]:
        print(f"  not a supported tag: {s}")


def dockerfiles(root):
    """Paths (relative, `/`-separated) that look like Dockerfiles, as drydock's scan names them."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            # Renovate's patterns: `Dockerfile*`, `*.Dockerfile`, `*Dockerfile`.
            if re.search(r"(^|\.)([Dd]ocker|[Cc]ontainer)file$|^([Dd]ocker|[Cc]ontainer)file", name):
                out.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return out


if __name__ == "__main__":
    main()
