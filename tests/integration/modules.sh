#!/bin/sh
# --module: resolved on the host with libkmod, loaded by the init (dependencies first).
. "$(dirname "$0")/lib.sh"
"$LEANBOOT" -q build -o "$WORK/m" --module loop --module vfat || fail "build with modules"
manifest=$(cat "$WORK/m/manifest.json")
expect_match "manifest lists loop.ko" "$manifest" 'drivers/block/loop\.ko'
expect_match "manifest lists fat.ko (a dependency of vfat)" "$manifest" 'fs/fat/fat\.ko'
run_capture r run "$WORK/m" -- sh -c 'test -d /sys/module/loop && test -d /sys/module/vfat && test -d /sys/module/fat && echo loaded'
expect_eq "modules loaded in the guest" "$r_out" "loaded"
expect_eq "exit status" "$r_rc" 0
finish
