#!/bin/sh
# Measure the bench's own targets on this machine (figures for a closing note, not a test):
#   1. A/A false verdicts: REPEATS benches of one appliance against itself at --runs 10.
#   2. Distortion: median total with and without initcall collection (interleaved by repeating).
#   3. Bench overhead: wall time per boot beyond the boots' own host-measured totals.
# Usage: benchmark/targets.sh APPLIANCE [REPEATS]   (LEANBOOT=path/to/leanboot)
set -eu
A=$1
REPEATS=${2:-20}
LB=${LEANBOOT:-./leanboot}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
med() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["variants"][0]["stages"]["total"]["median"])' "$1"; }

false_verdicts=0
for i in $(seq "$REPEATS"); do
    "$LB" -q bench "$A" "$A" --runs 10 --warmup 1 --json "$W/aa$i.json" > "$W/aa$i.out" 2>&1
    v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["comparison"]["total"]["verdict"])' "$W/aa$i.json")
    case "$v" in "no significant difference"*) ;; *) false_verdicts=$((false_verdicts + 1)) ;; esac
    echo "A/A $i: $v"
done
echo "A/A false verdicts: $false_verdicts of $REPEATS (runs 10 each)"

for i in 1 2 3; do
    "$LB" -q bench "$A" --runs 10 --warmup 1 --no-initcalls --json "$W/off$i.json" >/dev/null 2>&1
    "$LB" -q bench "$A" --runs 10 --warmup 1 --json "$W/on$i.json" >/dev/null 2>&1
    echo "distortion $i: median total without collection $(med "$W/off$i.json") ms, with $(med "$W/on$i.json") ms"
done
python3 - "$W" <<'PY'
import json, sys, statistics as st
w = sys.argv[1]
def med(name): return json.load(open(f"{w}/{name}.json"))["variants"][0]["stages"]["total"]["median"]
off = st.median([med(f"off{i}") for i in (1, 2, 3)]); on = st.median([med(f"on{i}") for i in (1, 2, 3)])
print(f"distortion: {100 * (on - off) / off:+.2f}% (median of 3 benches: {off:.1f} ms without, {on:.1f} ms with)")
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
