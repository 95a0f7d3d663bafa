#!/bin/sh
# A relocatable install: `make install DESTDIR=...`, the tree moved somewhere else, and the moved
# binary finds what it ships (the init, pre-init, shim, kernel config fragments) relative to
# itself, before the compiled-in paths: it checks a config, builds an appliance and boots it.
. "$(dirname "$0")/lib.sh"
unset LEANBOOT_CONFIGS LEANBOOT_INIT
make -s -C "$top_builddir" install DESTDIR="$WORK/dest" >"$WORK/install.log" 2>&1 ||
    { fail "make install DESTDIR: $(tail -3 "$WORK/install.log")"; finish; }
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
[ -x "$WORK/dest$prefix/bin/leanboot" ] || { fail "no $WORK/dest$prefix/bin/leanboot"; finish; }
mv "$WORK/dest$prefix" "$WORK/moved"
rm -rf "$WORK/dest"
L="$WORK/moved/bin/leanboot"
LEANBOOT=$L

run_capture k kernel check "$FIXTURES/dotconfig/cutdown-base-6.1.192.config"
expect_eq "moved: kernel check finds base.config beside the binary" "$k_rc" 0
expect_match "moved: kernel check's verdict" "$k_out" "has all [0-9]+ requested option"
run_capture b build -o "$WORK/app"
expect_eq "moved: build finds the init beside the binary" "$b_rc" 0
run_capture r run "$WORK/app" -- echo relocated
expect_eq "moved: the appliance boots and runs its payload" "$r_out|$r_rc" "relocated|0"
finish
