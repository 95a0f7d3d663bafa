#!/bin/sh
# An appliance is on disk before it has its name: every file of the new tree is synced before
# DIR.tmp-XXXXXX is renamed (or exchanged) into DIR, and DIR's parent after it, so that a power
# loss leaves the old appliance or the new one, never a new name over data never written.
# Shown with strace on a real build: the first a rename, the second (new inputs) an exchange.
. "$(dirname "$0")/lib.sh"
requires strace
# LeakSanitizer cannot run under ptrace (tools/sanitizers.sh): the leak check is for other tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# check_synced NAME: in $WORK/trace-NAME, each of the appliance's files synced before the move
# into $WORK/app, and $WORK after it.
check_synced() {
    t="$WORK/trace-$1"
    move=$(grep -n -E "rename(at2)?\(.*\"$WORK/app\.tmp-[A-Za-z0-9]+\", .*\"$WORK/app\"(, RENAME_EXCHANGE)?\) = 0" "$t" | head -1 | cut -d: -f1)
    [ -n "$move" ] || { fail "$1: no move of app.tmp-* into app in the trace"; return; }
    for f in kernel initrd root manifest.json; do
        head -n "$move" "$t" | grep -q -E "fsync\([0-9]+<$WORK/app\.tmp-[A-Za-z0-9]+/$f>\) = 0" &&
            pass "$1: $f synced before the move" || fail "$1: $f not synced before the move (line $move)"
    done
    tail -n "+$move" "$t" | grep -q -E "fsync\([0-9]+<$WORK>\) = 0" &&
        pass "$1: the parent directory synced after the move" || fail "$1: no sync of $WORK after the move"
}

strace -f -y -qq -e trace=fsync,rename,renameat2 -o "$WORK/trace-first" "$LEANBOOT" -q build -o "$WORK/app" ||
    { fail "build under strace"; finish; }
check_synced first
strace -f -y -qq -e trace=fsync,rename,renameat2 -o "$WORK/trace-second" "$LEANBOOT" -q build --run true -o "$WORK/app" ||
    { fail "second build under strace"; finish; }
grep -q "RENAME_EXCHANGE) = 0" "$WORK/trace-second" && pass "second build: an exchange" || fail "second build: no RENAME_EXCHANGE"
check_synced second
finish
