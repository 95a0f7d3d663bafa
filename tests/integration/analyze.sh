#!/bin/sh
# leanboot analyze on the real Debian 6.1 log: table, totals, the kernel stage, JSON and SVG; a log
# without records.
. "$(dirname "$0")/lib.sh"
requires python3
LOG="$FIXTURES/debian-6.1-stock-tcg-initcall_debug.log"
run_capture a analyze "$LOG" --top 5 --json "$WORK/a.json" --svg "$WORK/a.svg"
expect_eq "exit 0" "$a_rc" 0
expect_match "count and total" "$a_out" "^670 initcalls, total 847\.938 ms, userspace started at 1998\.625 ms$"
expect_match "slowest first" "$(printf '%s\n' "$a_out" | sed -n 2p)" "^crypto_algapi_init +192\.244 +22\.7%$"
expect_eq "5 rows + header + totals + the tick note, then the kernel stage" "$(printf '%s\n' "$a_out" | sed '/^$/q' | wc -l)" 9
# The kernel stage outside the initcalls (1998.625 - 847.938 ms), and its longest stretches.
expect_match "kernel stage: to /init, outside and in the initcalls" "$a_out" \
    "^kernel stage: Run /init at 1998\.625 ms, 1150\.687 ms of it outside the boot initcalls \(847\.938 in them\)$"
expect_match "the longest stretch, and the line before it" "$a_out" "^   231\.315    298\.587  x86/fpu: x87 FPU will use FXSAVE$"
expect_match "... and the line after it" "$a_out" "^ {23}Freeing SMP alternatives memory: 36K$"
expect_match "DEBUG_WX's page-table walk third" "$(printf '%s\n' "$a_out" | sed -n '/longest stretches/,$p' | sed -n 7,8p | tr '\n' '|')" \
    "^ +97\.363 +1900\.645  Freeing unused kernel image \(rodata/data gap\) memory: 1108K\| +x86/mm: Checked W\+X mappings"
expect_eq "five stretches by default" "$(printf '%s\n' "$a_out" | sed -n '/longest stretches/,$p' | wc -l)" $((2 + 2 * 5))
expect_match "the 285 tick-timed initcalls are said so" "$a_out" "^285 initcall\(s\) ran while the kernel kept time with the tick .* less 154 us for each 'calling' line$"
json=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["schema_version"], d["initcalls"]["count"], d["initcalls"]["total_us"], len(d["list"]), sorted(d["list"][0]))' "$WORK/a.json")
expect_eq "JSON: count, total, list keys" "$json" "2 670 847938 670 ['duration_us', 'module', 'name', 'start_us']"
json=$(python3 -c 'import json,sys; k=json.load(open(sys.argv[1]))["kernel_stage"]; s=k["stretches"]
print(k["end_us"], k["reached_init"], k["outside_us"], len(s), s[0]["duration_us"], s[0]["start_us"], s[0]["after"], "|", s[1]["before"])' "$WORK/a.json")
expect_eq "JSON: the kernel stage and its stretches" "$json" \
    "1998625.0 True 1150687.0 5 231315.0 298587.0 x86/fpu: x87 FPU will use FXSAVE | smpboot: CPU0: AMD QEMU Virtual CPU version 2.5+ (family: 0xf, model: 0x6b, stepping: 0x1)"
run_capture s0 analyze "$LOG" --top 1 --stretches 0
expect_match "--stretches 0: the kernel stage's total" "$s0_out" "^kernel stage: Run /init at 1998\.625 ms"
expect_no_match "--stretches 0: no stretch listed" "$s0_out" "longest stretches"
run_capture sb analyze "$LOG" --stretches -1
expect_eq "--stretches -1: usage error" "$sb_rc" 2
expect_match "--stretches -1: says what is wrong" "$sb_err" "^leanboot: error: analyze: --stretches '-1': expected a number, 0 or more$"
svg=$(cat "$WORK/a.svg")
expect_match "SVG: an svg document with bars" "$svg" "^<svg xmlns"
expect_match "SVG: crypto_algapi_init has a bar" "$svg" "<title>crypto_algapi_init: 192\.244 ms"
python3 -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' "$WORK/a.svg" && pass "SVG is well-formed XML" || fail "SVG is not well-formed"
# Every initcall is drawn (670 with a start time in the top row), the 40 longest named, ticks round.
expect_eq "SVG: all 670 initcalls drawn" "$(grep -c '<rect .*<title>' "$WORK/a.svg")" $((670 + 40))
expect_match "SVG: the longest named beside its bar" "$svg" ">crypto_algapi_init 192\.2 ms</text>"
expect_match "SVG: round ticks (400)" "$svg" ">400</text>"
expect_match "SVG: round ticks (1800)" "$svg" ">1800</text>"
expect_match "SVG: a legend" "$svg" "built in \(boot initcall\) \(670\)"
if browser_render "$WORK/a.svg" svg; then
    expect_no_match "browser: the SVG parses" "$(cat "$WORK/svg.dom")" "This page contains the following errors"
    expect_eq "browser: the SVG logs nothing" "$(cat "$WORK/svg.console")" ""
else
    fail "browser: chromium could not render $WORK/a.svg"
fi
# Stdin, with the timestamps stripped and a truncated last line.
sed -e 's/^\[[^]]*\] //' "$LOG" | head -c 60000 > "$WORK/cut.log"
run_capture c analyze - < "$WORK/cut.log"
expect_match "no timestamps, truncated: still parsed" "$c_out" "^[0-9]+ initcalls, total"
expect_no_match "no timestamps: no kernel stage" "$c_out" "kernel stage"
# A NUL byte in the log (the audit's: 670 initcalls became 247, exit 0, no warning): read as a
# line end, all records kept, and said.
python3 - "$LOG" "$WORK/nul.log" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"\n", len(d) // 3)
open(sys.argv[2], "wb").write(d[:i] + b"\0" + d[i:])
PY
run_capture z analyze "$WORK/nul.log"
expect_match "a NUL byte: every record still read" "$z_out" "^670 initcalls, total 847\.938 ms"
expect_match "a NUL byte: said" "$z_err" "holds 1 NUL byte\(s\): read as line ends"
# Not a log: an endless device and a gigabyte of holes are refused, not read whole into memory.
run_capture dz analyze /dev/zero
expect_eq "/dev/zero: usage error" "$dz_rc" 2
expect_match "/dev/zero: says why" "$dz_err" "is over 64 MiB: not a kernel log"
truncate -s 1G "$WORK/sparse.log"
run_capture sp analyze "$WORK/sparse.log"
expect_eq "a 1 GiB sparse file: usage error" "$sp_rc" 2
run_capture n analyze /etc/hostname
expect_eq "no initcall records: exit 1" "$n_rc" 1
expect_match "no initcall records: says so" "$n_err" "no initcall records in '/etc/hostname'"
finish
