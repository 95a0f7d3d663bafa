#!/bin/sh
# --accel auto trusts KVM only where a KVM guest has been seen to run, with QEMU's own words
# when it falls back to TCG; the verdict is cached, a stale one never breaks a boot, --accel kvm
# on a broken KVM is one clear error, and a bench whose every boot KVM ended says so once.
# KVM's failures come from a stand-in QEMU (fake-qemu.sh) so that this runs on any host.
here=$(cd "$(dirname "$0")" && pwd)
# Auto considers KVM only where /dev/kvm opens: on a host without one, run in a private /dev
# with a stand-in node (tools/private-dev.sh).
if ! { [ -r /dev/kvm ] && [ -w /dev/kvm ]; } && [ "${ACCEL_TEST_PRIVATE_DEV:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null ||
        { echo "SKIP: no /dev/kvm, and a stand-in needs root and unshare"; exit 77; }
    ACCEL_TEST_PRIVATE_DEV=1 exec "$top_srcdir/tools/private-dev.sh" --fake-kvm sh "$0"
fi
. "$here/lib.sh"
A=$(stock_appliance)
# Verdicts about the stand-in go to a cache of this test's own, never the host's.
export LEANBOOT_CACHE_DIR="$WORK/cache" LEANBOOT_QEMU="$here/fake-qemu.sh" FAKE_QEMU_LOG="$WORK/qemu.log"
verdict() { sed -n "s/^$1=//p" "$LEANBOOT_CACHE_DIR"/accel/kvm-*; }
kvm_runs() { grep -c '^kvm=yes' "$FAKE_QEMU_LOG" 2>/dev/null || true; }

# 0. A probe that says nothing about KVM (here: no such QEMU) is no verdict: TCG for this
# command, nothing cached, and the next command probes again.
n_out=$(LEANBOOT_QEMU=/no/such/qemu "$LEANBOOT" accel 2>&1)
expect_match "an inconclusive probe: TCG, said so" "$n_out" "^accel: tcg
reason: KVM could not be proven here \(QEMU: .*; not cached\)"
[ -e "$LEANBOOT_CACHE_DIR/accel" ] && ls "$LEANBOOT_CACHE_DIR"/accel/kvm-* >/dev/null 2>&1 &&
    fail "an inconclusive probe was cached" || pass "an inconclusive probe is not cached"

# 1. A KVM that QEMU cannot even start (an MSR that `-cpu host` sets is refused).
export FAKE_KVM=msr
run_capture p accel
expect_match "accel: TCG, in QEMU's words" "$p_out" "^accel: tcg
reason: /dev/kvm is present but unusable \(QEMU: failed to set MSR 0x10a to 0x69\)"
expect_eq "the verdict is cached as unusable, from the probe" "$(verdict verdict) $(verdict source)" "unusable probe"
run_capture r run "$A" -- echo hello
expect_eq "run falls back to TCG: the payload ran" "$r_out|$r_rc" "hello|0"
expect_eq "one line says why" "$r_err" "leanboot: /dev/kvm is present but unusable (QEMU: failed to set MSR 0x10a to 0x69): using TCG (software emulation, several times slower than KVM)"
before=$(kvm_runs)
run_capture r2 run "$A" -- echo again
expect_eq "the next run boots with the cached verdict: no KVM attempt" "$r2_out|$r2_rc|$(kvm_runs)" "again|0|$before"
run_capture k run "$A" --accel kvm -- echo hello
expect_eq "run --accel kvm: leanboot's own failure (125), nothing booted" "$k_rc|$k_out|$(kvm_runs)" "125||$before"
expect_eq "--accel kvm: one clear error with QEMU's message" "$k_err" "leanboot: error: --accel kvm: KVM does not work on this host: /dev/kvm is present but unusable (QEMU: failed to set MSR 0x10a to 0x69) (try --accel tcg; leanboot accel --refresh to probe again)"
run_capture kb bench "$A" --accel kvm --runs 2
expect_eq "bench --accel kvm: exit 1" "$kb_rc" 1
expect_match "bench --accel kvm: the same error" "$kb_err" "error: --accel kvm: KVM does not work on this host: .*failed to set MSR"
run_capture rp accel --refresh
expect_eq "--refresh probes again" "$(kvm_runs)" "$((before + 1))"

# 2. A stale verdict: the probe guest runs, a real kernel is then stopped by KVM ("KVM internal
# error"), and QEMU pauses the guest instead of exiting.  The boot must not wait for that.
export FAKE_KVM=late
run_capture u accel --refresh
expect_match "the stand-in's probe passes: KVM is trusted" "$u_out" "^accel: kvm"
t0=$(date +%s)
run_capture l run "$A" --timeout 300 -- echo hello
t1=$(date +%s)
expect_eq "a boot that KVM kills is run again under TCG" "$l_out|$l_rc" "hello|0"
expect_match "... and says so once" "$l_err" "^leanboot: KVM failed a boot on this host \(QEMU: KVM internal error. Suberror: 1\): using TCG from now on$"
[ $((t1 - t0)) -lt 120 ] && pass "the paused guest was not waited for ($((t1 - t0)) s)" ||
    fail "the fallback took $((t1 - t0)) s: the paused guest was waited for"
expect_eq "the failed boot overrides the cached verdict" "$(verdict verdict)|$(verdict source)|$(verdict reason)" \
    "unusable|boot|KVM internal error. Suberror: 1"
run_capture u2 accel
expect_match "accel now says TCG, with the boot's reason" "$u2_out" "^accel: tcg
reason: /dev/kvm is present but unusable \(QEMU: KVM internal error. Suberror: 1\)"

# 3. A bench whose every boot KVM ends (--accel kvm, no fallback): one summary line, the
# advice, no "(null)", a report that says there were no successful boots; it stops early.
run_capture u3 accel --refresh
run_capture b bench "$A" --accel kvm --runs 5 --warmup 1 --json "$WORK/b.json" --html "$WORK/b.html"
expect_eq "bench: exit 1" "$b_rc" 1
expect_match "bench: one summary line with the count, the reason and the advice" "$b_out" \
    "A: 3 of 3 boots failed \(no successful boot\): 3x KVM ended the boot \(QEMU: KVM internal error. Suberror: 1; last stage firmware/kernel[^)]*\)\); KVM ended them: try --accel tcg"
expect_eq "bench: the failure is shown once, then counted" "$(printf '%s\n' "$b_err" | grep -c 'failed: KVM ended')" 1
expect_match "bench: it stopped early" "$b_err" "stopped early: the first 3 boots of a variant all failed"
expect_no_match "bench: no (null) anywhere" "$b_out$b_err$(cat "$WORK/b.html")" "\(null\)"
expect_match "bench HTML: a clear block instead of empty tables" "$(cat "$WORK/b.html")" "<div class=\"failed\"><b>A: no successful boots</b> \(3 tried\). KVM ended them"
expect_no_match "bench HTML: no chart or stage table" "$(cat "$WORK/b.html")" "<svg|<table"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d["variants"][0]; print(d["host"]["accel"], v["runs"], v["failures"][0]["count"])' "$WORK/b.json")
expect_eq "bench JSON: accel, no runs, the failures counted" "$got" "kvm 0 3"

# 4. The same host under auto: the bench falls back at its first boot and says so in its results.
run_capture u4 accel --refresh
run_capture ba bench "$A" --runs 2 --warmup 0 --no-initcalls --json "$WORK/ba.json"
expect_eq "bench (auto): exit 0" "$ba_rc" 0
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["host"]["accel"], d["variants"][0]["runs"]); print(d["host"]["accel_reason"])' "$WORK/ba.json")
expect_match "bench (auto): TCG ran every timed boot, and the JSON says why" "$got" "^tcg 2
KVM failed a boot on this host \(QEMU: KVM internal error. Suberror: 1\)$"
expect_match "bench (auto): the terminal says why" "$ba_out" "accel: KVM failed a boot on this host"
finish
