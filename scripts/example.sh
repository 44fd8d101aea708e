#!/usr/bin/env bash
# Runs Roster's main job on the bundled example manifests with the embedded SQLite store
# (./roster.db): validate, approve the raised spend limit, plan, apply, and check that a
# second plan has nothing to do and the audit log verifies. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product roster
roster=.build/debug/roster
export ROSTER_STORE="${ROSTER_STORE:-sqlite:roster.db}"

echo "== roster validate --dir examples"
$roster validate --dir examples
echo "== roster team ceiling (an operator approves ml-research's raised limit)"
$roster team ceiling --team ml-research --per-hour 120
echo "== roster plan --dir examples"
$roster plan --dir examples
echo "== roster apply --dir examples --yes"
$roster apply --dir examples --yes --quiet
echo "== roster plan --dir examples (again)"
$roster plan --dir examples
echo "== roster audit verify"
$roster audit verify
