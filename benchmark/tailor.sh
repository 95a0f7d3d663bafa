#!/bin/sh
# The tailor's targets (figures for a closing note, not a test):
#   1. leanboot kernel tailor from FROM (default base: base.config) with APPLIANCE's payload (the
#      demo's: boot to the lean init and power off) within BUDGET builds (default 12);
#   2. the kernel build of the fragment it wrote (kernel build --fragment: checked option by
#      option), put into the appliance;
#   3. the start's appliance (A) against the tailored one (B), interleaved: the instruction clock
#      (RUNS_INSN + RUNS_INSN boots: exact figures) and the wall clock (RUNS + RUNS: p-values).
# Usage: benchmark/tailor.sh OUTDIR [APPLIANCE] [FROM]   (LEANBOOT=path/to/leanboot; BUDGET, RUNS,
#        RUNS_INSN; EXTRA: more tailor options, e.g. "--cc distcc -j 8")
# The guestfs target: FRAGMENTS=guestfs (added to the start, and to step 2's kernel build) and
# CHECK_HOST=benchmark/guestfs-session.sh (the tailor's --check-host; step 2 runs it again on the
# tailored appliance), with APPLIANCE a libguestfs appliance on the base + guestfs kernel:
#   leanboot -q build --from-supermin-d libguestfs --kernel "$(leanboot kernel build --fragment guestfs)" -o g
#   FRAGMENTS=guestfs CHECK_HOST=$PWD/benchmark/guestfs-session.sh benchmark/tailor.sh OUT g
set -eu
OUT=$1 APP=${2:-} FROM=${3:-base}
LB=${LEANBOOT:-./leanboot}
RUNS=${RUNS:-20} RUNS_INSN=${RUNS_INSN:-3} BUDGET=${BUDGET:-12}
mkdir -p "$OUT"
if [ -z "$APP" ]; then
    K=$("$LB" kernel build)
    "$LB" -q build --kernel "$K" -o "$OUT/start"
    APP=$OUT/start
fi
frags=""
for f in ${FRAGMENTS:-}; do frags="$frags --fragment $f"; done
echo "== 1. kernel tailor --from $FROM$frags --check $APP --budget $BUDGET${CHECK_HOST:+ --check-host $CHECK_HOST}"
t0=$(date +%s)
# shellcheck disable=SC2086
"$LB" kernel tailor --from "$FROM" $frags --check "$APP" ${CHECK_HOST:+--check-host "$CHECK_HOST"} \
    -o "$OUT/tailored.config" --budget "$BUDGET" --json "$OUT/tailor.json" --html "$OUT/tailor.html" ${EXTRA:-} |
    tee "$OUT/tailor.txt"
echo "   ($(($(date +%s) - t0)) s of wall time in this run)"
echo "== 2. the fragment, built by kernel build, into the appliance"
[ "$FROM" = base ] || { echo "   (kernel build starts from base.config: step 2 and 3 only for --from base)"; exit 0; }
# shellcheck disable=SC2086
KT=$("$LB" kernel build $frags --fragment "$OUT/tailored.config")
"$LB" -q build --kernel "$KT" --like "$APP" -o "$OUT/tailored"
if [ -n "${CHECK_HOST:-}" ]; then
    echo "   the host check on the tailored appliance:"
    settings=$("$LB" accel | sed -n 's/^libguestfs: export LIBGUESTFS_BACKEND_SETTINGS=\([^ ]*\).*/\1/p')
    LEANBOOT_APPLIANCE=$OUT/tailored LIBGUESTFS_PATH=$OUT/tailored LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct} \
        LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-$settings} sh -c "$CHECK_HOST"
fi
echo "== 3. A = start, B = tailored, machine pc"
for clock in insn wall; do
    runs=$RUNS; [ "$clock" = insn ] && runs=$RUNS_INSN
    "$LB" -q bench "$APP" "$OUT/tailored" --machine pc --clock "$clock" --runs "$runs" --json "$OUT/$clock.json" \
        >"$OUT/$clock.txt" 2>&1 || true
    python3 - "$OUT/$clock.json" "$clock" "$runs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v, c = d["variants"], d.get("comparison", {})
print(f"  clock {sys.argv[2]}, {sys.argv[3]} + {sys.argv[3]} boots; failed boots: A {v[0]['failed']}, B {v[1]['failed']}")
for st in ("initcalls", "kernel", "total"):
    a, b, k = v[0]["stages"].get(st), v[1]["stages"].get(st), c.get(st)
    if not (a and b and k):
        continue
    p = k.get("p_value")
    print(f"  {st:9s} A {a['median_ms']:9.3f}  B {b['median_ms']:9.3f}  B/A {k['ratio']:.3f}  "
          f"({(1 - k['ratio']) * 100:.1f}% less)  p {'n/a' if p is None else f'{p:.2g}'}  {k['verdict']}")
PY
done
