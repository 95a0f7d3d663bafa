#!/bin/sh
# The test command: install what is needed, build with warnings as errors, run the tests (unit
# tests, fuzz corpus replays and integration tests that boot real appliances) but the tailor's,
# then every test, the tailor's too, with the host side under ASan and UBSan
# (tools/sanitizers.sh), and print the totals of both runs.  The tailor's tests build kernels and
# run once, sanitized: twice would not fit CI's 90 minutes when ccache has not seen their configs.
set -u
cd "$(dirname "$0")/.."
tools/deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
{ [ -x configure ] || autoreconf -fi; } && ./configure -q --enable-werror && make -j"$(nproc)" ||
    { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
rc=0
make -j"$(nproc)" check-without-tailor || rc=$?
log=test-suite.log
[ -f "$log" ] || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
count() { sed -n "s/^# $1: *//p" "$2" | head -1; }
# tally LOG: add a test-suite.log's counts to the totals.
pass=0 fail=0 skip=0
tally() {
    p=$(count PASS "$1"); f=$(count FAIL "$1"); s=$(count SKIP "$1"); e=$(count ERROR "$1"); x=$(count XPASS "$1")
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0})); skip=$((skip + ${s:-0}))
}
tally "$log"
[ "$fail" -gt 0 ] && grep -h -E '^(FAIL|not ok)' tests/*/*.log | head -40

san_out=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-sanitizers.XXXXXX")
tools/sanitizers.sh "$san_out" || rc=1
if [ -f "$san_out/test-suite.log" ]; then
    before=$fail
    tally "$san_out/test-suite.log"
    # What failed under the sanitizers, said before the copy goes (as for the plain run above).
    [ "$fail" -gt "$before" ] && grep -h -E '^(FAIL|not ok)' "$san_out"/tree/tests/*/*.log | sed 's/^/sanitizers: /' | head -40
else
    fail=$((fail + 1))
fi
reports=$(find "$san_out/reports" -type f 2>/dev/null | wc -l)
if [ "$reports" -gt 0 ]; then
    echo "sanitizer reports: $reports (each counts as a failure)"
    find "$san_out/reports" -type f | head -5 | xargs head -n 30
    fail=$((fail + reports)); rc=1
fi
rm -rf "$san_out"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || rc=1
exit $rc
