#!/bin/sh
# `quiet` unless --debug; --debug shows the kernel log and stage markers; --append reaches the guest.
. "$(dirname "$0")/lib.sh"
A=$(stock_appliance)

run_capture r run "$A" --append "leanboot.test=1 x=\"a b\"" -- cat /proc/cmdline
expect_match "quiet is on the kernel command line" "$r_out" "(^| )quiet( |$)"
expect_no_match "leanboot.debug is absent" "$r_out" "leanboot\.debug"
expect_match "--append reaches the guest" "$r_out" "leanboot\.test=1"
expect_match "no hwclock-era extras: console is ttyS0" "$r_out" "console=ttyS0"
expect_no_match "quiet run: no kernel log on stderr" "$r_err" "Linux version"
expect_no_match "quiet run: no stage markers in stdout" "$r_out" "leanboot: stage="

run_capture d run "$A" --debug -- cat /proc/cmdline
expect_no_match "--debug: quiet is absent" "$d_out" "(^| )quiet( |$)"
expect_match "--debug: leanboot.debug is present" "$d_out" "leanboot\.debug"
expect_match "--debug: the kernel log is shown" "$d_err" "Linux version"
expect_match "--debug: stage markers are shown" "$d_err" "leanboot: stage=payload t_us=[0-9]+"
expect_match "--debug: the stage summary is printed" "$d_err" "stages \(host clock"
for s in init mounts cmdline modules udev payload shutdown; do
    expect_match "--debug: stage $s reached" "$d_err" "leanboot: stage=$s "
done
finish
