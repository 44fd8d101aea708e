#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: builds the manifest fuzzer (Fuzz/: libFuzzer with
# AddressSanitizer over RosterYAML and RosterCore) and runs it for SECONDS (default 60)
# from a seed corpus taken from the tests and the examples. The invariants it checks on
# every input are ManifestInvariants (Tests/RosterFuzzSupport). On a finding it exits
# non-zero and copies the input into Tests/RosterCoreTests/FuzzRegressions/, which
# `swift test` replays (FuzzRegressionTests): commit it with the fix.
#
# The corpus it grows is kept in .build-fuzz/corpus between runs. FUZZ_CONFIGURATION=debug
# builds faster and runs slower (default release). It links with lld: gold crashes on the
# sanitized objects. Extra arguments after SECONDS go to
# libFuzzer (e.g. -jobs=2, -only_ascii=1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
configuration=${FUZZ_CONFIGURATION:-release}
scratch=.build-fuzz
regressions=Tests/RosterCoreTests/FuzzRegressions

started=$SECONDS
swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >&2
binary=$(swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" --show-bin-path)/RosterFuzz
echo "fuzz: built in $((SECONDS - started)) s" >&2

# Seeds: every manifest of the examples and the golden tests, and every past finding.
seeds=$scratch/seeds
findings=$scratch/findings
rm -rf "$seeds" "$findings"
mkdir -p "$seeds" "$findings" "$scratch/corpus"
n=0
while IFS= read -r -d '' file; do
    n=$((n + 1))
    cp "$file" "$seeds/seed-$n"
done < <(find examples Tests/RosterCoreTests/Golden Tests/RosterCoreTests/GoldenPlans "$regressions" \
    -type f \( -name '*.yaml' -o -name '*.yml' \) -print0)
find "$regressions" -type f ! -name README.md ! -name '*.yaml' -exec cp {} "$seeds/" \;

status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} "$binary" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -dict=Fuzz/manifest.dict -artifact_prefix="$findings/" "$@" "$scratch/corpus" "$seeds" >&2 || status=$?

found=0
for input in "$findings"/*; do
    [ -f "$input" ] || continue
    found=$((found + 1))
    kind=$(basename "$input" | cut -d- -f1)
    name="fuzz-$kind-$(sha1sum "$input" | cut -c1-16)"
    cp "$input" "$regressions/$name"
    echo "fuzz: finding saved as $regressions/$name" >&2
done
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    echo "fuzz: FAILED (libFuzzer exit $status, $found input(s) saved to $regressions)" >&2
    exit 1
fi
echo "fuzz: no findings in $seconds s (total $((SECONDS - started)) s)" >&2
