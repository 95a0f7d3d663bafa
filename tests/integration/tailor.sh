#!/bin/sh
# leanboot kernel tailor on a small budget: the starting kernel (base.config) built in the tree
# kept for it, booted with a real appliance, mapped; the proposals resolved by the kernel's own
# kconfig (a choice member, a selected option, what the PC machine needs); one candidate built
# incrementally with its compiles ccache misses sent to a real distccd on 127.0.0.1, booted, benched,
# and its cut written to the fragment with its measured saving; then resumed from its state, and
# run again to show ccache's hit rate on the candidate.  Plus build --like, which it relies on.
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex ccache distcc distccd python3
K=$(custom_kernel)
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/app" || { fail "build on the kernel"; finish; }

# build --like: the appliance with another kernel; only with --kernel, only for a leanboot kernel's.
run_capture l build --kernel "$K" --like "$WORK/app" -o "$WORK/like"
expect_eq "build --like: exit 0" "$l_rc" 0
cmp -s "$WORK/like/root" "$WORK/app/root" && pass "build --like: the root is the appliance's" || fail "build --like: root differs"
[ "$(stat -c %b "$WORK/like/root")" -lt 1000000 ] && pass "build --like: the root's holes stay holes" ||
    fail "build --like: the root was copied whole ($(stat -c %b "$WORK/like/root") blocks)"
run_capture l2 build --like "$WORK/app" -o "$WORK/like2"
expect_eq "build --like without --kernel: usage error, one line" "$l2_rc|$(printf '%s\n' "$l2_err" | grep -c .)" "2|1"
run_capture l3 build --kernel "$K" --like "$WORK" -o "$WORK/like3"
expect_match "build --like a directory that is no appliance: said" "$l3_err" "is not a leanboot appliance"
[ ! -e "$WORK/like2" ] && [ ! -e "$WORK/like3" ] && pass "build --like: bad input builds nothing" || fail "bad --like built something"

# Bad input: one line, exit 2, before any build.
run_capture b1 kernel tailor -o "$WORK/x.config"
expect_eq "tailor without --check: usage error" "$b1_rc|$(printf '%s\n' "$b1_err" | grep -c .)" "2|1"
run_capture b2 kernel tailor --check "$WORK/app" -o "$WORK/x.config" --from /nonexistent.config
expect_match "tailor --from a missing config: said" "$b2_rc $b2_err" "^2 .*--from '/nonexistent.config'"
run_capture b3 kernel tailor --check "$WORK/app" -o "$WORK/x.config" --budget 3x
expect_match "tailor --budget 3x: said" "$b3_rc $b3_err" "^2 .*--budget '3x'"
run_capture b5 kernel tailor --check "$WORK/app" -o "$WORK/x.config" --min-effect 200
expect_match "tailor --min-effect 200: said" "$b5_rc $b5_err" "^2 .*--min-effect '200'"
run_capture b4 kernel tailor --check "$WORK/nowhere:true" -o "$WORK/x.config"
expect_eq "tailor --check a missing appliance: usage error" "$b4_rc" 2
[ ! -e "$WORK/x.config" ] && pass "tailor: bad input writes no fragment" || fail "bad input wrote a fragment"

# A distcc daemon on 127.0.0.1, its own port; ccache sends it what it must compile: every object
# on a machine whose ccache is cold, and at every build the few that carry the build's number
# (init/version-timestamp.c, arch/x86/boot/version.c).  (CCACHE_RECACHE, which made every compile
# a miss, cost CI 14 minutes of real compiles on 2 cores for the same check.)
port=$((20000 + $$ % 20000))
# Run as root, distccd drops to its own user, which may not reach $WORK (under a 0700 mktemp
# directory): its log goes to stderr, a file this shell opened.
distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1 --port "$port" --jobs 2 \
    --log-stderr --log-level info 2>"$WORK/distccd.log" &
dpid=$!
trap 'kill $dpid 2>/dev/null' EXIT
# Listening before it is used (distcc compiles locally, and backs off, from a host it cannot reach).
python3 - "$port" <<'EOF2' || fail "distccd is not listening on 127.0.0.1:$port"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
EOF2

