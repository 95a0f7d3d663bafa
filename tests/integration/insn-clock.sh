#!/bin/sh
# The instruction clock (--clock insn), the CI gate (--fail-if-slower) and the boot-time history
# (bench --record, leanboot history), on the cut-down kernel (fast under icount).
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex python3 sqlite3
K=$(custom_kernel)
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/c" || fail "build on the custom kernel"

# run: the markers carry the TSC, and --debug shows the stages on the instruction clock.
run_capture r run "$WORK/c" --clock insn --debug --timeout 120 -- echo hi
expect_eq "run --clock insn: payload output" "$(printf '%s' "$r_out" | tr -d '\r')" "hi"
expect_match "run --clock insn: icount's TSC rate told to the kernel" "$r_err" "tsc_early_khz=1000000"
expect_match "run --clock insn: markers carry the TSC" "$r_err" "leanboot: stage=payload t_us=[0-9]* tsc=[0-9]"
expect_match "run --clock insn: stages on the instruction clock, labelled" "$r_err" "instruction clock.*1 instruction at 1 ns; not wall time"
run_capture k run "$WORK/c" --clock insn --accel kvm -- true
expect_eq "run --clock insn --accel kvm: refused (125)" "$k_rc" 125
expect_match "--clock insn --accel kvm: says why" "$k_err" "only TCG can do"
run_capture bad run "$WORK/c" --clock sundial -- true
expect_eq "run --clock sundial: refused (125)" "$bad_rc" 125

# An A/A bench on the instruction clock: the kernel stage and the initcalls repeat exactly
# enough that their spread is under 0.5%, neither "matters", and the gate passes.  The total
# does not repeat so: the firmware and the initrd wait for the host (the disk's reads, QEMU's
# timers), and with the host busy an A/A total once differed by 7.6% (p = 0.005).
DB="$WORK/history.db"
run_capture aa bench "$WORK/c" --append-b '' --clock insn --runs 3 --warmup 0 --json "$WORK/aa.json" --html "$WORK/aa.html" \
        --fail-if-slower 1 --stage kernel --record="$DB" --label aa
expect_eq "A/A insn bench with a gate: exit 0" "$aa_rc" 0
expect_match "bench says its clock" "$aa_out" "clock: insn .instruction-time: 1 unit = 1 instruction at 1 ns; not wall time"
expect_match "stage table in insn-ms with a spread column" "$aa_out" "stage .insn-ms. .*spread.*99% CI"
expect_match "gate passes" "$aa_out" "gate .kernel, fail if B is slower by more than 1%.: pass"
expect_match "recorded" "$aa_out" "history: recorded as bench 1 in $DB"
python3 - "$WORK/aa.json" <<'PY' || fail "A/A insn JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["host"]["clock"] == "insn" and "not wall time" in d["host"]["clock_unit"], d["host"]
for v in d["variants"]:
    for st in ("kernel", "initcalls"):
        s = v["stages"][st]
        assert s["spread_pct"] is not None and s["spread_pct"] <= 0.5, (v["name"], st, s)
c = d["comparison"]
for st in ("kernel", "initcalls"):
    assert len(c[st]["ci99_ms"]) == 2 and not c[st]["matters"], (st, c[st])
assert len(c["total"]["ci99_ms"]) == 2, c["total"]
PY
grep -q "1 unit = 1 instruction at 1 ns; not wall time" "$WORK/aa.html" || fail "the HTML says what instruction-time is"

# A real difference the gate must catch: loglevel=8 on B's kernel command line prints every
# kernel message on the serial console, a known and large kernel-stage cost.
run_capture g bench "$WORK/c" --append-b 'loglevel=8' --clock insn --runs 2 --warmup 0 \
        --fail-if-slower 1 --stage kernel --record="$DB" --label slower
expect_eq "gate: B slower on the kernel stage: exit 3" "$g_rc" 3
expect_match "gate says FAIL" "$g_out" "gate .kernel, fail if B is slower by more than 1%.: FAIL: B is .* insn-ms slower"
run_capture g2 bench "$WORK/c" --append-b 'loglevel=8' --clock insn --runs 2 --warmup 0 \
        --fail-if-slower 1000 --stage kernel
