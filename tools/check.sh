#!/bin/sh
# The test command: install what is needed, build with warnings as errors, run every test
# (unit tests and integration tests that boot real appliances), print the totals.
set -u
cd "$(dirname "$0")/.."
tools/deps.sh || exit 1
{ [ -x configure ] || autoreconf -fi; } && ./configure -q --enable-werror && make -j"$(nproc)" || exit 1
rc=0
make -j"$(nproc)" check || rc=$?
log=test-suite.log
[ -f "$log" ] || { echo "0 passed, 1 failed"; exit 1; }
count() { sed -n "s/^# $1: *//p" "$log" | head -1; }
pass=$(count PASS); fail=$(count FAIL); skip=$(count SKIP); err=$(count ERROR); xpass=$(count XPASS)
fail=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} ))
[ "$fail" -gt 0 ] && grep -h -E '^(FAIL|not ok)' tests/*/*.log | head -40
echo "${pass:-0} passed, $fail failed, ${skip:-0} skipped"
exit $rc
