#!/bin/sh
# Measure the bench's own targets on this machine (figures for a closing note, not a test):
#   1. A/A false verdicts: REPEATS benches of one appliance against itself at --runs 10.
#   2. Distortion: DIST benches of --collection-cost (A without initcall collection, B with,
#      interleaved), --runs 20 each: the ratio of median totals of each, and their median.
#   3. Bench overhead: the bench's own wall time per boot, beyond the boots' host-measured
#      totals (from benches of 10 and 30 boots, so that fixed costs cancel), and its fixed cost.
# Usage: benchmark/targets.sh APPLIANCE [REPEATS] [DIST]   (LEANBOOT=path/to/leanboot)
set -eu
A=$1
REPEATS=${2:-20}
DIST=${3:-5}
LB=${LEANBOOT:-./leanboot}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

false_verdicts=0
for i in $(seq "$REPEATS"); do
    "$LB" -q bench "$A" "$A" --runs 10 --warmup 1 --json "$W/aa$i.json" > "$W/aa$i.out" 2>&1
    v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["comparison"]["total"]["verdict"])' "$W/aa$i.json")
    m=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["comparison"]["total"]["matters"])' "$W/aa$i.json")
    # A verdict that a difference exists and matters; "too small to matter" is not one.
    [ "$m" = True ] && false_verdicts=$((false_verdicts + 1))
    echo "A/A $i: $v"
done
echo "A/A false verdicts: $false_verdicts of $REPEATS (runs 10 each)"

for i in $(seq "$DIST"); do
    "$LB" -q bench "$A" --collection-cost --runs 20 --warmup 1 --json "$W/cc$i.json" >/dev/null 2>&1
done
python3 - "$W" "$DIST" <<'PY'
import json, sys, statistics as st
w, n = sys.argv[1], int(sys.argv[2])
ratios = []
for i in range(1, n + 1):
    d = json.load(open(f"{w}/cc{i}.json"))
    a, b = (v["stages"]["total"] for v in d["variants"])
    c = d["comparison"]["total"]
    ratios.append(b["median_ms"] / a["median_ms"])
    print(f"distortion {i}: median total {a['median_ms']:.1f} ms without collection, {b['median_ms']:.1f} ms with "
          f"({100 * (ratios[-1] - 1):+.2f}%), mins {a['min_ms']:.0f}/{b['min_ms']:.0f} ms, p = {c['p_value']:.3f}")
if ratios:
    print(f"distortion: {100 * (st.median(ratios) - 1):+.2f}% (median of {n} interleaved benches, 20 runs each)")
PY

# Overhead per boot: benches of 10 and of 30 boots; what the second spends beyond its boots,
# less what the first does, is the bench's own time for 20 more boots (the fixed costs, such as
# making the overlay template, asking QEMU its version and measuring the TSC rate, cancel out).
for n in 10 30; do
    start=$(date +%s.%N)
    "$LB" -q bench "$A" --runs "$n" --warmup 0 --json "$W/ovh$n.json" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$start $end" > "$W/ovh$n.time"
done
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
def extra(n):
    start, end = map(float, open(f"{w}/ovh{n}.time").read().split())
    boots = sum(s["total"] for s in json.load(open(f"{w}/ovh{n}.json"))["variants"][0]["samples_ms"])
    return (end - start) * 1000 - boots, boots
e10, b10 = extra(10)
e30, b30 = extra(30)
per_boot = (e30 - e10) / 20
mean_boot = (b30 - b10) / 20
print(f"bench overhead: {per_boot:.1f} ms per boot beyond QEMU's lifetime, {100 * per_boot / mean_boot:.2f}% of a "
      f"{mean_boot:.0f} ms boot; fixed per bench run {e10 - 10 * per_boot:.0f} ms "
      f"(10 boots: {e10:.0f} ms beyond {b10:.0f}; 30 boots: {e30:.0f} ms beyond {b30:.0f})")
PY
