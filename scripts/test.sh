#!/usr/bin/env bash
# Runs Roster's whole test suite, installing the system packages it needs when missing;
# then the CLI tests (rosterTests) a second time with their stores on PostgreSQL
# (ROSTER_TEST_STORE=postgres: a throwaway server the test process starts, one database
# per test). The store contract tests already run on both backends in the first pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
echo "rosterTests again, on PostgreSQL stores" >&2
started=$SECONDS
ROSTER_TEST_STORE=postgres swift test --skip-build --filter rosterTests
echo "PostgreSQL pass of rosterTests: $((SECONDS - started)) s" >&2
