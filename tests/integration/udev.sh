#!/bin/sh
# udev modes: fast (default with udevd) and full create /dev/disk links; off leaves devtmpfs alone.
. "$(dirname "$0")/lib.sh"
"$LEANBOOT" -q build -o "$WORK/u" -p udev || fail "build with udev"
uuid=$(sed -n 's/.*root=UUID=\([0-9a-f-]*\).*/\1/p' "$WORK/u/cmdline")
probe='ls /dev/disk/by-uuid 2>/dev/null || echo none'
run_capture f run "$WORK/u" --debug -- sh -c "$probe"
expect_match "default mode is fast when udevd is present" "$f_err" "udev mode fast"
expect_eq "fast: the root's by-uuid link exists" "$f_out" "$uuid"
run_capture u run "$WORK/u" --append leanboot.udev=full -- sh -c "$probe"
expect_eq "full: the root's by-uuid link exists" "$u_out" "$uuid"
run_capture o run "$WORK/u" --append leanboot.udev=off -- sh -c "$probe"
expect_eq "off: no udev links" "$o_out" "none"
run_capture b run "$WORK/u" --append leanboot.udev=sometimes -- true
expect_eq "bad udev mode: exit 125" "$b_rc" 125
expect_match "bad udev mode: clear error" "$b_err" "leanboot.udev=sometimes: expected off, fast or full"
finish
