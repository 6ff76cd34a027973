#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs the external checkers and servers the
# tests need into .tools/ (or $DRYDOCK_TEST_TOOLS), then runs formatting, lints and every test,
# including the ones marked #[ignore] because they need those tools.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${DRYDOCK_TEST_TOOLS:-$PWD/.tools}
TESTTOOLS_SKIP_RENOVATE=${TESTTOOLS_SKIP_RENOVATE:-1} TESTTOOLS_SKIP_OPENAPI=${TESTTOOLS_SKIP_OPENAPI:-0} \
  bash scripts/install-test-tools.sh "$tools"
export PATH="$tools/bin:$PATH"
# git daemon and docker-registry live outside PATH on Debian.
export PATH="$PATH:/usr/lib/git-core:/usr/sbin"

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The GitHub stand-in's own self-tests (Python, ~20 s): tests/standin/README.md.
standin-python -m unittest discover -s tests/standin -t tests/standin
cargo test --locked -- --include-ignored
