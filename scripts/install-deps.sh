#!/usr/bin/env bash
# Installs the Debian packages Roster builds and tests with, when any is missing.
# chromium and chromium-driver drive the invitation page in a real headless browser
# (Tests/rosterTests/InvitationBrowserTests.swift). postgresql gives the tests a throwaway
# server of their own (Tests/RosterTestSupport/TestPostgres.swift); its programs stay off
# PATH, in /usr/lib/postgresql/VERSION/bin.
set -euo pipefail
packages=(libgit2-dev libyaml-dev libsqlite3-dev pkg-config git python3 sqlite3 util-linux chromium chromium-driver postgresql openssl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} ..." >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
