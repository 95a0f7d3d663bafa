#!/bin/sh
# tools/sanitizers.sh OUT: build the host-side programs with ASan and UBSan (configure
# --enable-sanitizers; the static guest programs stay as they are) in a copy of this tree, and
# run every test under them: the unit tests, the fuzz corpus replays and the integration tests,
# the tailor's among them (QEMU, the guest and the kernel builds are not sanitized, so they cost
# what they cost).  OUT gets the run's test-suite.log and, under reports/, every
# sanitizer report (a leak, an overflow, undefined behaviour), wherever in the tests it
# happened: a test that expects leanboot to fail cannot hide one behind its exit status.
set -u
out=${1:?usage: tools/sanitizers.sh OUT}
# Absolute: the sanitizers write their reports there from every test's own directory.
out=$(realpath -m "$out")
cd "$(dirname "$0")/.."
src=$(pwd)
copy="$out/tree"
mkdir -p "$copy" "$out/reports"
# The tracked and new files of this tree, not its build: the copy configures on its own.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$src" ls-files -co --exclude-standard | (cd "$src" && tar cf - -T -) | (cd "$copy" && tar xf -)
else
    (cd "$src" && tar cf - --exclude=./tests/tmp .) | (cd "$copy" && tar xf -) && (cd "$copy" && make distclean >/dev/null 2>&1)
fi
cd "$copy" || exit 1
{ [ -x configure ] || autoreconf -fi >"$out/build.log" 2>&1; } && ./configure -q --enable-werror --enable-sanitizers >>"$out/build.log" 2>&1 &&
    make -j"$(nproc)" >>"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; echo "sanitizers: the build failed"; exit 1; }
export ASAN_OPTIONS="log_path=$out/reports/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$out/reports/ubsan:print_stacktrace=1:halt_on_error=1"
echo "sanitizers: every test again, the host-side programs under ASan and UBSan"
make -j"$(nproc)" check >"$out/check.out" 2>&1
rc=$?
cp test-suite.log "$out/test-suite.log" 2>/dev/null
grep -E '^(PASS|FAIL|SKIP|ERROR)' "$out/check.out" | sed 's/^/sanitizers: /'
rm -rf tests/tmp
exit $rc
