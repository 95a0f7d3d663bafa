#!/bin/sh
# An appliance on the cut-down kernel: no modules, boots in a 128 MiB guest, power-off ends QEMU.
# On the PC machine: microvm.sh covers the other.
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex python3
K=$(custom_kernel)
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/c" || fail "build on the custom kernel"
m=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kernel"]["origin"], len(d["modules"]))' "$WORK/c/manifest.json")
expect_eq "manifest: custom origin, no modules" "$m" "custom 0"
f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["format"])' "$WORK/c/manifest.json")
expect_eq "the cut-down kernel (CONFIG_PVH) is stored uncompressed" "$f" "elf-pvh"
run_capture r run "$WORK/c" --machine pc --memory 128 --timeout 120 -- echo hello
expect_eq "custom kernel: hello" "$r_out" "hello"
expect_eq "custom kernel: exit 0" "$r_rc" 0
run_capture s run "$WORK/c" --machine pc --memory 128 --timeout 120 -- sh -c 'exit 7'
expect_eq "custom kernel: exit 7" "$s_rc" 7
run_capture d run "$WORK/c" --machine pc --debug --timeout 120 -- true
expect_match "custom kernel: all stages" "$d_err" "leanboot: stage=payload"
expect_no_match "custom kernel: no module errors" "$d_err" "cannot load module"
run_capture x build --kernel "$K" --module loop -o "$WORK/x"
expect_match "--module with a custom kernel is refused" "$x_err" "custom kernel has no loadable modules"
finish
