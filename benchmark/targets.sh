#!/bin/sh
# Measure the bench's own targets on this machine (figures for a closing note, not a test):
#   1. A/A false verdicts: REPEATS benches of one appliance against itself at --runs 10.
#   2. Distortion: DIST benches of --collection-cost (A without initcall collection, B with,
#      interleaved), --runs 20 each: the ratio of median totals of each, and their median.
#   3. Bench overhead: wall time per boot beyond the boots' own host-measured totals.
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
    case "$v" in "no significant difference"*) ;; *) false_verdicts=$((false_verdicts + 1)) ;; esac
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
    ratios.append(b["median"] / a["median"])
    print(f"distortion {i}: median total {a['median']:.1f} ms without collection, {b['median']:.1f} ms with "
          f"({100 * (ratios[-1] - 1):+.2f}%), mins {a['min']:.0f}/{b['min']:.0f} ms, p = {c['p_value']:.3f}")
print(f"distortion: {100 * (st.median(ratios) - 1):+.2f}% (median of {n} interleaved benches, 20 runs each)")
PY

start=$(date +%s.%N)
"$LB" -q bench "$A" --runs 20 --warmup 0 --json "$W/ovh.json" >/dev/null 2>&1
end=$(date +%s.%N)
python3 - "$W/ovh.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); wall = (float(sys.argv[3]) - float(sys.argv[2])) * 1000
boots = sum(s["total"] for s in d["variants"][0]["samples"])
print(f"bench overhead: {100 * (wall - boots) / boots:.2f}% of boot wall time "
      f"({wall:.0f} ms for 20 boots whose totals sum to {boots:.0f} ms)")
PY