# The question, kept small: the options over 0.1 ms, with the large ones kept by hand, leave three
# cuts to try: RTC_DRV_CMOS (the map's own), DMI (pci_arch_init reaches dmi_check_system: an
# always-built initcall's callee) and SERIAL_8250_DEPRECATED_OPTIONS (it shapes 8250_core.o).
# SLUB_DEBUG is kept by hand too: it selects STACKDEPOT, which ext4_init_fs reaches, and which 707
# of base's objects test, so a build without it recompiles most of the kernel (the three cuts
# recompile about 40).  The rest are decided without a build by kconfig, the PC machine,
# leanboot's guest (PROC_FS) and the appliance's root (ext2, mounted by ext4's driver).  PCI_MSI,
# which pci_arch_init also reaches, is kept by the PC machine: without ACPI nothing else routes
# virtio-pci's interrupts (session 13's run of this question spent two builds learning it).
tailor() {
    "$LEANBOOT" kernel tailor --check "$WORK/app:test -d /proc/self" -o "$WORK/cut.config" --json "$WORK/t.json" \
        --html "$WORK/t.html" --min-cost 100 --keep SLUB --keep NET --keep SCSI --keep SLUB_DEBUG "$@"
}
# A budget of one build: the start is built, booted, mapped and proposed, then it stops.
rc=0
tailor --fresh --budget 1 >"$WORK/s.out" 2>"$WORK/s.err" || rc=$?
expect_eq "tailor --budget 1: exit 0" "$rc" 0
[ "$rc" = 0 ] || { tail -30 "$WORK/s.err" >&2; finish; }
expect_match "tailor --budget 1: stops, and says how to go on" "$(cat "$WORK/s.err")" "budget spent \(1 build\(s\) in all\); a larger --budget resumes from "
expect_match "tailor --budget 1: the fragment says it is not finished" "$(cat "$WORK/cut.config")" "not finished: its budget ran out"
# Resumed with one more build, its compiles sent by ccache to distccd.
rc=0
DISTCC_HOSTS="127.0.0.1:$port/2" tailor --budget 2 --cc distcc >"$WORK/t.out" 2>"$WORK/t.err" || rc=$?
expect_eq "tailor resumed: exit 0" "$rc" 0
[ "$rc" = 0 ] || { tail -30 "$WORK/t.err" >&2; finish; }
expect_match "tailor resumed after the start" "$(cat "$WORK/t.err")" "resuming from .*state.json: 1 build\(s\) done, 1 group\(s\) left"
out=$(cat "$WORK/t.out") err=$(cat "$WORK/t.err")
expect_match "tailor: the start is measured and mapped" "$(cat "$WORK/s.err")" "the map of the starting kernel: [0-9]+ options build its initcalls"
expect_match "tailor: an always-built initcall's callee is proposed, with the path to it" "$(cat "$WORK/s.err")" \
    "CONFIG_DMI +[0-9.]+ ms +to try; proposed as it builds what pci_arch_init reaches \(dmi_check_pciprobe > dmi_check_system \(drivers/firmware/dmi_scan.o\)\)"
expect_match "tailor: PCI_MSI, which pci_arch_init reaches, is kept without a build: the pc machine needs it without ACPI" \
    "$(cat "$WORK/s.err")" \
    "CONFIG_PCI_MSI +[0-9.]+ ms +kept: the pc machine needs it \(CONFIG_PCI_MSI is not set, and without CONFIG_ACPI nothing routes virtio-pci's legacy interrupts\)"
expect_match "tailor: what leanboot's guest needs is kept without a build" "$(cat "$WORK/s.err")" \
    "CONFIG_PROC_FS +[0-9.]+ ms +kept: leanboot's guest needs it \(CONFIG_PROC_FS is not set: the init mounts proc on /proc\)"
# An initcall whose option stays brings the options that shaped its object's compile.
expect_match "tailor: what shapes a kept driver's object is proposed, with why" "$(cat "$WORK/s.err")" \
    "CONFIG_SERIAL_8250_DEPRECATED_OPTIONS +[0-9.]+ ms +to try; proposed as it shapes drivers/tty/serial/8250/8250_core.o \(SERIAL_8250 stays\), whose serial8250_init costs [0-9.]+ ms"
expect_no_match "tailor: what the machine needs is not proposed" "$(cat "$WORK/s.err")" "CONFIG_SERIAL_8250(_CONSOLE)? .*to try"
# param_sysfs_init (0.7 of base's 10.6 insn-ms; kernel/params.o, which no option builds) shared by
# the options whose objects declare module parameters: the 8250 driver's six, the largest share.
expect_match "tailor: param_sysfs_init's cost shared by the options declaring module parameters" "$(cat "$WORK/s.err")" \
    "param_sysfs_init [0-9.]+ ms: the module parameters of [0-9]+ option\(s\); the largest share, CONFIG_SERIAL_8250's \(6 in drivers/tty/serial/8250/8250_core.o\), about 0\.[0-9]+ ms"
# The proposals are resolved by the kernel's kconfig kept running (kernel/kresolve.h), built in
# the tree once the start was, and checked there against olddefconfig's own output.
tree=$(sed -n 's/^leanboot: tailor: tree \(.*\), state .*/\1/p' "$WORK/s.err" | head -1)
[ -x "$tree/obj/scripts/kconfig/leanboot-kconfig-resolve" ] && pass "the kconfig resolver was built in the tree" ||
    fail "no kconfig resolver in '$tree'"