expect_eq "gate: a limit above the change passes" "$g2_rc" 0
run_capture gs bench "$WORK/c" --fail-if-slower 5 --runs 2
expect_eq "--fail-if-slower without B: usage error" "$gs_rc" 2
run_capture st bench "$WORK/c" --append-b x --fail-if-slower 5 --stage nosuch --runs 2
expect_eq "--stage nosuch: usage error" "$st_rc" 2
run_capture rb bench "$WORK/c" --runs 2 --record=/proc/nope/h.db
expect_eq "--record into an impossible place: refused before booting" "$rb_rc" 2
run_capture nv bench "$WORK/c" --append-b '' --no-initcalls --clock insn --runs 2 --warmup 0 --fail-if-slower 1 --stage initcalls
expect_eq "a gate on a stage with no figures: exit 1, not a pass" "$nv_rc" 1
expect_match "a gate on a stage with no figures says so" "$nv_err" "gate: no comparison on stage initcalls"
# Someone else's SQLite database, and a history from a newer leanboot: refused, and left alone.
sqlite3 "$WORK/other.db" 'CREATE TABLE t (x); INSERT INTO t VALUES (42);'
run_capture od bench "$WORK/c" --runs 2 --record="$WORK/other.db"
expect_eq "--record into someone else's database: refused" "$od_rc" 2
expect_match "... saying why" "$od_err" "not a leanboot history database"
expect_eq "... and left alone" "$(sqlite3 "$WORK/other.db" "SELECT group_concat(name) FROM sqlite_master")" "t"
sqlite3 "$WORK/newer.db" "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '99');"
run_capture nd bench "$WORK/c" --runs 2 --record="$WORK/newer.db"
expect_match "--record into a newer schema: refused" "$nd_err" "schema version 99, newer than this leanboot's 1"
expect_eq "... and left alone" "$(sqlite3 "$WORK/newer.db" "SELECT group_concat(name) FROM sqlite_master")" "meta,sqlite_autoindex_meta_1"

# Two benches recording into one database at once: both land whole, the database stays sound.
"$LEANBOOT" bench "$WORK/c" --clock insn --runs 2 --warmup 0 --no-initcalls --record="$DB" --label c1 >"$WORK/c1.out" 2>&1 &
p1=$!
"$LEANBOOT" bench "$WORK/c" --clock insn --runs 2 --warmup 0 --no-initcalls --record="$DB" --label c2 >"$WORK/c2.out" 2>&1 &
p2=$!
wait $p1 || fail "concurrent bench 1 ($(tail -n 3 "$WORK/c1.out"))"
wait $p2 || fail "concurrent bench 2 ($(tail -n 3 "$WORK/c2.out"))"
expect_eq "integrity after two concurrent writers" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok"
expect_eq "four benches recorded, each whole" "$(sqlite3 "$DB" "SELECT group_concat(label, ' ') FROM (SELECT label FROM bench ORDER BY label)")" "aa c1 c2 slower"
expect_eq "each concurrent bench has its stages" "$(sqlite3 "$DB" "SELECT count(DISTINCT s.bench_id) FROM stage s JOIN bench b ON b.id = s.bench_id WHERE b.label IN ('c1','c2') AND s.stage = 'total'")" 2
expect_eq "schema version" "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'schema_version'")" 1

run_capture h history "$DB" --stage total --json "$WORK/h.json" --html "$WORK/h.html"
expect_eq "history: exit 0" "$h_rc" 0
expect_match "history lists the recorded benches" "$h_out" "aa .*insn .*insn-ms"
python3 - "$WORK/h.json" <<'PY' || fail "history JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1 and d["stage"] == "total"
labels = sorted({r["label"] for r in d["records"]})
assert labels == ["aa", "c1", "c2", "slower"], labels
assert all(r["unit"] == "insn-ms" and r["median_ms"] > 0 for r in d["records"]), d["records"]
PY
grep -q "<circle" "$WORK/h.html" && grep -q "<title>bench 1," "$WORK/h.html" || fail "history HTML: marks with hover details"
run_capture hk history "$DB" --stage kernel
expect_no_match "history --stage kernel: benches without a kernel log have no kernel figure" "$hk_out" " c1 "
run_capture hl history "$DB" --label nosuch
expect_match "history of an unknown label says so" "$hl_out" "no recorded figures"
run_capture hn history "$WORK/none.db"
expect_eq "history of a missing database: usage error" "$hn_rc" 2
printf 'not a database' >"$WORK/junk.db"
run_capture hj history "$WORK/junk.db"
expect_eq "history of a file that is not a database: an error" "$hj_rc" 1
finish
