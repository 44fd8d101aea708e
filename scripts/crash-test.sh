#!/usr/bin/env bash
# scripts/crash-test.sh [N]: SIGKILLs `roster apply` N times (default 20) at random points
# across an apply of about 10,000 changes to a SQLite store, and after each kill checks
# that the store is exactly as it was before the apply or after it, never between:
# - `roster audit verify` holds (and, after, verifies against the head of a complete apply);
# - `roster export` of the store is byte for byte the export of the empty store or the
#   export of a store the whole plan was applied to;
# - `roster plan` says "No changes" after, and the whole plan (same summary) before;
# - applying the saved plan again succeeds before, and is refused as stale after.
# Prints a summary; exits non-zero on any violation. CRASH_CONFIGURATION=release uses a
# release build (default debug, which CI has built already). CRASH_TEAMS and
# CRASH_MEMBERS size the organisation (default 100 x 100: 100 new teams and 9,900
# invitations, 10,000 changes).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
configuration=${CRASH_CONFIGURATION:-debug}
teams=${CRASH_TEAMS:-100}
members=${CRASH_MEMBERS:-100}

swift build -c "$configuration" --product roster >&2
roster="$(swift build -c "$configuration" --show-bin-path)/roster"
work=$(mktemp -d "${TMPDIR:-/tmp}/roster-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1 ROSTER_SECRET_KEY_FILE="$work/secret.key"

python3 bench/gen.py --teams "$teams" --members "$members" --users $((teams * members / 2)) --out "$work/org" >/dev/null
repo="$work/org"

# The states to compare with: the empty store, and the store after one complete apply.
"$roster" plan --repo "$repo" --store "sqlite:$work/empty.db" --out "$work/plan.json" --quiet
changes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["total"])' "$work/plan.json")
"$roster" plan --repo "$repo" --store "sqlite:$work/empty.db" --format json | python3 -c \
    'import json,sys; print(json.dumps(json.load(sys.stdin)["summary"], sort_keys=True))' > "$work/full-summary"
"$roster" export --store "sqlite:$work/empty.db" --dir "$work/before" --quiet
cp "$work/empty.db" "$work/reference.db"
started=$(date +%s.%N)
"$roster" apply "$work/plan.json" --yes --quiet --store "sqlite:$work/reference.db"
duration=$(python3 -c "import sys; print(max(0.05, float(sys.argv[2]) - float(sys.argv[1])))" "$started" "$(date +%s.%N)")
"$roster" export --store "sqlite:$work/reference.db" --dir "$work/after" --quiet
after_head=$("$roster" audit head --store "sqlite:$work/reference.db")
echo "crash-test: $changes changes; a complete apply takes ${duration}s; $runs kills follow" >&2

before=0
after=0
violations=0
fail() {
    echo "crash-test: run $1: VIOLATION: $2" >&2
    violations=$((violations + 1))
}
for run in $(seq 1 "$runs"); do
    store="$work/run.db"
    rm -rf "$store" "$store"-* "$store".* "$work/export"
    cp "$work/empty.db" "$store"
    # Odd runs: somewhere across the whole apply, process start and plan reading included,
    # and a little past its usual end (an apply that finished is an "after"). Even runs:
    # once the apply holds the store's lock (the holder line is written just before the
    # transaction), somewhere in the rest of it.
    delay=$(python3 -c "import random,sys; print(round(random.uniform(0, float(sys.argv[1]) * 1.1), 3))" "$duration")
    "$roster" apply "$work/plan.json" --yes --quiet --store "sqlite:$store" &
    pid=$!
    if [ $((run % 2)) -eq 0 ]; then
        delay="lock+$(python3 -c "import random,sys; print(round(random.uniform(0, float(sys.argv[1]) * 0.6), 3))" "$duration")"
        for _ in $(seq 1 6000); do
            grep -q '^pid ' "$store.lock" 2>/dev/null && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.005
        done
        sleep "${delay#lock+}"
    else
        sleep "$delay"
    fi
    kill -KILL "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null && code=0 || code=$?

    if ! verify=$("$roster" audit verify --store "sqlite:$store" 2>&1); then
        fail "$run" "audit verify failed after the kill at ${delay}s: $verify"
        continue
    fi
    "$roster" export --store "sqlite:$store" --dir "$work/export" --quiet
    if diff -r -q "$work/before" "$work/export" >/dev/null 2>&1; then
        state=before
    elif diff -r -q "$work/after" "$work/export" >/dev/null 2>&1; then
        state=after
    else
        fail "$run" "the store is neither before nor after the apply (killed at ${delay}s, exit $code): $(diff -r -q "$work/after" "$work/export" | head -3)"
        continue
    fi
    planned=0
    "$roster" plan --repo "$repo" --store "sqlite:$store" --detailed-exitcode --quiet >/dev/null 2>&1 || planned=$?
    head=$("$roster" audit head --store "sqlite:$store" 2>/dev/null || true)
    if [ "$state" = before ]; then
        before=$((before + 1))
        summary=$("$roster" plan --repo "$repo" --store "sqlite:$store" --format json | python3 -c \
            'import json,sys; print(json.dumps(json.load(sys.stdin)["summary"], sort_keys=True))')
        [ "$planned" -eq 2 ] && [ "$summary" = "$(cat "$work/full-summary")" ] || fail "$run" "before, but plan exits $planned with $summary"
        [ -z "$head" ] || fail "$run" "before, but the audit log has a head: $head"
        [ "$code" -ne 0 ] || fail "$run" "apply exited 0 and left nothing"
        "$roster" apply "$work/plan.json" --yes --quiet --store "sqlite:$store" || fail "$run" "before, but the plan does not apply"
    else
        after=$((after + 1))
        [ "$planned" -eq 0 ] || fail "$run" "after, but plan exits $planned (changes left)"
        [ "${head%%:*}" = "${after_head%%:*}" ] || fail "$run" "after, but the audit head is $head, not at ${after_head%%:*}"
        again=0
        "$roster" apply "$work/plan.json" --yes --quiet --store "sqlite:$store" 2>/dev/null || again=$?
        [ "$again" -eq 3 ] || fail "$run" "after, but applying the plan again exits $again, not 3 (stale plan)"
    fi
    "$roster" audit verify --store "sqlite:$store" --head "$("$roster" audit head --store "sqlite:$store")" --quiet \
        || fail "$run" "the audit log does not verify after the plan was applied"
    echo "crash-test: run $run: killed at ${delay}s (exit $code): $state" >&2
done

echo "crash-test: $runs kills: $before before, $after after, $violations violations" >&2
[ "$violations" -eq 0 ]
