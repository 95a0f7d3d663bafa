#!/bin/sh
# leanboot kernel tailor, when a cost is work that a kworker runs while the initcalls wait.  The
# start is base.config with ftrace's event tracing: FTRACE, and ENABLE_DEFAULT_TRACERS, which
# selects TRACING (as does UPROBE_EVENTS, on by default with them).  trace_eval_init queues
# eval_map_work_func, which rewrites the print format of every trace event in a kworker; on the
# guest's one CPU its time shows up in whichever initcalls sleep meanwhile.  The map's traced
# boot (sched_switch and workqueue events printed into the log) sees the work, takes it out of
# those initcalls, and proposes TRACING for it; kconfig keeps TRACING on (it has no prompt), so
# what selects it, ENABLE_DEFAULT_TRACERS with UPROBE_EVENTS, is cut instead, and a build drops
# them.
. "$(dirname "$0")/lib.sh"
tailor_from_base "event tracing" CONFIG_FTRACE=y CONFIG_ENABLE_DEFAULT_TRACERS=y -- --keep SLUB --budget 2
expect_match "the traced boot finds the background work" "$err" \
    "background work: [0-9.]+ ms of the initcalls' time was queued work that an option owns, run by kworkers meanwhile \(a traced boot, [0-9]+ events"
taken=$(printf '%s\n' "$err" | sed -n "s/.*background work: \([0-9.]*\) ms of the initcalls' time.*/\1/p" | head -1)
expect_eq "some of it was taken out of the timed boot's initcalls (${taken:-?} ms, at least 1)" \
    "$(python3 -c 'import sys; print(float(sys.argv[1] or 0) >= 1.0)' "${taken:-0}")" True
expect_match "eval_map_work_func is TRACING's" "$err" \
    "background work of CONFIG_TRACING: [0-9.]+ ms \(eval_map_work_func [0-9.]+ ms \(kernel/trace/trace.o\)"
expect_match "what selects TRACING is proposed" "$err" \
    "CONFIG_ENABLE_DEFAULT_TRACERS +[0-9.]+ ms +to try; proposed as it keeps TRACING on, with UPROBE_EVENTS"
run=$(printf '%s\n' "$err" | sed -n 's/.*, state \(.*\)\/state.json$/\1/p' | head -1)
expect_match "the traced boot's log has the workqueue events" "$(cat "$run/k1/logs-traced/A-01.log" 2>&1)" \
    "workqueue_execute_start: work struct [^:]+: function eval_map_work_func"
# the same log, mapped by hand: kernel map shows the work and takes it out of the initcalls
tree=$(printf '%s\n' "$err" | sed -n 's/.*tailor: tree \(.*\), state .*/\1/p' | head -1)
map=$("$LEANBOOT" kernel map "$tree/obj" "$run/k1/logs-traced/A-01.log" --top 5 2>&1)
expect_match "kernel map: the background work section" "$map" \
    "background work \([0-9]+ trace events\): [0-9.]+ ms of the initcalls' time, the work an option owns, taken out of the initcalls above"
expect_match "kernel map: eval_map_work_func in trace.o, TRACING's" "$map" \
    "eval_map_work_func +[0-9.]+ +kernel/trace/trace.o +CONFIG_TRACING "
frag=$(cat "$WORK/cut.config")
for o in ENABLE_DEFAULT_TRACERS UPROBE_EVENTS TRACING; do
    expect_match "fragment: $o off" "$frag" "^# CONFIG_$o is not set$"
done
# the report: what is left of the kernel stage outside the initcalls, which the tailor does not weigh
expect_match "report: the kernel stage outside the initcalls, start and final" "$(cat "$WORK/t.out")" \
    "^kernel stage outside the initcalls: start [0-9.]+ of [0-9.]+, final [0-9.]+ of [0-9.]+ \(a map's boot of each\)$"
expect_match "report: the final kernel's longest stretches there" "$(cat "$WORK/t.out")" \
    "^ +[0-9]+\.[0-9]{3}  after  .+$"
BG_MS=$(printf '%s\n' "$err" | sed -n 's/.*background work of CONFIG_TRACING: \([0-9.]*\) ms.*/\1/p' | head -1)
export BG_MS=${BG_MS:-0}
tailor_json_checks "$WORK/t.json" <<'PY'
t, e = o["CONFIG_TRACING"], o["CONFIG_ENABLE_DEFAULT_TRACERS"]
import os
bg = float(os.environ["BG_MS"])
say("TRACING carries the background work's cost (%.3f ms of %.3f)" % (bg, t["cost_ms"]), t["cost_ms"] >= bg >= 1.0)
say("ENABLE_DEFAULT_TRACERS dropped by build 2, with UPROBE_EVENTS", e["status"] == "dropped" and e["build"] == 2
    and "CONFIG_UPROBE_EVENTS" in e["with"])
say("build 2 faster than the start", d["trials"][1]["result"] == "faster" and d["final"]["initcalls_ms"] < d["start"]["initcalls_ms"])
say("TRACING is off with it", t["status"] == "dropped" and t["build"] == 2)
# the kernel stage of a map's boot of each: on the instruction clock, the measured boot's
ks = d["kernel_stage"]
for side, m in (("start", d["start"]), ("final", d["final"])):
    k = ks[side]
    say("kernel stage of the %s: %.3f ms to /init, as measured (%.3f)" % (side, k["end_ms"], m["kernel_ms"]),
        k["reached_init"] and abs(k["end_ms"] - m["kernel_ms"]) <= 0.005 * m["kernel_ms"])
    say("%s: outside the initcalls %.3f = %.3f - %.3f, from the kernel's first line (%.3f)" % (side, k["outside_ms"], k["end_ms"],
        m["initcalls_ms"], k["first_ms"]), k["first_ms"] == 0 and abs(k["outside_ms"] - (k["end_ms"] - m["initcalls_ms"])) <= 0.005 * k["end_ms"])
for side in ("start", "final"):
    st = ks[side]["stretches"]
    say("the %s kernel's three longest stretches, the longest first, each between two lines" % side,
        len(st) == 3 and all(s["duration_ms"] > 0 and s["after"] and s["before"] for s in st)
        and st[0]["duration_ms"] >= st[1]["duration_ms"] >= st[2]["duration_ms"]
        and sum(s["duration_ms"] for s in st) <= ks[side]["outside_ms"] + 0.5)
PY
finish
