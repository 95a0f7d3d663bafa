#!/bin/sh
# The instruction clock's targets on this machine (figures for a closing note, not a test):
#   1. Determinism under load: an A/A bench of each appliance, --clock insn, --runs RUNS (so
#      2 x RUNS boots), while a CPU hog runs on the other core: per-stage spread (max - min) /
#      median over all boots, and the A/A verdicts.
#   2. A/A false verdicts: REPEATS A/A benches of the cut-down appliance (3 + 3 boots, insn):
#      how many claim a difference that matters (p < 0.01 and over --min-effect).
#   3. Sensitivity: CUSTOM against itself with B_APPEND (a kernel argument whose kernel-stage
#      cost is about 1%), 3 + 3 boots, once with --clock insn and once with --clock wall.
#   4. The proxy: the stock kernel's top 20 initcalls by wall time (TCG) and by instruction-time,
#      medians over RUNS boots each, side by side with Spearman's rank correlation.
# Usage: benchmark/insn-clock.sh STOCK CUSTOM [RUNS] [REPEATS] [B_APPEND]   (LEANBOOT=path/to/leanboot)
set -eu
STOCK=$1 CUSTOM=$2
RUNS=${3:-10}
REPEATS=${4:-20}
B_APPEND=${5:-log_buf_len=4M}
LB=${LEANBOOT:-./leanboot}
W=$(mktemp -d)
hog=
trap '[ -n "$hog" ] && kill $hog 2>/dev/null; rm -rf "$W"' EXIT

echo "== 1. determinism: A/A, --clock insn, $RUNS + $RUNS boots each, a CPU hog beside"
sh -c 'while :; do :; done' &
hog=$!
for app in "$CUSTOM" "$STOCK"; do
    n=$(basename "$app")
    "$LB" -q bench "$app" --append-b '' --clock insn --runs "$RUNS" --warmup 1 --json "$W/det-$n.json" >"$W/det-$n.out" 2>&1 || true
    python3 - "$W/det-$n.json" "$app" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: clock {d['host']['clock']}, {sum(len(v['samples_ms']) for v in d['variants'])} boots")
for st in ("kernel", "initcalls", "firmware", "initrd", "init", "payload", "total"):
    xs = [s[st] for v in d["variants"] for s in v["samples_ms"] if s.get(st) is not None]
    if not xs:
        continue
    xs.sort()
    med = xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
    c = d["comparison"].get(st, {})
    print(f"  {st:10s} median {med:10.3f} insn-ms  min {xs[0]:10.3f}  max {xs[-1]:10.3f}  spread {100 * (xs[-1] - xs[0]) / med:7.3f}%"
          f"  A/A: {c.get('verdict', '-')}")
PY
done
kill $hog; hog=

echo "== 2. A/A false verdicts: $REPEATS benches of $CUSTOM, 3 + 3 boots, --clock insn"
false=0
for i in $(seq "$REPEATS"); do
    "$LB" -q bench "$CUSTOM" --append-b '' --clock insn --runs 3 --warmup 0 --json "$W/aa$i.json" >/dev/null 2>&1 || true
    m=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["comparison"]; print(sum(1 for s in ("total","kernel","initcalls") if c[s]["matters"]))' "$W/aa$i.json")
    [ "$m" -gt 0 ] && false=$((false + 1))
done
echo "A/A benches with a difference that matters (total, kernel or initcalls): $false of $REPEATS"

echo "== 3. sensitivity: B = A + '$B_APPEND', 3 + 3 boots"
for clock in insn wall; do
    "$LB" -q bench "$CUSTOM" --append-b "$B_APPEND" --clock "$clock" --accel tcg --runs 3 --warmup 1 --json "$W/sens-$clock.json" >/dev/null 2>&1 || true
    python3 - "$W/sens-$clock.json" "$clock" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["comparison"]["kernel"]
print(f"  {sys.argv[2]:4s} kernel stage: B/A {c['ratio']:.4f}, effect {c['effect_pct']:+.2f}%, p = {c['p_value']:.2g}: {c['verdict']}")
PY
done

echo "== 4. the proxy: stock kernel initcalls, wall (TCG) vs instruction-time, $RUNS boots each"
for clock in wall insn; do
    "$LB" -q bench "$STOCK" --clock "$clock" --accel tcg --runs "$RUNS" --warmup 1 --logs "$W/logs-$clock" >/dev/null 2>&1 || true
    for l in "$W/logs-$clock"/*.log; do "$LB" analyze "$l" --json "$l.json" >/dev/null 2>&1; done
done
python3 - "$W" <<'PY'
import glob, json, statistics as st, sys
w = sys.argv[1]
def medians(clock):
    per = {}
    for f in glob.glob(f"{w}/logs-{clock}/*.log.json"):
        seen = {}
        for r in json.load(open(f))["list"]:
            k = (r["name"], r["module"]); seen[k] = seen.get(k, -1) + 1
            per.setdefault(k + (seen[k],), []).append(r["duration_us"] / 1000)
    return {k: st.median(v) for k, v in per.items()}
wall, insn = medians("wall"), medians("insn")
keys = [k for k in wall if k in insn]
def ranks(d):
    order = sorted(keys, key=lambda k: -d[k]); return {k: i + 1 for i, k in enumerate(order)}
rw, ri = ranks(wall), ranks(insn)
n = len(keys)
rho = 1 - 6 * sum((rw[k] - ri[k]) ** 2 for k in keys) / (n * (n * n - 1))
top = sorted(keys, key=lambda k: -wall[k])[:20]
# Within the top 20, ranked again among themselves on each clock.
t_wall = {k: i + 1 for i, k in enumerate(top)}
t_insn = {k: i + 1 for i, k in enumerate(sorted(top, key=lambda k: -insn[k]))}
m = len(top)
rho20 = 1 - 6 * sum((t_wall[k] - t_insn[k]) ** 2 for k in top) / (m * (m * m - 1)) if m > 1 else float("nan")
print(f"| # | initcall | wall ms (TCG) | insn-ms | insn rank |")
print(f"|---|---|---|---|---|")
for i, k in enumerate(top):
    print(f"| {i + 1} | {k[0]}{' [' + k[1] + ']' if k[1] else ''} | {wall[k]:.2f} | {insn[k]:.2f} | {ri[k]} |")
print(f"Spearman's rank correlation over all {n} initcalls: {rho:.3f}; over the top 20 by wall time: {rho20:.3f}")
print(f"totals: wall {sum(wall.values()):.1f} ms, insn {sum(insn.values()):.1f} insn-ms")
PY
