#!/bin/sh
# A guest that hangs is killed by --timeout: exit 124 and the last stage named.
. "$(dirname "$0")/lib.sh"
A=$(stock_appliance)
# This test's QEMU, told from other tests' guests by a token on its kernel command line.
token="leanboot.test=timeout-$$-$(date +%s%N)"
start=$(date +%s)
"$LEANBOOT" run "$A" --timeout 25 --append "$token" -- sleep 600 >"$WORK/r.out" 2>"$WORK/r.err" &
pid=$!
seen=no
while kill -0 "$pid" 2>/dev/null; do
    pgrep -f -- "$token" >/dev/null && { seen=yes; break; }
    sleep 0.2
done
r_rc=0
wait "$pid" || r_rc=$?
end=$(date +%s)
r_err=$(cat "$WORK/r.err")
expect_eq "the token finds this test's QEMU while it runs" "$seen" yes
expect_eq "timeout exits 124" "$r_rc" 124
expect_match "timeout names the last stage" "$r_err" "timed out after 25 s; last stage reached: payload"
[ $((end - start)) -lt 60 ] && pass "QEMU was killed promptly" || fail "timeout took $((end - start)) s"
pgrep -f -- "$token" >/dev/null && fail "this test's QEMU still runs after the timeout" || pass "no QEMU left behind"
finish
