#!/bin/sh
# QEMU's microvm machine: the cut-down kernel (virtio-mmio built in) boots there by default, and
# every run/bench feature works on it; a kernel that cannot is refused with the reason.
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex python3
K=$(custom_kernel)
printf '#!/bin/sh\necho hooked > /run/hooked\n' > "$WORK/hook"
"$LEANBOOT" -q build --kernel "$K" --hook "$WORK/hook" -o "$WORK/c" || fail "build on the custom kernel"
m=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["kernel"]["machines"]))' "$WORK/c/manifest.json")
expect_eq "manifest: the cut-down kernel boots on both machines" "$m" "pc microvm"

# auto picks microvm; payload output on its own port, exit status, hooks, --debug.
run_capture r run "$WORK/c" --debug --timeout 120 -- sh -c 'cat /run/hooked; exit 7'
expect_eq "microvm: payload output and the hook's work" "$(printf '%s' "$r_out" | tr -d '\r')" "hooked"
expect_eq "microvm: the payload's exit status" "$r_rc" 7
expect_match "auto chose microvm" "$r_err" "machine microvm"
expect_match "QEMU named the disk on the command line (virtio-mmio)" "$r_err" "virtio_mmio.device="
expect_match "--debug shows the stages" "$r_err" "leanboot: stage=hook:01-hook"

# An extra disk: /dev/vdb, after the root, written by the guest and read back by the host.
truncate -s 8M "$WORK/disk.img"
run_capture d run "$WORK/c" --machine microvm --disk "$WORK/disk.img" --timeout 120 -- sh -c 'echo on-vdb > /dev/vdb'
expect_eq "microvm: extra disk written: exit 0" "$d_rc" 0
expect_eq "microvm: the host reads what the guest wrote" "$(head -c 6 "$WORK/disk.img")" "on-vdb"

# A timeout, and a panic (no init in the initrd): as on the PC machine.
run_capture t run "$WORK/c" --machine microvm --timeout 20 -- sleep 600
expect_eq "microvm: timeout exits 124" "$t_rc" 124
run_capture p run "$WORK/c" --machine microvm --timeout 60 --append rdinit=/nonexistent -- true
expect_eq "microvm: a panic exits 125" "$p_rc" 125
expect_match "microvm: the panic is named" "$p_err" "Kernel panic"

# The same appliance on both machines in one bench, with the kernel log collected on both.
run_capture b bench "$WORK/c" --append-b '' --machine pc --machine-b microvm --runs 2 --warmup 0 --json "$WORK/b.json"
expect_eq "bench pc vs microvm: exit 0" "$b_rc" 0
expect_match "bench says which machine each ran on" "$b_out" "B: .*machine microvm"
python3 - "$WORK/b.json" <<'PY' || fail "bench JSON: machines and initcalls on both"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["host"]["machine"] == "pc, microvm", d["host"]
assert [v["machine"] for v in d["variants"]] == ["pc", "microvm"]
for v in d["variants"]:
    assert v["stages"]["initcalls"]["median_ms"] > 0 and v["stages"]["kernel"]["median_ms"] > 0, v["name"]
PY

# A kernel without virtio-mmio (Debian's has it as a module): refused on microvm, pc by default.
A=$(stock_appliance)
run_capture s run "$A" --machine microvm -- true
expect_eq "stock kernel on microvm: leanboot's own failure (125, never a payload's status)" "$s_rc" 125
expect_match "... saying why" "$s_err" "cannot boot on microvm: no microvm: CONFIG_VIRTIO_MMIO is a module, not built in"
run_capture sp run "$A" --debug -- true
expect_match "stock kernel: auto is the PC machine" "$sp_err" "machine pc"
truncate -s 1M "$WORK/d1" "$WORK/d2" "$WORK/d3" "$WORK/d4"
run_capture md run "$WORK/c" --machine microvm --disk "$WORK/d1" --disk "$WORK/d2" --disk "$WORK/d3" --disk "$WORK/d4" -- true
expect_eq "microvm: a fourth --disk is refused (125)" "$md_rc" 125
run_capture m3 run "$WORK/c" --machine microvm --disk "$WORK/d1" --disk "$WORK/d2" --disk "$WORK/d3" --timeout 120 -- sh -c 'echo three > /dev/vdd'
expect_eq "microvm: three extra disks, the third is /dev/vdd" "$m3_rc|$(head -c 5 "$WORK/d3")" "0|three"
run_capture bm run "$WORK/c" --machine mainframe -- true
expect_eq "--machine mainframe: refused (125)" "$bm_rc" 125

# kernel check knows which machines a config boots on.
run_capture kc kernel check "$WORK/kernel/config"
expect_match "kernel check: the cut-down kernel boots on both" "$kc_out" "machines: pc, microvm"
finish
