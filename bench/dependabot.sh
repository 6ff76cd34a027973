#!/usr/bin/env bash
# Render + validate + repair over 1,000 dependabot.yml configs vs the floor of parsing them with
# serde-saphyr; prints per-config times and the ratio (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench dependabot "$@"
