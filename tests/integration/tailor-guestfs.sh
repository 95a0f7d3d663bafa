#!/bin/sh
# leanboot kernel tailor with a check on the host: a real guestfish ext4 + LVM session
# (benchmark/guestfs-session.sh) against each candidate, which build --like makes a libguestfs
# fixed appliance.  Two cuts are left to try: INET, which the session does not need (its 8
# initcalls took 1 of 13 insn-ms), and SCSI_VIRTIO, which it does (libguestfs puts its disks on
# virtio-scsi) while the guest's own boot does not (leanboot boots the root from virtio-blk): only
# the host check can keep it.  Kept by hand, as not this test's: the options that shape kept
# drivers' objects; MSDOS_FS, which with VFAT_FS keeps FAT_FS on; device-mapper's BLK_DEV_DM and
# DM_SNAPSHOT, which the map names since composites with a dash in their name are read, and which
# LVM needs; SLUB_DEBUG, which keeps STACKDEPOT on; BLOCK_LEGACY_AUTOLOAD, which shapes genhd.o
# and which a sixth build found saves nothing measurable; PROC_SYSCTL, proposed as what keeps
# SYSCTL on (sysctl_ipv4_init reaches it): SYSCTL shapes 800 of the 900 objects, so each build
# that turned it off or on again took 5 minutes of CI's 90 (tailor-keepers.sh has a cut for what
# keeps an option on); and BLK_DEV_MD, which the module parameters' rule proposes (md.o declares
# four): built alone it moved 0.19 ms into mtrr_if_init, and the cut of MTRR that followed
# recompiled 560 objects.
. "$(dirname "$0")/lib.sh"
requires guestfish make gcc bc bison flex ccache python3 timeout
SESSION=$(cd "$(dirname "$0")/../../benchmark" && pwd)/guestfs-session.sh
# The tailor sets libguestfs's backend and its settings itself (force_tcg where KVM is unusable).
unset LIBGUESTFS_BACKEND LIBGUESTFS_BACKEND_SETTINGS LIBGUESTFS_PATH
K=$("$LEANBOOT" kernel build --fragment guestfs 2>"$WORK/k.err") || { cat "$WORK/k.err"; fail "kernel build --fragment guestfs"; finish; }
"$LEANBOOT" -q build --from-supermin-d libguestfs --kernel "$K" -o "$WORK/g" || { fail "build the libguestfs appliance"; finish; }

# build --like keeps a libguestfs fixed appliance one.
run_capture l build --kernel "$K" --like "$WORK/g" -o "$WORK/like"
expect_eq "build --like a libguestfs appliance: exit 0, README.fixed kept" "$l_rc|$(cmp -s "$WORK/g/README.fixed" "$WORK/like/README.fixed" && echo same)" "0|same"

run_capture b1 kernel tailor --check "$WORK/g" --check-host '' -o "$WORK/x.config"
expect_eq "tailor --check-host '': usage error, one line" "$b1_rc|$(printf '%s\n' "$b1_err" | grep -c .)" "2|1"
[ ! -e "$WORK/x.config" ] && pass "tailor: bad --check-host writes no fragment" || fail "bad --check-host wrote a fragment"

rc=0
"$LEANBOOT" kernel tailor --fragment guestfs --check "$WORK/g" --check-host "$SESSION" -o "$WORK/cut.config" \
    --json "$WORK/t.json" --budget 6 --min-cost 50 --fresh --keep SLUB --keep NET --keep SCSI \
    --keep BLK_DEV_SD --keep PCI_QUIRKS --keep AIO --keep RTC_DRV_CMOS --keep HIGH_RES_TIMERS \
    --keep EXT4_FS_POSIX_ACL --keep EXT4_FS_SECURITY --keep VIRTIO_PCI_LEGACY --keep SERIAL_8250_DEPRECATED_OPTIONS --keep MSDOS_FS \
    --keep BLK_DEV_DM --keep DM_SNAPSHOT --keep SLUB_DEBUG --keep BLOCK_LEGACY_AUTOLOAD --keep PROC_SYSCTL --keep BLK_DEV_MD \
    >"$WORK/t.out" 2>"$WORK/t.err" || rc=$?
expect_eq "tailor with a host check: exit 0" "$rc" 0
[ "$rc" = 0 ] || { tail -30 "$WORK/t.err" >&2; finish; }
expect_match "the session passed on the starting kernel" "$(cat "$WORK/t.err")" "build 1: the host check exited 0"
frag=$(cat "$WORK/cut.config")
expect_match "fragment: the cut the session does not need" "$frag" "^# CONFIG_INET is not set$"
expect_no_match "fragment: not the one it needs" "$frag" "CONFIG_SCSI_VIRTIO is not set"
expect_match "fragment: names the host check" "$frag" "on the host: $SESSION"
tailor_json_checks "$WORK/t.json" <<'PY'
say("the guest's payload is 'true', the host check the session",
    d["payload"] == "true" and d["check_host"].endswith("guestfs-session.sh"))
say("finished", d["finished"] is True)
say("INET dropped, with a saving", o["CONFIG_INET"]["status"] == "dropped" and o["CONFIG_INET"]["build_saving_ms"] > 0)
v = o["CONFIG_SCSI_VIRTIO"]
say("SCSI_VIRTIO kept: the host check fails without it", v["status"] == "kept" and "host check fail" in v["why"])
say("a build whose guest passed and whose session failed",
    any(t["result"] == "host check failed" for t in d["trials"]))
say("fewer options", d["final"]["options"] < d["start"]["options"])
PY
# The failed session's own words, beside the candidate it ran on.  Without virtio-scsi,
# libguestfs's appliance waits a minute for its root disk: the check's limit (four times the
# start's, at least 30 s) ends it.
build=$(python3 -c 'import json,sys; print([t["build"] for t in json.load(open(sys.argv[1]))["trials"] if t["result"] == "host check failed"][0])' "$WORK/t.json" 2>/dev/null || echo 0)
run=$(sed -n 's/.*state \(.*\)\/state.json$/\1/p' "$WORK/t.err" | head -1)
expect_match "host.log: the session ran on that candidate's appliance" "$(cat "$run/k$build/host.log" 2>/dev/null)" "^guestfs-session: guestfish on $run/k$build/app \(backend direct"
expect_match "the failing check was stopped by its time limit" "$(cat "$WORK/t.err")" "build $build: the host check ran out of time \([0-9]+ s\)"

# The tailored kernel, built by kernel build, passes the session.  Its option lines only: the
# comments name this checkout's path, and kernel build's cache is keyed by the fragment's text.
grep -E '^(CONFIG_|# CONFIG_[A-Z0-9_]+ is not set$)' "$WORK/cut.config" >"$WORK/cut-options.config"
KT=$("$LEANBOOT" kernel build --fragment guestfs --fragment "$WORK/cut-options.config" 2>"$WORK/kt.err") ||
    { cat "$WORK/kt.err"; fail "kernel build of the tailored fragment"; finish; }
"$LEANBOOT" -q build --kernel "$KT" --like "$WORK/g" -o "$WORK/gt" || fail "build --like on the tailored kernel"
settings=$("$LEANBOOT" accel | sed -n 's/^libguestfs: export LIBGUESTFS_BACKEND_SETTINGS=\([^ ]*\).*/\1/p')
out=$(LIBGUESTFS_PATH="$WORK/gt" LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=$settings "$SESSION" 2>&1) &&
    pass "the session on the tailored kernel: $out" || fail "the session on the tailored kernel: $out"
finish
