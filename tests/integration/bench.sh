#!/bin/sh
# leanboot bench on the cut-down kernel's appliance (about a second a boot under TCG):
# A/A gives no verdict; a hook that sleeps 300 ms is found, and its cost measured within 30% of 300 ms.
TIMING_SENSITIVE=1   # boots alone: its checks are timings
. "$(dirname "$0")/lib.sh"
requires python3 make gcc
K=$(custom_kernel)
printf '#!/bin/sh\nexec sleep 0.3\n' > "$WORK/sleep300"
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/a" || fail "build A"
"$LEANBOOT" -q build --kernel "$K" --hook "$WORK/sleep300" -o "$WORK/b" || fail "build B"

# A/A: significant at p < 0.01 by chance alone in about 1 bench of 100.  A fresh bench follows
# a significant one, and the check fails only when both are: a false alarm rate of about 1 in
# 10,000 (the two benches' boots are independent), while a real A/A bias fails both.
aa_verdict() { printf '%s\n' "$1" | grep -q "verdict (total): no significant difference"; }
run_capture aa bench "$WORK/a" "$WORK/a" --runs 10 --warmup 1 --json "$WORK/aa.json" --html "$WORK/aa.html"
expect_eq "A/A: exit 0" "$aa_rc" 0
if aa_verdict "$aa_out"; then
    pass "A/A: no significant difference in total"
else
    echo "A/A: a significant difference in the first bench; a fresh bench decides" >&2
    run_capture aa2 bench "$WORK/a" "$WORK/a" --runs 10 --warmup 1
    aa_verdict "$aa2_out" && pass "A/A: no significant difference in total (second bench)" ||
        fail "A/A: two benches in a row found a significant difference: $(printf '%s\n' "$aa_out" "$aa2_out" | grep 'verdict (total)')"
fi
python3 "$(dirname "$0")/check-bench-json.py" "$WORK/aa.json" 2 && pass "A/A JSON has every key" || fail "A/A JSON keys"
expect_match "accelerator, machine and QEMU printed" "$aa_out" "host: accel (tcg|kvm), machine (pc|microvm), QEMU emulator version"
# The warm-up's log sizes the timed boots' ring buffer: the cut-down kernel's log fits its own.
expect_match "ring buffer sized from the warm-up" "$aa_err" "bench: A's kernel log is [0-9]+ KB: log_buf_len=(64|128)K for the timed boots"
expect_no_match "no wrapped ring buffer" "$aa_err" "ring buffer wrapped"

run_capture d bench "$WORK/a" "$WORK/b" --runs 10 --warmup 1 --json "$WORK/d.json" --html "$WORK/d.html"
expect_eq "delay: exit 0" "$d_rc" 0
expect_match "delay: B is slower" "$d_out" "verdict \(total\): B is [0-9]+ ms slower"
# What B adds is at least the 300 ms sleep and at most the hook stage as B measured it (the sleep
# plus starting sh and sleep: under TCG 85 ms more, 167 ms more on a loaded host).  The estimate
# must fall within 30% of 300 ms (90 ms) of that range: [210, hooks + 90].
read diff hooks <<EOF2
$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["comparison"]["total"]["diff_ms"]), round(d["variants"][1]["stages"]["hooks"]["median_ms"]))' "$WORK/d.json")
EOF2
# A sleep of 300 ms cannot take less; how much more depends on the machine's load.
[ "$hooks" -ge 300 ] && pass "delay: the hook stage is $hooks ms (>= 300)" || fail "delay: hook stage $hooks ms, under 300"
if [ "$diff" -ge 210 ] && [ "$diff" -le $((hooks + 90)) ]; then
    pass "delay: estimated $diff ms for a 300 ms sleep in a $hooks ms hook stage (within [210, $((hooks + 90))])"
else
    fail "delay: estimated $diff ms for a 300 ms sleep in a $hooks ms hook stage (outside [210, $((hooks + 90))])"
