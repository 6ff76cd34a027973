#!/usr/bin/env bash
# Benchmark: `drydock bump` over 500 Dockerfiles that share 40 base images, against the Debian
# docker-registry on 127.0.0.1 (started here with its own config in a temp dir, killed at exit).
# Reports registry requests per image (target: one tag list per image per run) and total time,
# against a baseline in the same run: one tag-list request per image reference with curl, as a
# tool without a per-run cache would do.
# Needs: docker-registry (apt), curl, jq, sha256sum. Usage: bench/bump.sh [FILES] [IMAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-500}
IMAGES=${2:-40}
export PATH="$PATH:/usr/sbin"
command -v docker-registry >/dev/null || { echo "docker-registry not found (apt-get install docker-registry)" >&2; exit 2; }

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/config.yml" >/dev/null 2>&1 &
pid=$!
reg="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$reg/v2/" >/dev/null && break; sleep 0.05; done

# Seed: IMAGES repositories, each with 12 tags in two variants.
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}' > "$work/config.json"
cfg_digest=sha256:$(sha256sum "$work/config.json" | cut -d' ' -f1)
cfg_size=$(stat -c%s "$work/config.json")
push_image() {
  local repo=$1 loc sep tag
  loc=$(curl -fsS -X POST -D - -o /dev/null "$reg/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="$reg$loc" ;; esac
  sep='?'; [[ "$loc" == *\?* ]] && sep='&'
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$work/config.json" "${loc}${sep}digest=$cfg_digest" -o /dev/null
  for minor in 10 11 12 13 14 15; do
    for variant in slim alpine; do
      tag="3.$minor-$variant"
      printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[],"annotations":{"tag":"%s"}}' \
        "$cfg_digest" "$cfg_size" "$tag" |
        curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @- "$reg/v2/$repo/manifests/$tag" -o /dev/null
    done
  done
}
for i in $(seq 1 "$IMAGES"); do push_image "bench/base$i"; done

# FILES Dockerfiles, each a two-stage build on two of the shared images.
mkdir -p "$work/repo"
refs=0
for f in $(seq 1 "$FILES"); do
  a=$(( (f % IMAGES) + 1 )); b=$(( ((f * 7) % IMAGES) + 1 ))
  mkdir -p "$work/repo/svc$f"
  printf '# service %d\nFROM bench/base%d:3.10-slim AS build\nRUN make\nFROM bench/base%d:3.12-alpine\nCOPY --from=build /out /out\n' "$f" "$a" "$b" > "$work/repo/svc$f/Dockerfile"
  refs=$((refs + 2))
done

cargo build --release --quiet
bin=target/release/drydock

start=$(date +%s.%N)
set +e
"$bin" bump --path "$work/repo" --registry-mirror "docker.io=$reg" --level minor --format json --stats \
  > "$work/out.json" 2> "$work/err.txt"
rc=$?
set -e
end=$(date +%s.%N)
[ "$rc" -eq 1 ] || { echo "drydock bump exited $rc" >&2; cat "$work/err.txt" >&2; exit 1; }
stats=$(sed -n 's/^stats: //p' "$work/err.txt")
updates=$(jq '.updates | length' "$work/out.json")

# Baseline: one tag-list request per image reference, no cache.
bstart=$(date +%s.%N)
for f in "$work"/repo/*/Dockerfile; do
  grep -oE '^FROM [^ ]+' "$f" | while read -r _ image; do
    curl -fsS "$reg/v2/${image%%:*}/tags/list" -o /dev/null
  done
done
bend=$(date +%s.%N)

d_time=$(echo "$end - $start" | bc)
b_time=$(echo "$bend - $bstart" | bc)
images=$(jq '.images' <<<"$stats")
requests=$(jq '.requests' <<<"$stats")
echo "dockerfiles:                $FILES ($refs image references, $IMAGES distinct images)"
echo "updates proposed:           $updates"
echo "drydock registry requests:  $requests ($(jq '.tag_list_pages' <<<"$stats") tag-list pages, $(jq '.manifest_requests' <<<"$stats") manifest, $(jq '.token_requests' <<<"$stats") token)"
echo "tag lists per image:        max $(jq '.max_tag_list_fetches_per_image' <<<"$stats"), $(echo "scale=2; $(jq '.tag_list_fetches' <<<"$stats") / $images" | bc) on average (target 1)"
echo "requests per image:         $(echo "scale=2; $requests / $images" | bc)"
echo "drydock total time:         ${d_time}s (parse $FILES files, fetch, decide)"
echo "baseline (curl per ref):    $refs requests, ${b_time}s"
echo "ratio baseline/drydock:     requests $(echo "scale=1; $refs / $requests" | bc)x, time $(echo "scale=2; $b_time / $d_time" | bc)x"
