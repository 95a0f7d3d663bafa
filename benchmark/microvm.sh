#!/bin/sh
# QEMU's microvm machine against the PC machine (figures for a closing note, not a test):
#   1. The same cut-down appliance on pc (A) and microvm (B), RUNS + RUNS interleaved boots:
#      the ratios of total and firmware.
#   2. The demo's comparison with the cut-down appliance on microvm: stock kernel on pc (A)
#      against the cut-down kernel on microvm (B): the total ratio.
#   3. The instruction clock: the kernel stage of MICROVM_ONLY (a PCI-free kernel's appliance) on
#      microvm against CUSTOM (base.config) on pc, 3 + 3 boots.
# Usage: benchmark/microvm.sh STOCK CUSTOM [MICROVM_ONLY] [RUNS]   (LEANBOOT=path/to/leanboot)
set -eu
STOCK=$1 CUSTOM=$2 MVM=${3:-} RUNS=${4:-10}
LB=${LEANBOOT:-./leanboot}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ratio() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = d["variants"]
print(f"  A: {v[0]['appliance']} on {v[0]['machine']}, B: {v[1]['appliance']} on {v[1]['machine']}, clock {d['host']['clock']}")
for st in sys.argv[2].split(","):
    c = d["comparison"].get(st)
    a, b = v[0]["stages"].get(st), v[1]["stages"].get(st)
    if not c or not a or not b:
        print(f"  {st:9s} -"); continue
    print(f"  {st:9s} A {a['median_ms']:9.3f}  B {b['median_ms']:9.3f}  B/A {c['ratio']:.3f}  {c['verdict']}")
PY
}
echo "== 1. the cut-down appliance, pc (A) vs microvm (B), $RUNS + $RUNS boots"
"$LB" -q bench "$CUSTOM" --append-b '' --machine pc --machine-b microvm --accel tcg --runs "$RUNS" --json "$W/1.json" >/dev/null 2>&1 || true
ratio "$W/1.json" total,to_ready,firmware,kernel,initcalls,initrd,init,shutdown
echo "== 2. the demo's comparison: stock kernel on pc (A) vs cut-down on microvm (B), $RUNS + $RUNS boots"
"$LB" -q bench "$STOCK" "$CUSTOM" --machine-b microvm --accel tcg --runs "$RUNS" --json "$W/2.json" >/dev/null 2>&1 || true
ratio "$W/2.json" total,firmware,kernel,initcalls
if [ -n "$MVM" ]; then
    echo "== 3. instruction clock: PCI-free kernel on microvm (B) vs base.config kernel on pc (A), 3 + 3 boots"
    "$LB" -q bench "$CUSTOM" "$MVM" --machine pc --machine-b microvm --clock insn --runs 3 --json "$W/3.json" >/dev/null 2>&1 || true
    ratio "$W/3.json" kernel,initcalls,total,firmware
fi