fi
python3 "$(dirname "$0")/check-bench-json.py" "$WORK/d.json" 2 && pass "delay JSON has every key" || fail "delay JSON keys"
html=$(cat "$WORK/d.html")
expect_match "HTML: verdict" "$html" "class=\"verdict\">total: B is [0-9]+ ms slower"
expect_match "HTML: boot chart and initcall timeline" "$html" "<svg xmlns.*"
expect_no_match "HTML: no external resources" "$html" "(src|href)=\"(https?:)?//"
# The report as a reader sees it, in a real browser: it renders without a console message, with
# its charts (a boot chart, a timeline per variant) labelled, and its tables.
if browser_render "$WORK/d.html" d; then
    expect_eq "browser: the page logs nothing to its console" "$(cat "$WORK/d.console")" ""
    dom=$(cat "$WORK/d.dom")
    expect_eq "browser: three charts (boot chart, two timelines)" "$(grep -o '<svg' "$WORK/d.dom" | wc -l)" 3
    expect_match "browser: the boot chart's time axis says its unit" "$dom" "stage medians laid end to end \(ms\)"
    expect_match "browser: the timelines' axis says its unit" "$dom" "kernel time \(ms\)"
    expect_match "browser: a legend says what the colours mean" "$dom" "in both, no change beyond the noise \([0-9]+\)"
    expect_match "browser: the initcall table is cut, the rest counted" "$dom" "[0-9]+ more initcalls changed less"
    expect_match "browser: sub-stages indented under their stage" "$dom" "<td class=\"part\">mounts</td>"
    [ -s "$WORK/d.png" ] && pass "browser: a screenshot for a person to look at ($WORK/d.png)" || fail "browser: no screenshot"
else
    fail "browser: chromium could not render $WORK/d.html: $(tail -3 "$WORK/d.log")"
fi
# Off a terminal the progress is plain lines, the last with every boot counted (10 runs and a
# warm-up of each variant).
expect_match "progress in a log: a plain last line" "$d_err" "leanboot: bench: 22/22 boots, [0-9]+ s elapsed"
expect_no_match "progress in a log: no terminal control codes" "$d_err" "$(printf '\033')"
# On a terminal the progress line is cleared before any other message: never "ETA 0m03sleanboot: ...".
if command -v script >/dev/null; then
    script -qefc "'$LEANBOOT' bench '$WORK/a' --runs 2 --warmup 1" "$WORK/tty.out" >/dev/null 2>&1
    tty_out=$(cat "$WORK/tty.out")
    expect_match "terminal: the progress line was drawn" "$tty_out" "bench: [0-9]+/3 boots"
    expect_match "terminal: a message came while it was" "$tty_out" "A's kernel log is [0-9]+ KB"
    expect_no_match "terminal: no message glued to the progress line" "$tty_out" "(ETA [0-9]+m[0-9]+s|elapsed)leanboot:"
fi
# An A/A run: the same appliance twice, so no initcall is slower or faster beyond the noise.
[ -s "$WORK/aa.html" ] && pass "A/A: an HTML report" || fail "A/A: no HTML report"
expect_match "A/A: the initcall table is there" "$(cat "$WORK/aa.html")" "Initcall diff"
expect_no_match "A/A: no initcall tagged slower or faster" "$(cat "$WORK/aa.html")" "<td>(slower|faster)</td>"

# One variant: summaries, no comparison.
run_capture one bench "$WORK/a" --runs 2 --warmup 0 --json "$WORK/one.json" --logs "$WORK/logs"
python3 "$(dirname "$0")/check-bench-json.py" "$WORK/one.json" 1 && pass "one-variant JSON" || fail "one-variant JSON"
# --logs: each timed boot's kernel log, as it came back, for analyze.
expect_eq "--logs: one log per timed boot" "$(ls "$WORK/logs" | tr '\n' ' ')" "A-01.log A-02.log "
run_capture an analyze "$WORK/logs/A-01.log"
expect_match "--logs: analyze reads a kept log" "$an_out" "^[0-9]+ initcalls, total"
expect_match "--logs: the kept log has the kernel's early initcalls, timed from timestamps" "$an_out" "ran while the kernel kept time with the tick"

# What collecting costs: A without, B with; only B has initcalls, and they came through the
# root overlay's tail.
run_capture cc bench "$WORK/a" --collection-cost --runs 2 --warmup 0 --json "$WORK/cc.json"
expect_eq "--collection-cost: exit 0" "$cc_rc" 0
expect_match "--collection-cost: the variants are labelled" "$cc_out" "A: .*without collection.*
B: .*with initcall collection"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a,b=d["variants"]; print("initcalls" in a["stages"], b["initcalls"]["count"] > 100)' "$WORK/cc.json")
expect_eq "--collection-cost: initcalls in B only" "$got" "False True"
expect_no_match "--collection-cost: no missing log" "$cc_err" "no kernel log came back"
finish
