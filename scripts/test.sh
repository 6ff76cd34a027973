#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs the external checkers and servers the
# tests need into .tools/ (or $DRYDOCK_TEST_TOOLS), then runs formatting, lints and every test,
# including the ones marked #[ignore] because they need those tools. Lints and tests share one
# build (below).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${DRYDOCK_TEST_TOOLS:-$PWD/.tools}
TESTTOOLS_SKIP_RENOVATE=${TESTTOOLS_SKIP_RENOVATE:-1} TESTTOOLS_SKIP_OPENAPI=${TESTTOOLS_SKIP_OPENAPI:-0} \
  bash scripts/install-test-tools.sh "$tools"
export PATH="$tools/bin:$PATH"
# git daemon and docker-registry live outside PATH on Debian.
export PATH="$PATH:/usr/lib/git-core:/usr/sbin"

cargo fmt --all -- --check
# One build for the lints and the tests. `cargo clippy` is a `cargo check` (metadata only), so
# running it beside `cargo test` compiled every dependency twice. Instead clippy-driver compiles
# drydock itself (lints and code, exactly as `cargo clippy` wraps rustc for workspace crates) in
# the test build, and the dependencies are built once, the same artifacts a plain `cargo test`
# uses. CLIPPY_ARGS is how cargo-clippy hands its `-- ARGS` to the driver.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo test --locked --all-targets --no-run
# The GitHub stand-in's own self-tests (Python, ~20 s): tests/standin/README.md.
standin-python -m unittest discover -s tests/standin -t tests/standin
cargo test --locked -- --include-ignored
