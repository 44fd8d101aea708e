#!/usr/bin/env bash
# Installs the Debian packages Roster builds and tests with, when any is missing.
# chromium and chromium-driver drive the invitation page in a real headless browser
# (Tests/rosterTests/InvitationBrowserTests.swift), which checks every page with axe-core:
# PyPI's axe-playwright-python carries axe.min.js (axe-core 4.12), installed with pip when
# missing, without its dependencies (the test injects the script itself, through WebDriver).
# python3-pip gives Debian's python3 a pip; another python3 on PATH brings its own. postgresql gives the tests a throwaway
# server of their own (Tests/RosterTestSupport/TestPostgres.swift); its programs stay off
# PATH, in /usr/lib/postgresql/VERSION/bin.
set -euo pipefail
packages=(libgit2-dev libyaml-dev libsqlite3-dev libjemalloc-dev pkg-config git python3 python3-pip sqlite3 util-linux chromium chromium-driver postgresql openssl)
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

# axe-core for the browser test's accessibility check, pinned: new axe rules should arrive
# in a commit that also fixes what they find. (axe-selenium-python, the usual carrier, ships
# axe-core 3.1 from 2018 in the newest release pip installs for Python 3.11.)
axe_package="axe-playwright-python==0.1.8"
if ! python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("axe_playwright_python") is None)' 2>/dev/null; then
    echo "Installing $axe_package ..." >&2
    # Debian's own python3 refuses pip installs outside a virtual environment (PEP 668)
    # unless told; a python3 of its own (pyenv, a venv) takes the plain form.
    python3 -m pip install --quiet --no-deps "$axe_package" 2>/dev/null \
        || python3 -m pip install --quiet --no-deps --break-system-packages "$axe_package"
fi
