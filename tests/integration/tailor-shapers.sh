#!/bin/sh
# leanboot kernel tailor, when the initcall that costs belongs to a driver the machine needs: the
# start is base.config with the 8250 driver's legacy interrupt probing on (SERIAL_8250_DETECT_IRQ,
# as x86_64_defconfig has it), so serial8250_init waits for each port's interrupt.  SERIAL_8250
# stays (the PC machine's console); the tailor proposes the options of its own Kconfig file that
# 8250_core.o's compile tested (kbuild's dependency list, through asm/serial.h), and the one
# that costs goes, with its measured saving.  (SLUB, over the same 1 ms floor, is kept by hand:
# SLAB in its place recompiles most objects.)
. "$(dirname "$0")/lib.sh"
tailor_from_base DETECT_IRQ CONFIG_SERIAL_8250_EXTENDED=y CONFIG_SERIAL_8250_DETECT_IRQ=y -- --keep SLUB --budget 3
expect_match "the console driver stays" "$err" "CONFIG_SERIAL_8250 +[0-9.]+ ms +kept: the pc machine needs it"
expect_match "what shapes its object is proposed, with why" "$err" \
    "CONFIG_SERIAL_8250_DETECT_IRQ +[0-9.]+ ms +to try; proposed as it shapes drivers/tty/serial/8250/8250_core.o \(SERIAL_8250 stays\), whose serial8250_init costs [0-9.]+ ms"
expect_no_match "what the machine needs is not proposed" "$err" "CONFIG_SERIAL_8250_CONSOLE .*to try"
frag=$(cat "$WORK/cut.config")
expect_match "fragment: DETECT_IRQ off" "$frag" "^# CONFIG_SERIAL_8250_DETECT_IRQ is not set$"
expect_match "fragment: why it was proposed" "$frag" "^# \(proposed as it shapes drivers/tty/serial/8250/8250_core.o"
expect_no_match "fragment: the console stays" "$frag" "CONFIG_SERIAL_8250(_CONSOLE)? is not set"
tailor_json_checks "$WORK/t.json" <<'PY'
c = o["CONFIG_SERIAL_8250_DETECT_IRQ"]
say("DETECT_IRQ dropped by a build, with its origin", c["status"] == "dropped" and c["build"] >= 2
    and c["origin"].startswith("shapes drivers/tty/serial/8250/8250_core.o"))
say("it saved more than its own initcall's 1 ms floor", c["build_saving_ms"] > 1)
say("SERIAL_8250 kept, no origin (the map named it)", o["CONFIG_SERIAL_8250"]["status"] == "kept"
    and o["CONFIG_SERIAL_8250"]["origin"] is None)
say("serial8250_init's cost was the start's largest", d["start"]["initcalls_ms"] > d["final"]["initcalls_ms"] + 1)
PY
finish
