#!/bin/sh
# bench with bad input: refused with one clear line; a panicking variant is marked failed.
. "$(dirname "$0")/lib.sh"
requires make gcc
K=$(custom_kernel)
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/a" || fail "build"
check() {
    local name=$1 re=$2; shift 2
    run_capture x "$@"
    expect_eq "$name: exit 2" "$x_rc" 2
    expect_eq "$name: one error line" "$(printf '%s\n' "$x_err" | grep -c .)" 1
    expect_match "$name: says what is wrong" "$x_err" "$re"
}
mkdir -p "$WORK/notapp"
: > "$WORK/afile"
check "not an appliance" "variant B: '.*notapp' is not a leanboot appliance" bench "$WORK/a" "$WORK/notapp"
check "--runs 0" "--runs '0': at least 2 runs" bench "$WORK/a" --runs 0
check "--runs 1" "--runs '1': at least 2 runs" bench "$WORK/a" --runs 1
check "no variant" "expected one or two appliance directories" bench
# Reports that cannot be written are said before the boots, not after all of them.
check "--json into a missing directory" "--json '/proc/nope/x.json': cannot be written" bench "$WORK/a" --runs 2 --json /proc/nope/x.json
check "--html onto a directory" "--html '$WORK': cannot be written: Is a directory" bench "$WORK/a" --runs 2 --html "$WORK"
# rdinit=/nonexistent: the kernel finds no init in the initrd, cannot mount root itself, panics.
run_capture p bench "$WORK/a" --append-b "rdinit=/nonexistent" --runs 2 --warmup 0 --timeout 60
expect_eq "panicking variant: exit 1" "$p_rc" 1
expect_match "panic named with its stage" "$p_err" "B run 1 failed: kernel panic at stage firmware/kernel"
expect_match "one summary line counts the failures and names the reason once" "$p_out" "B: 2 of 2 boots failed \(no successful boot\): 2x kernel panic at stage firmware/kernel"
expect_eq "the panic is shown once, then counted" "$(printf '%s\n' "$p_err" | grep -c 'failed: kernel panic')" 1
expect_match "no verdict without B's boots, and no (null)" "$p_out" "verdict: none \(a variant has no successful boots\)"
expect_no_match "no (null)" "$p_out" "null"
expect_match "A still measured" "$p_out" "A: .*; 2 runs"
check "--logs with --no-initcalls" "--logs keeps the collected kernel logs: not with --peer or --no-initcalls" \
    bench "$WORK/a" --logs "$WORK/l" --no-initcalls
check "--logs on a file" "--logs '.*/afile': cannot create or write that directory" bench "$WORK/a" --logs "$WORK/afile"
run_capture cc bench "$WORK/a" "$WORK/a" --collection-cost --runs 2
expect_eq "--collection-cost with two appliances: exit 2" "$cc_rc" 2
expect_match "--collection-cost with two appliances: clear error" "$cc_err" "collection-cost takes one appliance"
finish
