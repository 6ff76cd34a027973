#!/usr/bin/env python3
"""Generate drydock's shipped data (data/*.json) from snapshots of its sources.

    scripts/gen-data.py --source DIR [--out DIR]

DIR (required: snapshots are not part of the repository) holds:
  official-images/  docker-library/official-images: LICENSE, SOURCE.txt, library/<image>
  endoflife/        endoflife-date/endoflife.date: LICENSE, SOURCE.txt, products/<product>.md

Each SOURCE.txt starts with "<owner>/<repo> at <commit> (<YYYY-MM-DD>), <licence>"; the commit and
date are copied into the output, and drydock reports the data's age from that date. The output is
deterministic (no wall-clock time), so regenerating unchanged sources gives identical files.

Writes:
  data/official-images.json  {"source", "images": {name: {"tags": [...], "aliases": {...}}}, "removed": {...}}
  data/lifecycle.json        {"source", "products": {product: [cycle, ...]}, "images": {image: product},
                              "registry_tags": {image: [tag, ...]}}  (images outside Docker Hub: MCR .NET)

A cycle's "eol" is the end of all upstream support: for Debian the end of Debian LTS ("extended"
holds it; "eol" stays the end of regular security support). nginx's missing mainline cycles are
filled in.

Needs PyYAML (Debian: python3-yaml) for the endoflife.date front matter.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    sys.exit("gen-data.py needs PyYAML for the endoflife.date front matter: "
             "apt-get install python3-yaml (or pip install pyyaml)")

# Docker image (as written in FROM, registry omitted for Docker Hub) -> endoflife.date product.
IMAGE_PRODUCTS = {
    "ubuntu": "ubuntu",
    "debian": "debian",
    "alpine": "alpine-linux",
    "node": "nodejs",
    "python": "python",
    "pypy": None,
    "golang": "go",
    "rust": "rust",
    "eclipse-temurin": "eclipse-temurin",
    "openjdk": "openjdk-builds-from-oracle",
    "amazoncorretto": "amazon-corretto",
    "ibm-semeru-runtimes": "ibm-semeru",
    "sapmachine": "sapmachine",
    "azul-zulu": "azul-zulu",
    "php": "php",
    "ruby": "ruby",
    "perl": "perl",
    "elixir": "elixir",
    "erlang": "erlang",
    "julia": "julia",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "mongo": "mongodb",
    "redis": "redis",
    "memcached": "memcached",
    "rabbitmq": "rabbitmq",
    "nginx": "nginx",
    "httpd": "apache-http-server",
    "haproxy": "haproxy",
    "traefik": "traefik",
    "caddy": "caddy",
    "tomcat": "tomcat",
    "jetty": "eclipse-jetty",
    "maven": "apache-maven",
    "gradle": "gradle",
    "groovy": "apache-groovy",
    "cassandra": "apache-cassandra",
    "couchdb": "apache-couchdb",
    "solr": "solr",
    "zookeeper": "zookeeper",
    "elasticsearch": "elasticsearch",
    "kibana": "kibana",
    "logstash": "logstash",
    "influxdb": "influxdb",
    "telegraf": "telegraf",
    "neo4j": "neo4j",
    "clickhouse": "clickhouse",
    "sonarqube": "sonarqube-community",
    "wordpress": "wordpress",
    "drupal": "drupal",
    "joomla": "joomla",
    "nextcloud": "nextcloud",
    "mediawiki": "mediawiki",
    "redmine": "redmine",
    "matomo": "matomo",
    "composer": "composer",
    "almalinux": "almalinux",
    "rockylinux": "rocky-linux",
    "fedora": "fedora",
    "oraclelinux": "oracle-linux",
    "amazonlinux": "amazon-linux",
    "mcr.microsoft.com/dotnet/sdk": "dotnet",
    "mcr.microsoft.com/dotnet/aspnet": "dotnet",
    "mcr.microsoft.com/dotnet/runtime": "dotnet",
    "mcr.microsoft.com/dotnet/runtime-deps": "dotnet",
    "mcr.microsoft.com/dotnet/monitor": "dotnet",
}

# Official images whose library file was deleted. Derived from the git history when the snapshot
# is a git checkout; otherwise this list, taken from the history research in
# the project's research notes on Dockerfiles, §3.3 (partial: only the deletions named there).
KNOWN_REMOVED = {
    "adoptopenjdk": "2021",
    "centos": "2024-07-29",
    "consul": "2024-07-29",
    "express-gateway": "2024-07-29",
    "java": "2017",
    "mono": "2025-08-18",
    "vault": "2024-07-29",
}

# Products whose `eoes` (end of extended support) is free upstream support the official images
# still carry: Debian LTS runs to `eoes`, and the official images keep publishing those releases.
# Ubuntu's `eoes` is ESM, a paid Ubuntu Pro subscription the official images do not carry, so it
# is left out: Ubuntu's end of life stays at the end of standard support.
EXTENDED_IS_UPSTREAM = {"debian"}

# Products whose data lists only some cycles: nginx lists the stable (even) branches and only the
# recent mainline (odd) ones. A mainline branch 1.N ends when 1.N+1 (the stable branch made from
# it) is released, so a missing odd cycle is added with that end of life (no release date).
FILL_ODD_CYCLES = {"nginx"}

# The tags Microsoft publishes for the .NET images on mcr.microsoft.com (not in any snapshot:
# written from Microsoft's supported-OS matrix for each .NET release). Tags are
# `<major>.0[-<os>[-<variant>]]`; per release: the OS suffixes it is published on and the
# chiseled (distroless) variants. There is no .NET 10 on jammy, and no `10` tag, only `10.0`.
DOTNET_OS = {
    "10": ["noble", "trixie-slim", "alpine", "alpine3.22", "alpine3.23", "azurelinux3.0"],
    "9": ["noble", "bookworm-slim", "alpine", "alpine3.22", "alpine3.23", "azurelinux3.0"],
    "8": ["noble", "jammy", "bookworm-slim", "alpine", "alpine3.22", "alpine3.23", "azurelinux3.0"],
}
DOTNET_CHISELED = {"10": ["noble"], "9": ["noble"], "8": ["noble", "jammy"]}
DOTNET_REPOSITORIES = ["sdk", "aspnet", "runtime", "runtime-deps"]


def dotnet_tags():
    """mcr.microsoft.com/dotnet/<repo> -> supported tags."""
    out = {}
    for repo in DOTNET_REPOSITORIES:
        tags = set()
        for major, systems in DOTNET_OS.items():
            version = major + ".0"
            tags.add(version)
            for system in systems:
                tags.add(f"{version}-{system}")
            if repo != "sdk":
                for system in DOTNET_CHISELED[major]:
                    tags.add(f"{version}-{system}-chiseled")
                    tags.add(f"{version}-{system}-chiseled-extra")
        out[f"mcr.microsoft.com/dotnet/{repo}"] = sorted(tags)
    return out


def fill_odd_cycles(cycles):
    by_minor = {}
    for c in cycles:
        m = re.match(r"^1\.(\d+)$", c["cycle"])
        if m:
            by_minor[int(m[1])] = c
    for minor in range(1, max(by_minor, default=0), 2):
        if minor in by_minor or minor + 1 not in by_minor:
            continue
        successor = by_minor[minor + 1]
        if "release" in successor:
            cycles.append({"cycle": f"1.{minor}", "lts": False, "eol": successor["release"]})


SOURCE_RE = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+) at (?P<commit>[0-9a-f]{40}) \((?P<date>\d{4}-\d{2}-\d{2})\), (?P<license>[^\s,(]+)")
VERSION_RE = re.compile(r"^\d+(\.\d+)*$")
WORD_RE = re.compile(r"^[a-z]+$")


def read_source(path):
    with open(path, encoding="utf-8") as f:
        first = f.readline().strip()
    m = SOURCE_RE.match(first)
    if not m:
        sys.exit(f"{path}: first line must read '<owner>/<repo> at <commit> (<date>), <licence>', got: {first!r}")
    return {"repository": m["repo"], "commit": m["commit"], "date": m["date"], "license": m["license"].strip()}


def library_entries(text):
    """RFC 2822-like entries: blank-line separated, `Key: value`, indented continuations, # comments."""
    entries, current, last_key = [], {}, None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                entries.append(current)
            current, last_key = {}, None
            continue
        if line[0] in " \t" and last_key:
            current[last_key] += " " + line.strip()
            continue
        key, _, value = line.partition(":")
        last_key = key.strip()
        current[last_key] = value.strip()
    if current:
        entries.append(current)
    return entries


