#!/bin/sh
# leanboot kernel tailor, when a cut's saving reappears as another initcall's cost.  The start is
# base.config with ACPI (and PNP) and the 8250 driver's legacy interrupt probing on, as
# x86_64_defconfig has them: ACPI's PNP tables give the UARTs their interrupts, so serial8250_init
# is cheap.  Cut ACPI, and the legacy ports probe for theirs: serial8250_init waits.  The tailor
# sees that initcall grow, finds its owner (SERIAL_8250) must stay, proposes what shapes its
# object (SERIAL_8250_DETECT_IRQ), tries the cuts again with it before any bisection, and keeps
# them all.
. "$(dirname "$0")/lib.sh"
tailor_from_base "ACPI + DETECT_IRQ" CONFIG_ACPI=y CONFIG_PNP=y CONFIG_PNPACPI=y CONFIG_SERIAL_8250_PNP=y \
    CONFIG_SERIAL_8250_EXTENDED=y CONFIG_SERIAL_8250_DETECT_IRQ=y -- --keep SLUB --budget 4
expect_match "ACPI is proposed" "$err" "CONFIG_ACPI +[0-9.]+ ms +to try"
expect_match "the cost that moved is seen" "$err" "build 2: serial8250_init \(SERIAL_8250\) is [0-9.]+ ms slower: proposing what takes it"
expect_match "what shapes the owner's object is proposed" "$err" \
    "CONFIG_SERIAL_8250_DETECT_IRQ +[0-9.]+ ms +to try; proposed as it shapes drivers/tty/serial/8250/8250_core.o \(SERIAL_8250 stays\), whose serial8250_init took [0-9.]+ ms more in build 2"
expect_match "the cuts are tried again with it, before any bisection" "$err" \
    "build 2: not faster, with costs that moved; next, the same cuts and [0-9]+ more"
expect_match "build 3: ACPI and DETECT_IRQ together" "$err" "build 3: [0-9]+ cut\(s\) on top of build 1: .*CONFIG_ACPI.*CONFIG_SERIAL_8250_DETECT_IRQ"
frag=$(cat "$WORK/cut.config")
expect_match "fragment: ACPI off" "$frag" "^# CONFIG_ACPI is not set$"
expect_match "fragment: DETECT_IRQ off, saying why it was proposed" "$frag" \
    "# \(proposed as it shapes drivers/tty/serial/8250/8250_core.o \(SERIAL_8250 stays\), whose serial8250_init took [0-9.]+ ms more in build 2\)"
tailor_json_checks "$WORK/t.json" <<'PY'
a, i = o["CONFIG_ACPI"], o["CONFIG_SERIAL_8250_DETECT_IRQ"]
say("ACPI and DETECT_IRQ dropped by build 3", a["status"] == "dropped" and i["status"] == "dropped" and a["build"] == 3 == i["build"])
say("build 2 passed and was not faster", d["trials"][1]["result"] == "not faster")
say("build 3 faster than the start", d["trials"][2]["result"] == "faster" and d["final"]["initcalls_ms"] < d["start"]["initcalls_ms"])
say("SERIAL_8250 kept, the machine needs it", o["CONFIG_SERIAL_8250"]["status"] == "kept"
    and o["CONFIG_SERIAL_8250"]["why"].startswith("the pc machine needs it"))
PY
finish