expect_no_match "tailor: no configuration resolved by make olddefconfig after the start" "$(cat "$WORK/s.err" "$WORK/t.err")" \
    "resolving configurations with make olddefconfig"
expect_match "tailor: the report compares start and final" "$out" "^initcalls +[0-9.]+ +[0-9.]+ +-[0-9.]+%"
frag=$(cat "$WORK/cut.config")
expect_match "fragment: the cut, in the kernel's format" "$frag" "^# CONFIG_RTC_DRV_CMOS is not set$"
expect_match "fragment: with its measured saving" "$frag" "CONFIG_RTC_DRV_CMOS: 1 initcall\(s\), [0-9.]+ insn-ms in the kernel it was cut from; build 2 dropped it \(that build saved [0-9.]+ insn-ms\)"
tailor_json_checks "$WORK/t.json" <<'EOF'
say("two builds, finished after a second map (nothing new over 0.1 ms)", d["builds"] == 2 and d["finished"] is True and d["rounds"] == 2)
say("final initcalls below the start's", 0 < d["final"]["initcalls_ms"] < d["start"]["initcalls_ms"])
say("RTC_DRV_CMOS dropped by build 2 with a saving",
    o["CONFIG_RTC_DRV_CMOS"]["status"] == "dropped" and o["CONFIG_RTC_DRV_CMOS"]["build"] == 2
    and o["CONFIG_RTC_DRV_CMOS"]["build_saving_ms"] > 0)
say("DMI, a callee's option, dropped by build 2, its origin said",
    o["CONFIG_DMI"]["status"] == "dropped" and o["CONFIG_DMI"]["build"] == 2
    and "pci_arch_init reaches" in o["CONFIG_DMI"]["origin"])
say("SERIAL_8250_DEPRECATED_OPTIONS, which shapes 8250_core.o, dropped by build 2, SERIAL_8250 kept",
    o["CONFIG_SERIAL_8250_DEPRECATED_OPTIONS"]["status"] == "dropped" and o["CONFIG_SERIAL_8250_DEPRECATED_OPTIONS"]["build"] == 2
    and o["CONFIG_SERIAL_8250_DEPRECATED_OPTIONS"]["origin"].startswith("shapes drivers/tty/serial/8250/8250_core.o")
    and o["CONFIG_SERIAL_8250"]["status"] == "kept" and o["CONFIG_SERIAL_8250"]["origin"] is None)
say("SLUB kept by --keep", o["CONFIG_SLUB"]["status"] == "kept" and "--keep" in o["CONFIG_SLUB"]["why"])
say("VIRTIO_BLK kept: the pc machine needs it", o["CONFIG_VIRTIO_BLK"]["why"].startswith("the pc machine needs it"))
say("no build tried PCI_MSI", all("CONFIG_PCI_MSI" not in (t["cuts"] or []) for t in d["trials"]))
say("JBD2 kept by kconfig, naming what selects it", o["CONFIG_JBD2"]["why"] == "kconfig keeps it on: selected by EXT4_FS(=y)")
say("EXT4_FS kept without a build: the appliance's root (ext2) needs it",
    o["CONFIG_EXT4_FS"]["status"] == "kept" and o["CONFIG_EXT4_FS"]["why"].startswith("the appliance's root file system needs it"))
t = d["trials"][1]
say("build 2 compiled objects, through ccache", t["objects_compiled"] > 0 and t["ccache_misses"] is not None)
say("the image and option counts", d["final"]["options"] < d["start"]["options"] and d["final"]["image_size"] > 0)
EOF
served=$(grep -c 'COMPILE_OK' "$WORK/distccd.log" || true)
[ "$served" -gt 0 ] && pass "distccd on 127.0.0.1 compiled $served object(s) of the tailor's build" ||
    fail "distccd compiled nothing: $(tail -5 "$WORK/distccd.log")"
expect_match "html report: the side-by-side table" "$(cat "$WORK/t.html")" "<th>start</th><th>final \(build 2\)</th>"
expect_no_match "html report: no external resources" "$(cat "$WORK/t.html")" "(src|href)=\"(https?:)?//"
# As a reader sees it, in a real browser: nothing on its console, the four tables, the cut.
if browser_render "$WORK/t.html" t; then
    expect_eq "browser: the tailor's page logs nothing to its console" "$(cat "$WORK/t.console")" ""
    expect_eq "browser: four tables (kernels, the final kernel's stretches, options, builds)" "$(grep -o '<table' "$WORK/t.dom" | wc -l)" 4
    expect_match "browser: the kernel stage outside the initcalls, start and final" "$(cat "$WORK/t.dom")" \
        "<th>kernel stage outside the initcalls \(insn-ms\)</th><td>[0-9.]+</td><td>[0-9.]+</td>"
    expect_match "browser: the dropped option, with the build that dropped it" "$(cat "$WORK/t.dom")" "CONFIG_RTC_DRV_CMOS</td><td>[0-9.]+</td>.*dropped</td><td class=\"l\">build 2 \(it saved [0-9.]+ insn-ms\)"
