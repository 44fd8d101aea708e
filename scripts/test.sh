#!/usr/bin/env bash
# Runs Roster's whole test suite, installing the system packages it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
