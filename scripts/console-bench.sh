#!/usr/bin/env bash
# The console at scale: every page and API call of `roster serve` timed and weighed for a
# viewer who administers every team of a large organisation (default: the reference
# corpus, 10,000 teams x 100 members, plus one admin in every team).
#
#   scripts/console-bench.sh [--teams N] [--members N] [--runs N]
#
# It builds roster in release mode, generates the corpus with bench/gen.py (kept in
# $TMPDIR between runs), adds admin-all@example.com as an admin of every team, applies it
# to a new SQLite store, makes that admin a member everywhere (set-up only: the accepts
# are written straight into the store, without the ten thousand audited joins a person
# would make), starts `roster serve` on a free 127.0.0.1 port, signs in, and requests
# each page and API call N times (default 5). It prints the median time of the whole
# request on loopback (the server's time, near enough) and the size of the answer.
# Figures only; nothing here fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."

teams=10000
members=100
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --teams) teams=$2; shift 2 ;;
        --members) members=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        *) echo "usage: scripts/console-bench.sh [--teams N] [--members N] [--runs N]" >&2; exit 64 ;;
    esac
done

for tool in curl sqlite3 git python3; do
    command -v "$tool" >/dev/null || { echo "console-bench: needs $tool" >&2; exit 1; }
done

swift build -c release --static-swift-stdlib --scratch-path .build-bench --product roster >&2
roster="$PWD/.build-bench/release/roster"
tmp=${TMPDIR:-/tmp}
corpus="$tmp/roster-corpus-${teams}x${members}"
org="$tmp/roster-console-${teams}x${members}"
if [ ! -d "$corpus/.git" ]; then
    python3 bench/gen.py --teams "$teams" --members "$members" --users $((teams * 20)) --out "$corpus" >&2
fi
if [ ! -d "$org/.git" ]; then
    rm -rf "$org"
    git clone -q "$corpus" "$org"
    # Members are the last key of every generated team: one more list item at the end.
    find "$org/teams" -name '*.yaml' -exec sh -c \
        'for f; do printf "    - email: admin-all@example.com\n      role: admin\n" >> "$f"; done' sh {} +
    git -C "$org" -c user.email=bench@example.com -c user.name=bench commit -qam "admin-all in every team"
fi

work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
store="sqlite:$work/roster.db"
export ROSTER_CACHE_DIR="$work/cache"

echo "applying $teams teams to a new store ..." >&2
"$roster" apply --repo "$org" --yes --quiet --store "$store" >/dev/null
sqlite3 "$work/roster.db" <<'SQL'
BEGIN;
INSERT INTO memberships (team, email, role, created_at)
    SELECT i.team, i.email, i.role, o.created_at FROM invitations i JOIN invitation_origins o ON o.id = i.origin
    WHERE i.email = 'admin-all@example.com' AND i.status = 'pending';
UPDATE invitations SET status = 'accepted' WHERE email = 'admin-all@example.com' AND status = 'pending';
COMMIT;
SQL
key=$("$roster" apikey create --email admin-all@example.com --store "$store" 2>/dev/null | grep -o 'roster_[A-Za-z0-9_-]*' | head -1)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$roster" serve --repo "$org" --store "$store" --listen "127.0.0.1:$port" --interval 1h --sign-in-limit 0 \
    --log-level warning 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 600); do
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.5
done
curl -fsS "$base/readyz" >/dev/null || { echo "console-bench: the server did not get ready" >&2; cat "$work/serve.log" >&2; exit 1; }

# Sign in as a browser does: the form's CSRF cookie and field, then the session cookie.
jar="$work/cookies"
page=$(curl -fsS -c "$jar" "$base/signin")
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Origin: $base" --data-urlencode "csrf=$csrf" \
    --data-urlencode "key=$key" --data-urlencode "next=/" "$base/signin"

slug=$(sqlite3 "$work/roster.db" "SELECT slug FROM teams ORDER BY slug LIMIT 1 OFFSET $((teams / 2))")
run=$(sqlite3 "$work/roster.db" "SELECT id FROM runs WHERE result = 'applied' ORDER BY started_at LIMIT 1")

measure() { # label, then curl arguments
    local label=$1; shift
    local times=() size=0 status=0
    for _ in $(seq 1 "$runs"); do
        read -r status seconds size < <(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$@")
        times+=("$seconds")
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %-34s | %3s | %8.1f | %8.1f |\n' "$label" "$status" "$(awk -v s="$median" 'BEGIN {print s * 1000}')" \
        "$(awk -v b="$size" 'BEGIN {print b / 1024}')"
}

echo
echo "The console for an admin of all $teams teams ($members members each), median of $runs:"
echo
echo "| page or call                       | status | ms | KB |"
echo "| --- | --- | --- | --- |"
html=(-b "$jar")
api=(-H "Authorization: Bearer $key")
measure "/ (status)" "${html[@]}" "$base/"
measure "/teams" "${html[@]}" "$base/teams"
measure "/teams/$slug" "${html[@]}" "$base/teams/$slug"
measure "/runs" "${html[@]}" "$base/runs"
measure "/runs/<the apply>" "${html[@]}" "$base/runs/$run"
measure "/audit" "${html[@]}" "$base/audit"
measure "/audit?team=$slug" "${html[@]}" "$base/audit?team=$slug"
measure "/api/v1/status" "${api[@]}" "$base/api/v1/status"
measure "/api/v1/teams" "${api[@]}" "$base/api/v1/teams"
measure "/api/v1/teams/$slug" "${api[@]}" "$base/api/v1/teams/$slug"
measure "/api/v1/teams/$slug/members" "${api[@]}" "$base/api/v1/teams/$slug/members"
measure "/api/v1/invitations" "${api[@]}" "$base/api/v1/invitations"
measure "/api/v1/runs" "${api[@]}" "$base/api/v1/runs"
measure "/api/v1/runs/<the apply>" "${api[@]}" "$base/api/v1/runs/$run"
measure "/api/v1/audit" "${api[@]}" "$base/api/v1/audit"
