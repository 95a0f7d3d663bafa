#!/bin/sh
# The payload's output reaches stdout, and its exit status becomes leanboot's.
. "$(dirname "$0")/lib.sh"
A=$(stock_appliance)

run_capture r run "$A" -- echo hello
expect_eq "echo hello: output" "$r_out" "hello"
expect_eq "echo hello: exit status" "$r_rc" 0
expect_match "TCG use is announced in one line" "$r_err" "using TCG"

run_capture r run "$A" -- sh -c 'exit 7'
expect_eq "exit 7 propagates" "$r_rc" 7
expect_eq "exit 7: no output" "$r_out" ""

run_capture r run "$A" -- sh -c 'printf "no newline"; printf " %s|" "a b" "c,d" "%x"'
expect_eq "output without a final newline, arguments with blanks, commas, percent" "$r_out" "no newline a b| c,d| %x|"

run_capture r run "$A" -- no-such-command --flag
expect_eq "missing payload command exits 127" "$r_rc" 127
expect_match "missing payload command: clear error" "$r_err" "leanboot-init: error: cannot run 'no-such-command': No such file or directory"

run_capture r run "$A" -- sh -c 'kill -TERM $$'
expect_eq "a payload killed by a signal exits 128+signal" "$r_rc" 143
finish