else
    fail "browser: chromium could not render $WORK/t.html: $(tail -3 "$WORK/t.log")"
fi

# Resumed again: the same question finds its state, done; no build.
rc=0
tailor --budget 2 >"$WORK/r.out" 2>"$WORK/r.err" || rc=$?
expect_eq "tailor resumed again: exit 0" "$rc" 0
expect_match "tailor resumed again from its state" "$(cat "$WORK/r.err")" "resuming from .*state.json: 2 build\(s\) done, 0 group\(s\) left"
expect_no_match "tailor resumed: no new build" "$(cat "$WORK/r.err")" "build [0-9]+: "

# A state kept elsewhere (--state) is read whatever the question: asked otherwise (one more
# --keep), one clear error, and the state file as it was.
run=$(sed -n 's/^leanboot: tailor: tree .*, state \(.*\)\/state\.json$/\1/p' "$WORK/r.err" | head -1)
cp "$run/state.json" "$WORK/elsewhere.json"
rc=0
tailor --keep PCI --state "$WORK/elsewhere.json" >"$WORK/q.out" 2>"$WORK/q.err" || rc=$?
expect_eq "tailor --state of another question: exit 2" "$rc" 2
expect_match "tailor --state of another question: says so, and how to go on" "$(cat "$WORK/q.err")" \
    "the state file .*/elsewhere\.json is of another question \(run-${run##*/run-}, this one's run-[0-9a-f]{16}\): ask it as it was asked, or --fresh starts over"
cmp -s "$run/state.json" "$WORK/elsewhere.json" && pass "tailor --state of another question: the state file is untouched" ||
    fail "tailor --state of another question: the state file changed"
# A state saved before the question was kept in it, whose run's directory is gone (pruned: eight
# newer runs), here another question's again: one clear error, and the state file as it was.
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); del s["run_key"]; json.dump(s, open(sys.argv[2], "w"))' \
    "$run/state.json" "$WORK/older.json"
cp "$WORK/older.json" "$WORK/older.orig"
rc=0
tailor --keep PCI --state "$WORK/older.json" >"$WORK/e.out" 2>"$WORK/e.err" || rc=$?
expect_eq "tailor --state whose run is gone: exit 2" "$rc" 2
expect_match "tailor --state whose run is gone: says so, and how to go on" "$(cat "$WORK/e.err")" \
    "the state file .*/older\.json names a run that .*/run-[0-9a-f]+ no longer holds .*: --fresh starts over"
cmp -s "$WORK/older.orig" "$WORK/older.json" && pass "tailor --state whose run is gone: the state file is untouched" ||
    fail "tailor --state whose run is gone: the state file changed"
# A state file that cannot be read is left for the user too.
echo '{"version": 1, "builds": ' >"$WORK/broken.json"
rc=0
tailor --state "$WORK/broken.json" >"$WORK/b.out" 2>"$WORK/b.err" || rc=$?
expect_eq "tailor --state unreadable: exit 2" "$rc" 2
expect_match "tailor --state unreadable: says so" "$(cat "$WORK/b.err")" "the state file .*/broken\.json cannot be read \(--fresh starts over\)"
expect_eq "tailor --state unreadable: the file is left as it was" "$(cat "$WORK/broken.json")" '{"version": 1, "builds": '
gone=$(sed -n 's/.* names a run that \(.*\) no longer holds .*/\1/p' "$WORK/e.err")
[ -z "$gone" ] || forget_tailor_run "$gone"

# Again from the start: the candidate's compiles are ccache's hits now.
rc=0
tailor --fresh --budget 2 >"$WORK/c.out" 2>"$WORK/c.err" || rc=$?
hits=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["trials"][1]; print(t["ccache_hits"], t["ccache_misses"], t["objects_compiled"])' "$WORK/t.json")
set -- $hits
# Up to three miss at every build, whatever ccache holds: what carries the build number
# (init/version-timestamp.c and arch/x86/boot/version.c), and arch/x86/boot/header.S when the
# compressed image's size moved (it includes zoffset.h).  kbuild's compiler probes (of /dev/null)
# are not counted.
[ "$rc" = 0 ] && [ "${3:-0}" -gt 0 ] && [ "${1:-0}" -gt 0 ] && [ "${2:-9}" -le 3 ] &&
    pass "tailor again: the candidate's compiles hit ccache ($1 hits, $2 misses, $3 objects)" ||
    fail "tailor again: rc $rc, ccache hits/misses/objects '$hits'"
expect_match "tailor again: the hit rate is shown" "$(cat "$WORK/c.out")" "^2 +faster +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+%"

finish
