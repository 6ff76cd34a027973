#!/usr/bin/env python3
"""Generates the synthetic fleet of the scale benchmark (bench/scale.sh): N small bare git
repositories (default 10,000) under OUT/served/scale/repo-NNNNN.git and OUT/repos.txt (one
`scale/repo-NNNNN` per line, in name order).

Each repository is a copy of one of PROFILES small repositories (a service with a Dockerfile or
two, one to three package ecosystems, CI workflows, sometimes a compose file or a dependabot.yml
that is stale or broken), so check finds real policy findings (end-of-life images, `latest`,
full variants) and plan has files to create and repair. gen-fleet.py makes fewer, bigger
repositories (hundreds of files each) for the sync/scan benchmark; this one makes many small
ones, as an organisation's long tail of services looks, and fast: each profile is written once
with `git fast-import` and copied, so 10,000 repositories take well under a minute.

Output is deterministic for a given N.
"""

import argparse
import os
import shutil
import subprocess
import sys

PROFILES = 40

BASES = [
    "python:3.8",  # end of life
    "python:3.13-slim",
    "node:18",  # end of life, full variant
    "node:24-alpine",
    "golang:1.22",
    "gcr.io/distroless/static-debian12:nonroot",
    "ubuntu:latest",  # a moving tag
    "debian:12-slim",
    "eclipse-temurin:21-jre",
    "nginx:1.27-alpine",
]


def files_for(p):
    """(path, content) pairs for profile p."""
    out = []

    def add(path, text):
        out.append((path, text))

    base = BASES[p % len(BASES)]
    add("README.md", f"# service profile {p}\n")
    add("Dockerfile", f"FROM {base}\nCOPY . /app\nWORKDIR /app\nCMD [\"/app/run\"]\n")
    if p % 3 == 0:
        add(
            "build/Dockerfile",
            f"FROM {BASES[(p + 3) % len(BASES)]} AS build\nRUN make\nFROM gcr.io/distroless/base-debian12\nCOPY --from=build /out /out\n",
        )
    if p % 4 == 0:
        add("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:latest\n")
    if p % 2 == 0:
        add("package.json", f'{{"name": "svc-{p}", "version": "1.0.0"}}\n')
        add("package-lock.json", f'{{"name": "svc-{p}", "lockfileVersion": 3}}\n')
    if p % 3 == 1:
        add("go.mod", f"module example.com/svc{p}\n\ngo 1.23\n")
    if p % 5 == 2:
        add("requirements.txt", "requests==2.32.3\n")
    if p % 7 == 3:
        add("pom.xml", f"<project><artifactId>svc-{p}</artifactId></project>\n")
    add(".github/workflows/ci.yml", "name: ci\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    if p % 5 == 0:
        # A stale dependabot.yml: plan repairs it.
        add(".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: docker\n    directory: /\n    schedule:\n      interval: monthly\n")
    elif p % 11 == 5:
        # Not YAML: reported, left alone.
        add(".github/dependabot.yml", "version: 2\nupdates: [\n")
    for k in range(3 + p % 4):
        add(f"src/m{k}.txt", f"profile {p} module {k}\n")
    return out


def fast_import_stream(files):
    chunks = []
    for mark, (path, text) in enumerate(files, start=1):
        data = text.encode()
        chunks.append(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    body = b"initial import"
    chunks.append(b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata %d\n" % len(body) + body + b"\n")
    for mark, (path, _) in enumerate(files, start=1):
        chunks.append(b"M 100644 :%d %s\n" % (mark, path.encode()))
    chunks.append(b"\n")
    return b"".join(chunks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=int, default=10000, help="number of repositories (1..50000)")
    ap.add_argument("--out", required=True, help="directory to write into")
    args = ap.parse_args()
    if not 1 <= args.repos <= 50000:
        sys.exit("--repos must be between 1 and 50000")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    profiles = os.path.join(args.out, "profiles")
    served = os.path.join(args.out, "served", "scale")
    os.makedirs(profiles, exist_ok=True)
    os.makedirs(served, exist_ok=True)
    for p in range(PROFILES):
        bare = os.path.join(profiles, f"p{p:02d}.git")
        if os.path.exists(os.path.join(bare, "refs", "heads", "main")):
            continue
        # No template: no sample hooks, so a copy is a handful of files.
        subprocess.run(["git", "init", "-q", "--bare", "--template=", "--initial-branch=main", bare], check=True, env=env)
        subprocess.run(["git", "fast-import", "--quiet"], input=fast_import_stream(files_for(p)), cwd=bare, check=True, env=env)
    names = []
    for i in range(args.repos):
        name = f"repo-{i:05d}"
        names.append(f"scale/{name}")
        target = os.path.join(served, f"{name}.git")
        if not os.path.exists(target):
            shutil.copytree(os.path.join(profiles, f"p{i % PROFILES:02d}.git"), target)
    with open(os.path.join(args.out, "repos.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{args.repos} repositories from {PROFILES} profiles in {served}")


if __name__ == "__main__":
    main()
