#ifndef LEANBOOT_RUN_H
#define LEANBOOT_RUN_H
#include "boot.h"
int cmd_run(int argc, char **argv);
/* The kernel command line for a boot: DIR/cmdline, `quiet` swapped for leanboot.debug when
 * debug is set, then the extra arguments, then the payload as leanboot.run=.  NULL and an
 * error logged when, with the RESERVED bytes the boot adds (boot_cmdline_reserved), it would
 * pass the kernel's 2048-byte limit. */
char *run_cmdline(const char *appliance, bool debug, const char *append, char **payload, size_t reserved);
/* The machine the appliance in DIR boots on for WANT (--machine): 0, or -EINVAL with the reason
 * logged (its kernel cannot boot there) or -errno (no readable manifest). */
int appliance_machine(const char *dir, enum machine want, enum machine *ret);
#endif
