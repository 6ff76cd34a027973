#!/usr/bin/env python3
"""Generates a synthetic fleet for the sync/scan benchmark: N bare git repositories (default 200,
up to 2000) under OUT/bench/repo-NNNN.git, each with a few hundred files across several
ecosystems (npm with a lock file, Go, Maven, pip, Cargo), Dockerfiles, a compose file, GitHub
workflows, nested independent projects, and ignored trees (node_modules/, target/) that were
committed anyway, as happens in real repositories. Two commits each, so shallow clones matter.

The repositories are written with `git fast-import`, which is fast enough for 2000 repos. Output
is deterministic for a given N. Also writes OUT/repos.txt (one `bench/repo-NNNN` per line).
"""

import argparse
import os
import subprocess
import sys


def files_for(i):
    """(path, content) pairs for repository i."""
    name = f"repo-{i:04d}"
    out = []

    def add(path, text):
        out.append((path, text))

    add(".gitignore", "node_modules/\ntarget/\ndist/\n*.log\n")
    add("README.md", f"# {name}\n\nSynthetic repository {i} for the drydock benchmark.\n" + "lorem ipsum " * 40 + "\n")
    add("Dockerfile", f"FROM debian:12-slim\nRUN apt-get update && apt-get install -y ca-certificates\nCOPY . /app\nLABEL repo={name}\n")
    add("docker-compose.yml", f"services:\n  api:\n    build: services/api\n  db:\n    image: postgres:16\n# {name}\n")
    add(".github/workflows/ci.yml", f"name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo {name}\n")
    add(".github/workflows/release.yml", f"name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-go@v5\n# {name}\n")

    # npm web app with a lock file, sources, and a committed-but-ignored node_modules tree.
    add("web/package.json", f'{{"name": "{name}-web", "version": "1.0.{i}", "dependencies": {{"left-pad": "^1.3.0", "react": "^18.2.0"}}}}\n')
    add("web/package-lock.json", f'{{"name": "{name}-web", "lockfileVersion": 3, "packages": {{"node_modules/left-pad": {{"version": "1.3.0"}}}}}}\n')
    for k in range(30 + i % 20):
        add(f"web/src/components/c{k}.js", f"// {name} component {k}\nexport function C{k}() {{ return {k}; }}\n" + "// pad\n" * (k % 7))
    for p in range(12):
        for k in range(5):
            add(f"web/node_modules/pkg{p}/lib/f{k}.js", f"module.exports = {p * 10 + k}; // {name}\n")
        add(f"web/node_modules/pkg{p}/package.json", f'{{"name": "pkg{p}", "version": "0.{p}.0"}}\n')

    # Go service with its Dockerfile.
    add("services/api/go.mod", f"module example.com/{name}/api\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n")
    add("services/api/go.sum", f"github.com/google/uuid v1.6.0 h1:{i:08d}=\n")
    add("services/api/Dockerfile", "FROM golang:1.22 AS build\nCOPY . /src\nRUN go build ./...\nFROM gcr.io/distroless/static\nCOPY --from=build /src/app /app\n")
    for k in range(25):
        add(f"services/api/internal/h{k}.go", f"package internal\n\n// {name} handler {k}\nfunc H{k}() int {{ return {k} }}\n")

    # Maven worker with build output under target/.
    add("services/worker/pom.xml", f"<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>{name}-worker</artifactId><version>1.{i}</version></project>\n")
    add("services/worker/Dockerfile", "FROM eclipse-temurin:21-jre\nCOPY target/app.jar /app.jar\n")
    for k in range(25):
        add(f"services/worker/src/main/java/com/example/W{k}.java", f"package com.example;\n// {name}\npublic class W{k} {{ int v() {{ return {k}; }} }}\n")
    for k in range(20):
        add(f"services/worker/target/classes/com/example/W{k}.class", f"CAFEBABE {name} {k}\n")

    # Python tools.
    add("tools/requirements.txt", f"requests==2.32.{i % 4}\npyyaml==6.0.1\n")
    add("tools/requirements-dev.txt", "pytest==8.2.0\n")
    for k in range(20):
        add(f"tools/t{k}.py", f"# {name}\ndef t{k}():\n    return {k}\n")

    # A Rust crate with build output under target/.
    add("libs/core/Cargo.toml", f'[package]\nname = "core-{i}"\nversion = "0.1.0"\nedition = "2021"\n')
    add("libs/core/Cargo.lock", "version = 3\n")
    for k in range(15):
        add(f"libs/core/src/m{k}.rs", f"// {name}\npub fn m{k}() -> u32 {{ {k} }}\n")
    for k in range(15):
        add(f"libs/core/target/debug/deps/m{k}.d", f"{name} dep {k}\n")

    # Nested independent projects.
    for n in range(1 + i % 3):
        add(f"examples/demo{n}/package.json", f'{{"name": "{name}-demo{n}", "private": true}}\n')
        add(f"examples/demo{n}/Dockerfile.dev", "FROM node:20\n")
        for k in range(5):
            add(f"examples/demo{n}/src/i{k}.js", f"console.log({k}); // {name}\n")

    for k in range(30):
        add(f"docs/page{k}.md", f"# Page {k}\n\n{name} documentation. " + "text " * (20 + k) + "\n")
    return out


def fast_import_stream(i):
    files = files_for(i)
    chunks = []
    mark = 0
    marks = []
    for path, text in files:
        data = text.encode()
        mark += 1
        marks.append((path, mark))
        chunks.append(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    for c, (msg, subset) in enumerate([("initial import", marks), ("update readme", None)]):
        body = msg.encode()
        head = b"commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n" % (1700000000 + c, len(body)) + body + b"\n"
        chunks.append(head)
        if subset is not None:
            for path, m in subset:
                chunks.append(b"M 100644 :%d %s\n" % (m, path.encode()))
        else:
            readme = f"# repo-{i:04d}\n\nUpdated.\n".encode()
            chunks.append(b"M 100644 inline README.md\ndata %d\n" % len(readme) + readme + b"\n")
        chunks.append(b"\n")
    return b"".join(chunks), len(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=int, default=200, help="number of repositories (1..2000)")
    ap.add_argument("--out", required=True, help="directory to write the bare repositories into")
    args = ap.parse_args()
    if not 1 <= args.repos <= 2000:
        sys.exit("--repos must be between 1 and 2000")
    base = os.path.join(args.out, "bench")
    os.makedirs(base, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    total_files = 0
    names = []
    for i in range(args.repos):
        bare = os.path.join(base, f"repo-{i:04d}.git")
        names.append(f"bench/repo-{i:04d}")
        stream, n = fast_import_stream(i)
        total_files += n
        if os.path.exists(os.path.join(bare, "refs", "heads", "main")) or os.path.exists(os.path.join(bare, "packed-refs")):
            continue
        subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", bare], check=True, env=env)
        subprocess.run(["git", "fast-import", "--quiet"], input=stream, cwd=bare, check=True, env=env)
    with open(os.path.join(args.out, "repos.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{args.repos} repositories, {total_files} files ({total_files // args.repos} per repo) in {base}")


if __name__ == "__main__":
    main()
