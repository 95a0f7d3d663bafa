#!/bin/sh
# The payload's output reaches stdout, and its exit status becomes leanboot's.
. "$(dirname "$0")/lib.sh"
requires python3
A=$(stock_appliance)

# An appliance and a disk given by relative names that QEMU would read as a protocol
# ("nbd:HOST:PORT"): opened as the files they are (the audit's: QEMU dialled out).
ln -s "$A" "$WORK/nbd:127.0.0.1:9"
truncate -s 1M "$WORK/nbd:127.0.0.1:10"
odd=$(cd "$WORK" && "$LEANBOOT" run "nbd:127.0.0.1:9" --disk "nbd:127.0.0.1:10" -- sh -c 'echo on-disk > /dev/vdb; echo via-odd-name' 2>"$WORK/odd.err")
expect_eq "relative names that look like QEMU protocols: booted from the files" "$odd|$(head -c 7 "$WORK/nbd:127.0.0.1:10")" "via-odd-name|on-disk"

run_capture r run "$A" -- echo hello
expect_eq "echo hello: output" "$r_out" "hello"
expect_eq "echo hello: exit status" "$r_rc" 0
if "$LEANBOOT" accel | grep -q '^accel: tcg'; then
    expect_match "TCG use is announced in one line" "$r_err" "^leanboot: .*: using TCG \(software emulation"
else
    expect_eq "KVM proven: nothing to announce" "$r_err" ""
fi

run_capture r run "$A" -- sh -c 'exit 7'
expect_eq "exit 7 propagates" "$r_rc" 7
expect_eq "exit 7: no output" "$r_out" ""

run_capture r run "$A" -- sh -c 'printf "no newline"; printf " %s|" "a b" "c,d" "%x"'
expect_eq "output without a final newline, arguments with blanks, commas, percent" "$r_out" "no newline a b| c,d| %x|"

# Lines on the console that look like the init's markers but come from the payload (without the
# boot's nonce, or mid-line) are not taken for them: the status is the payload's, its output whole.
run_capture r run "$A" -- sh -c 'echo "leanboot: exit=0 t_us=1" > /dev/console; echo "x leanboot: stage=shutdown t_us=2" > /dev/console; echo after; exit 3'
expect_eq "a payload's forged exit marker: the real status" "$r_rc" 3
expect_eq "a payload's forged markers: its output goes on" "$r_out" "after"

run_capture r run "$A" -- no-such-command --flag
expect_eq "missing payload command exits 127" "$r_rc" 127
expect_match "missing payload command: clear error" "$r_err" "leanboot-init: error: cannot run 'no-such-command': No such file or directory"

run_capture r run "$A" -- sh -c 'kill -TERM $$'
expect_eq "a payload killed by a signal exits 128+signal" "$r_rc" 143

# The payload's own port: its bytes exactly as written (no \n -> \r\n), stdin at EOF (not a
# console that never answers), and with --debug the kernel's messages, printed while the
# payload runs, go to stderr and never into its output.
"$LEANBOOT" run "$A" --debug --timeout 120 -- sh -c \
    'echo "<0>kernel noise from the payload" > /dev/kmsg; cat; printf "a\r\nb\n"; echo err >&2' \
    >"$WORK/raw.out" 2>"$WORK/raw.err"
expect_eq "payload bytes, untouched, stdin empty, stderr with stdout" "$(od -An -c "$WORK/raw.out" | tr -s ' ')" \
    " a \\r \\n b \\n e r r \\n"
expect_match "--debug: the kernel's message is on stderr" "$(cat "$WORK/raw.err")" "kernel noise from the payload"
expect_no_match "--debug: ... and not in the payload's output" "$(cat "$WORK/raw.out")" "noise"

# The host asks for the two UARTs it attaches, after the caller's arguments: an appliance
# whose command line says 8250.nr_uarts=1 (as the builder's default does) still
# gets its console on ttyS0 and its payload on ttyS1.
run_capture r run "$A" --append 8250.nr_uarts=1 -- sh -c 'echo one uart asked; exit 4'
expect_eq "8250.nr_uarts=1 appended: output and status as usual" "$r_out|$r_rc" "one uart asked|4"

# On a terminal with no payload, --debug gives a shell on the payload's port: it is the shell's
# controlling terminal, what is typed reaches it, and its exit status is leanboot's.
pty_out=$(python3 "$(dirname "$0")/run-pty.py" "$LEANBOOT" run "$A" --debug --timeout 120 -- 'tty; echo typed-$((40+2)); exit 3')
expect_match "interactive shell: on the payload's port, with what was typed" "$pty_out" "
/dev/ttyS1
typed-42
"
expect_match "interactive shell: its exit status" "$pty_out" "status=3$"
finish
