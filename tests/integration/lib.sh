# Shared helpers for integration tests (sourced).  Tests exit 0 pass, 1 fail, 77 skip.
set -u
: "${LEANBOOT:?run through make check}"
: "${top_builddir:?run through make check}"
TMP_ROOT="$top_builddir/tests/tmp"
TEST_NAME=$(basename "$0" .sh)
WORK="$TMP_ROOT/$TEST_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"

# make check runs tests in parallel (-j$(nproc)).  A test whose checks are timings (a bench's
# verdict and estimate) sets TIMING_SENSITIVE=1 before sourcing this file and boots alone: it
# takes the boot lock exclusively, every other integration test takes it shared, for its whole
# run.  Under TCG a second guest on a 2-core host moved the injected-delay estimate by ~90 ms.
exec 9>"$TMP_ROOT/boots.lock"
if [ "${TIMING_SENSITIVE:-0}" = 1 ]; then flock -x 9; else flock -s 9; fi

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# A passing test leaves no tailor run behind: each is keyed by its appliance's path, so every
# checkout would add its own (130-830 MB each) to the shared cache.  A failing one keeps its run
# (candidates' logs) for a look.  The run's lock file goes with it, as a prune takes it
# (common/cachedir.c: a waiter on a removed lock takes the new one).
forget_tailor_run() {
    case $1 in */leanboot/tailor/run-*) rm -rf "$1" && rm -f "$1.lock" ;; esac
}
forget_tailor_runs() {
    for d in $(cat "$WORK"/*.err 2>/dev/null | sed -n 's/.*tailor: tree .*, state \(.*\)\/state\.json$/\1/p' | sort -u); do
        forget_tailor_run "$d"
    done
}
finish() {
    [ "$failures" -eq 0 ] && { forget_tailor_runs; exit 0; }
    echo "$failures check(s) failed" >&2; exit 1
}

# Skip (77) only when a tool is truly absent.
requires() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
    done
}
requires supermin qemu-system-x86_64

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# expect_match WHAT TEXT REGEX
expect_match() {
    if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi
}
expect_no_match() {
    if printf '%s' "$2" | grep -Eq -- "$3"; then fail "$1: '$2' matches /$3/"; else pass "$1"; fi
}

# The stock-kernel appliance that most tests boot.  Tests run in parallel; the builder's
# lock makes them wait for one build and then find it up to date.
stock_appliance() {
    "$LEANBOOT" -q build -o "$TMP_ROOT/stock" >&2 || { echo "FAIL: building the stock appliance" >&2; exit 1; }
    echo "$TMP_ROOT/stock"
}

# run_capture VAR_PREFIX ARGS...: runs leanboot, sets ${P}_out, ${P}_err, ${P}_rc.
run_capture() {
    local p=$1; shift
    local rc=0
    "$LEANBOOT" "$@" >"$WORK/$p.out" 2>"$WORK/$p.err" || rc=$?
    eval "${p}_out=\$(cat \"\$WORK/\$p.out\")"
    eval "${p}_err=\$(cat \"\$WORK/\$p.err\")"
    eval "${p}_rc=$rc"
}

# tailor_from_base WHAT CONFIG_X=y... -- TAILOR_OPTIONS...: kernel tailor from base.config plus
# those lines (a fragment), on an appliance of the custom kernel whose payload is 'true', with a
# 1 ms --min-cost.  It writes $WORK/cut.config, t.json, t.out and t.err, and sets err (the log);
# a failed run ends the test.
tailor_from_base() {
    requires make gcc bc bison flex ccache python3
    local what=$1 rc=0
    shift
    K=$(custom_kernel)
    "$LEANBOOT" -q build --kernel "$K" -o "$WORK/app" || { fail "build on the kernel"; finish; }
    : >"$WORK/start.config"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        printf '%s\n' "$1" >>"$WORK/start.config"
        shift
    done
    [ $# -gt 0 ] && shift
    "$LEANBOOT" kernel tailor --fragment "$WORK/start.config" --check "$WORK/app:true" -o "$WORK/cut.config" \
        --json "$WORK/t.json" --min-cost 1000 --fresh "$@" >"$WORK/t.out" 2>"$WORK/t.err" || rc=$?
    expect_eq "tailor from base + $what: exit 0" "$rc" 0
    [ "$rc" = 0 ] || { tail -30 "$WORK/t.err" >&2; finish; }
    err=$(cat "$WORK/t.err")
}

# tailor_json_checks FILE < PYTHON: checks of a tailor report (--json FILE), written in Python
# with d (the report), o (its options by name) and say(NAME, OK); each is an ok or FAIL line.  A
# check that cannot run (a key missing) fails too.
tailor_json_checks() {
    local out rc=0
    out=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
o = {c["option"]: c for c in d["options"]}
def say(name, ok): print(("ok: tailor JSON: " if ok else "FAIL: tailor JSON: ") + name)
exec(sys.stdin.read())' "$1" 2>&1) || rc=$?
    printf '%s\n' "$out"
    failures=$((failures + $(printf '%s\n' "$out" | grep -c '^FAIL' || true)))
    [ "$rc" = 0 ] || fail "tailor JSON: the checks stopped (status $rc)"
}

# libguestfs's direct backend uses KVM whenever /dev/kvm opens.  Where leanboot found this host's
# KVM unusable, libguestfs is told (its force_tcg setting), and the test says so.
libguestfs_accel() {
    if [ -e /dev/kvm ] && "$LEANBOOT" accel | grep -q '^accel: tcg'; then
        export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
        echo "libguestfs: this host's KVM is unusable: LIBGUESTFS_BACKEND_SETTINGS=force_tcg"
    fi
}

# The cut-down kernel from base.config, built once per machine and cached in
# $XDG_CACHE_HOME/leanboot (outside the checkout, so CI reuses it).  Prints its bzImage path.
custom_kernel() {
    [ -f /usr/src/linux-source-6.1.tar.xz ] || ls /usr/src/linux-source-*.tar.xz >/dev/null 2>&1 ||
        { echo "SKIP: no linux-source tarball" >&2; exit 77; }
    # With its build tree kept (157 MB for base.config), for kernel map: one build serves all.
    "$LEANBOOT" kernel build --keep-tree -o "$WORK/kernel" >"$WORK/kernel-build.out" 2>"$WORK/kernel-build.err" ||
        { cat "$WORK/kernel-build.err" >&2; echo "FAIL: kernel build" >&2; exit 1; }
    echo "$WORK/kernel/bzImage"
}

# browser_render FILE NAME: open FILE (HTML or SVG) in headless Chromium, as a reader would: the
# DOM it built goes to $WORK/NAME.dom, its console to $WORK/NAME.console (one line per message
# the page logged: errors, uncaught exceptions), a screenshot to $WORK/NAME.png (for a person).
# First, once, a page that logs on purpose must show in the console capture: a Chromium that
# does not report console messages would let every "nothing logged" check pass unseen.
chromium_run() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$WORK/chromium-profile" "$@"
}
browser_render() {
    if [ ! -f "$WORK/console-probe.ok" ]; then
        printf '<html><body><script>console.error("leanboot-console-probe")</script></body></html>\n' >"$WORK/probe.html"
        chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$WORK/probe.html" >/dev/null 2>"$WORK/probe.log"
        grep -q 'CONSOLE.*leanboot-console-probe' "$WORK/probe.log" || { echo "chromium reports no console messages" >&2; return 1; }
        : >"$WORK/console-probe.ok"
    fi
    chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$WORK/$2.dom" 2>"$WORK/$2.log" || return 1
    grep 'CONSOLE' "$WORK/$2.log" >"$WORK/$2.console" || true
    chromium_run --window-size=1300,2400 --screenshot="$WORK/$2.png" "file://$1" >/dev/null 2>&1 || return 1
}
