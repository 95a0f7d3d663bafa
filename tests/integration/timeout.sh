#!/bin/sh
# A guest that hangs is killed by --timeout: exit 124 and the last stage named.
. "$(dirname "$0")/lib.sh"
A=$(stock_appliance)
start=$(date +%s)
run_capture r run "$A" --timeout 25 -- sleep 600
end=$(date +%s)
expect_eq "timeout exits 124" "$r_rc" 124
expect_match "timeout names the last stage" "$r_err" "timed out after 25 s; last stage reached: payload"
[ $((end - start)) -lt 60 ] && pass "QEMU was killed promptly" || fail "timeout took $((end - start)) s"
pgrep -f "$A/kernel" >/dev/null && fail "QEMU still running after timeout" || pass "no QEMU left behind"
finish