def split_list(value):
    return [t.strip() for t in value.split(",") if t.strip()]


def aliases_of(tag_lists):
    """Words that stand for a version in the same entry: jammy -> 22.04, krypton -> 24.19.0, latest -> 3.14.7."""
    aliases = {}
    for tags in tag_lists:
        # A word that is also a suffix (`trixie` next to `26-trixie`) is a variant, not a version.
        suffixes = {part for tag in tags for part in tag.split("-")[1:]}
        by_rest = {}
        for tag in tags:
            head, _, rest = tag.partition("-")
            by_rest.setdefault(rest, []).append(head)
        for heads in by_rest.values():
            versions = [h for h in heads if VERSION_RE.match(h)]
            if not versions:
                continue
            version = max(versions, key=lambda v: (len(v.split(".")), v))
            for head in heads:
                if WORD_RE.match(head) and head not in suffixes and head not in aliases:
                    aliases[head] = version
    return dict(sorted(aliases.items()))


def removed_from_git(library_dir, current):
    try:
        out = subprocess.run(
            ["git", "-C", library_dir, "log", "--diff-filter=D", "--name-only", "--format=%cs", "--", "."],
            check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    removed, date = {}, None
    for line in out.splitlines():
        if re.match(r"^\d{4}-\d{2}-\d{2}$", line):
            date = line
        elif line.startswith("library/"):
            name = line.split("/", 1)[1]
            if name not in current and name not in removed:
                removed[name] = date
    return removed


def official_images(src):
    library = os.path.join(src, "library")
    images = {}
    for name in sorted(os.listdir(library)):
        with open(os.path.join(library, name), encoding="utf-8") as f:
            entries = library_entries(f.read())
        tag_lists = []
        tags = set()
        for entry in entries:
            entry_tags = split_list(entry.get("Tags", "")) + split_list(entry.get("SharedTags", ""))
            if entry_tags:
                tag_lists.append(entry_tags)
                tags.update(entry_tags)
        images[name] = {"tags": sorted(tags), "aliases": aliases_of(tag_lists)}
    removed = None
    if os.path.isdir(os.path.join(src, ".git")):
        removed = removed_from_git(library, images)
    removed_source = "git history of library/" if removed is not None else "dockerfile.md §3.3 research (partial)"
    if removed is None:
        removed = {k: v for k, v in KNOWN_REMOVED.items() if k not in images}
    return images, {"source": removed_source, "images": dict(sorted(removed.items()))}


def front_matter(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.startswith("---"):
        return {}
    end = text.index("\n---", 3)
    return yaml.safe_load(text[3:end]) or {}


def as_date(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return value
    return None


def flag_or_date(value):
    """eol / lts: a date, or true/false."""
    date = as_date(value)
    if date:
        return date
    return bool(value)


def cycle_key(cycle):
    parts = re.findall(r"\d+|[a-z]+", str(cycle["cycle"]).lower())
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts]


def lifecycle(src):
    products = {}
    wanted = sorted({p for p in IMAGE_PRODUCTS.values() if p})
    for product in wanted:
        path = os.path.join(src, "products", product + ".md")
        if not os.path.exists(path):
            sys.exit(f"{path}: no such endoflife.date product (fix IMAGE_PRODUCTS)")
        cycles = []
        for release in front_matter(path).get("releases", []):
            cycle = {"cycle": str(release["releaseCycle"])}
            if release.get("codename"):
                cycle["codename"] = str(release["codename"])
            cycle["lts"] = flag_or_date(release.get("lts", False))
            for key, out in (("releaseDate", "release"), ("eoas", "support")):
                date = as_date(release.get(key))
                if date:
                    cycle[out] = date
            cycle["eol"] = flag_or_date(release.get("eol", False))
            extended = as_date(release.get("eoes"))
            if product in EXTENDED_IS_UPSTREAM and extended:
                cycle["extended"] = extended
            if release.get("latest") is not None:
                cycle["latest"] = str(release["latest"])
            cycles.append(cycle)
        if product in FILL_ODD_CYCLES:
            fill_odd_cycles(cycles)
        cycles.sort(key=lambda c: (c.get("release", ""), cycle_key(c)), reverse=True)
        products[product] = cycles
    images = {image: product for image, product in sorted(IMAGE_PRODUCTS.items()) if product}
    return products, images


def write(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", metavar="DIR",
                        help="snapshots of the sources: DIR/official-images and DIR/endoflife (see docs/data.md)")
    parser.add_argument("--out", metavar="DIR", default=os.path.join(here, "..", "data"),
                        help="where to write the JSON files (default: data/ of this checkout)")
    args = parser.parse_args()
    if args.source is None:
        parser.error("--source DIR is required: a directory with official-images/ (a clone of "
                     "docker-library/official-images) and endoflife/ (a clone of "
                     "endoflife-date/endoflife.date), each with a SOURCE.txt line (docs/data.md); "
                     "or fetch fresh data with `drydock data update --out DIR`")
    oi_src = os.path.join(args.source, "official-images")
    eol_src = os.path.join(args.source, "endoflife")
    for needed in (os.path.join(oi_src, "library"), os.path.join(oi_src, "SOURCE.txt"),
                   os.path.join(eol_src, "products"), os.path.join(eol_src, "SOURCE.txt")):
        if not os.path.exists(needed):
            parser.error(f"--source {args.source}: {needed} does not exist (docs/data.md says what the "
                         "source directory holds)")
    os.makedirs(args.out, exist_ok=True)

    images, removed = official_images(oi_src)
    write(os.path.join(args.out, "official-images.json"),
          {"source": read_source(os.path.join(oi_src, "SOURCE.txt")), "images": images, "removed": removed})
    products, image_products = lifecycle(eol_src)
    write(os.path.join(args.out, "lifecycle.json"),
          {"source": read_source(os.path.join(eol_src, "SOURCE.txt")), "products": products, "images": image_products,
           "registry_tags": dotnet_tags()})
    for name in ("official-images", "endoflife"):
        lic = os.path.join(args.source, name, "LICENSE")
        with open(lic, encoding="utf-8") as f, open(os.path.join(args.out, f"LICENSE.{name}"), "w", encoding="utf-8") as out:
            out.write(f.read())
    print(f"{len(images)} official images ({len(removed['images'])} removed), "
          f"{len(products)} lifecycle products -> {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
