/* What makes a directory an appliance, and its default kernel command line. */
#ifndef LEANBOOT_APPLIANCE_H
#define LEANBOOT_APPLIANCE_H

#include <stdbool.h>

/* 0 when DIR has kernel, initrd, root, cmdline and manifest.json; else -ENOENT with
 * *ret_missing (static string) naming the first part missing. */
int appliance_check(const char *dir, const char **ret_missing);

/* Low-cost options from libguestfs and Firecracker practice.  console=ttyS0: the only console;
 * panic=1: a panic reboots, which -no-reboot turns into QEMU exiting; no_timer_check,
 * tsc=reliable: skip timer verification that is slow under emulation; cryptomgr.notests: no
 * crypto self-tests; 8250.nr_uarts=1: probe one UART (`run` and `bench`, which attach a second
 * for the payload, ask for two themselves); edd=off: no BIOS disk probing;
 * printk.time=1: timestamps for the ring buffer.  `quiet` unless debugging: the serial
 * console costs about 4 us a character. */
#define APPLIANCE_CMDLINE_BASE \
        "console=ttyS0 panic=1 no_timer_check tsc=reliable cryptomgr.notests 8250.nr_uarts=1 edd=off printk.time=1"

/* malloc'd "BASE quiet|leanboot.debug root=UUID=..." */
char *appliance_default_cmdline(bool debug, const char *root_uuid);

#endif
