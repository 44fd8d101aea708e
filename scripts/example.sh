#!/usr/bin/env bash
# Runs Roster on the bundled example manifests, installing what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product roster
.build/debug/roster validate --dir examples "$@"
