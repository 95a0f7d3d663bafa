#!/bin/sh
# Bad input: one clear line naming what is wrong, a non-zero exit, and the previous appliance intact.
. "$(dirname "$0")/lib.sh"
A=$(stock_appliance)
before=$(cat "$A/manifest.json"; stat -c '%i %s %Y' "$A/root" "$A/initrd" "$A/kernel")

# check NAME REGEX ARGS...: non-zero exit, exactly one stderr line, matching REGEX.
check() {
    local name=$1 re=$2; shift 2
    run_capture x "$@"
    [ "$x_rc" -ne 0 ] && pass "$name: non-zero exit ($x_rc)" || fail "$name: exit status 0"
    expect_eq "$name: one error line" "$(printf '%s\n' "$x_err" | grep -c .)" 1
    expect_match "$name: says what is wrong" "$x_err" "$re"
}
check "unknown option" "unknown option.*--frobnicate" build -o "$A" --frobnicate
check "unknown command" "unknown command 'frobnicate'" frobnicate
check "unknown package" "unknown package 'no-such-package-xyz'" build -o "$A" -p no-such-package-xyz
check "package not installed" "package 'sl' is not installed" build -o "$A" -p sl
check "missing --copy source" "--copy source '/nonexistent/file'" build -o "$A" --copy /nonexistent/file:/x
check "bad --copy syntax" "expected SRC:DEST" build -o "$A" --copy /etc/hostname
check "missing kernel" "--kernel '/nonexistent/bzImage'" build -o "$A" --kernel /nonexistent/bzImage
check "kernel that is not a bzImage" "not an x86 bzImage" build -o "$A" --kernel /etc/hostname
expect_eq "kernel that is not a bzImage: a usage error (2)" "$x_rc" 2
check "unknown module" "no such module" build -o "$A" --module no_such_module_xyz
check "missing hook" "--hook '/nonexistent/hook'" build -o "$A" --hook /nonexistent/hook
expect_eq "missing hook: a usage error (2), before any build" "$x_rc" 2
check "unwritable output" "cannot write in '/proc'" build -o /proc/leanboot-appliance
check "no -o" "-o DIR is required" build
expect_eq "no -o: a usage error" "$x_rc" 2
check "empty -o" "-o '': expected a directory" build -o ''
expect_eq "empty -o: a usage error, before any build" "$x_rc" 2
check "-o /" "-o '/': expected a directory" build -o /
# A build killed mid-way leaves DIR.tmp-XXXXXX: the next build of DIR removes it (and nothing
# that only looks like one).
mkdir -p "$A.tmp-AbC123" "$A.tmp-keepme-too-long" && echo junk > "$A.tmp-AbC123/x"
"$LEANBOOT" -q build -o "$A" || fail "build over a stale build directory"
[ ! -e "$A.tmp-AbC123" ] && pass "a killed build's directory is removed" || fail "$A.tmp-AbC123 is still there"
[ -d "$A.tmp-keepme-too-long" ] && pass "a directory of another shape is left alone" || fail "removed $A.tmp-keepme-too-long"
rm -rf "$A.tmp-keepme-too-long"
# A trailing slash names the same appliance (the audit's: a whole build, then "cannot move").
run_capture ts build -o "$A/"
expect_eq "-o DIR/: the same appliance, up to date" "$ts_rc|$(printf '%s' "$ts_err" | grep -c 'is up to date')" "0|1"
mkdir -p "$WORK/foreign" && echo precious > "$WORK/foreign/data"
check "foreign output directory" "not a leanboot appliance; refusing" build -o "$WORK/foreign"
expect_eq "foreign directory untouched" "$(cat "$WORK/foreign/data")" "precious"
check "run: not an appliance" "is not a leanboot appliance" run "$WORK/foreign"
check "run: bad --timeout" "--timeout 'soon'" run "$A" --timeout soon
check "run: missing disk" "--disk '/nonexistent.img'" run "$A" --disk /nonexistent.img
check "run: no directory" "no appliance directory" run
# run passes the payload's status through, so its own failures, bad input included, are 125 (as
# env and timeout do): never a status a payload could have given.
expect_eq "run: its own failure is 125" "$x_rc" 125
check "run: a missing appliance" "is not a leanboot appliance" run /nonexistent
expect_eq "run /nonexistent: 125, not 2 (a payload's exit 2 means the payload)" "$x_rc" 125
check "analyze: a missing log" "cannot read '/nonexistent.log'" analyze /nonexistent.log
expect_eq "analyze: a missing log is a usage error (2)" "$x_rc" 2
check "kernel build: an unknown fragment" "fragment 'nosuch' not found" kernel build --fragment nosuch
expect_eq "kernel build: an unknown fragment is a usage error (2)" "$x_rc" 2

after=$(cat "$A/manifest.json"; stat -c '%i %s %Y' "$A/root" "$A/initrd" "$A/kernel")
expect_eq "previous appliance intact after every failure" "$after" "$before"
left=$(ls -d "$A".tmp-* 2>/dev/null | wc -l)
expect_eq "no temporary directories left" "$left" 0
finish
