#!/bin/sh
# A relocatable install: `make install DESTDIR=...`, the tree moved somewhere else, and the moved
# binary finds what it ships (the init, pre-init, shim, kernel config fragments) relative to
# itself, before the compiled-in paths: it checks a config, builds an appliance and boots it.
. "$(dirname "$0")/lib.sh"
requires strace
unset LEANBOOT_CONFIGS LEANBOOT_INIT
make -s -C "$top_builddir" install DESTDIR="$WORK/dest" >"$WORK/install.log" 2>&1 ||
    { fail "make install DESTDIR: $(tail -3 "$WORK/install.log")"; finish; }
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
[ -x "$WORK/dest$prefix/bin/leanboot" ] || { fail "no $WORK/dest$prefix/bin/leanboot"; finish; }
mv "$WORK/dest$prefix" "$WORK/moved"
rm -rf "$WORK/dest"
L="$WORK/moved/bin/leanboot"
LEANBOOT=$L

run_capture k kernel check "$FIXTURES/dotconfig/cutdown-base-6.1.192.config"
expect_eq "moved: kernel check finds base.config beside the binary" "$k_rc" 0
expect_match "moved: kernel check's verdict" "$k_out" "has all [0-9]+ requested option"
# Under strace, to see which files were taken: the moved tree's, not an install at the
# compiled-in prefix that a machine may also have (LeakSanitizer cannot run under ptrace).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=access,openat,execve \
    -o "$WORK/build.trace" "$L" build -o "$WORK/app" >"$WORK/b.out" 2>"$WORK/b.err"
expect_eq "moved: build succeeds" "$?" 0
grep -Eq "\"$WORK/moved/(bin/\.\./)?libexec/leanboot/leanboot-init\", [^)]*\) = [0-9]" "$WORK/build.trace" &&
    pass "moved: build takes the init beside the binary" || fail "moved: the moved init was not read"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=access,openat \
    -o "$WORK/check.trace" "$L" kernel check "$FIXTURES/dotconfig/cutdown-base-6.1.192.config" >/dev/null 2>&1
grep -Eq "\"$WORK/moved/(bin/\.\./)?share/leanboot/kernel-configs/base.config\", [^)]*\) = [0-9]" "$WORK/check.trace" &&
    pass "moved: kernel check takes the fragments beside the binary" || fail "moved: the moved base.config was not read"
# The libguestfs profile takes the pre-init and guestfsd's shim beside the init: the moved ones.
if command -v guestfish >/dev/null; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=access,openat \
        -o "$WORK/guestfs.trace" "$L" build --from-supermin-d libguestfs -o "$WORK/g" >/dev/null 2>"$WORK/g.err"
    expect_eq "moved: a libguestfs appliance builds" "$?" 0
    for f in leanboot-preinit leanboot-udev-wait.so; do
        grep -Eq "\"$WORK/moved/(bin/\.\./)?libexec/leanboot/$f\", [^)]*\) = [0-9]" "$WORK/guestfs.trace" &&
            pass "moved: $f taken beside the binary" || fail "moved: the moved $f was not read"
    done
fi
run_capture r run "$WORK/app" -- echo relocated
expect_eq "moved: the appliance boots and runs its payload" "$r_out|$r_rc" "relocated|0"
finish
