#ifndef LEANBOOT_RUN_H
#define LEANBOOT_RUN_H
#include "boot.h"
int cmd_run(int argc, char **argv);
/* The kernel command line for a boot: DIR/cmdline, `quiet` swapped for leanboot.debug when
 * debug is set, then the extra arguments, then the payload as leanboot.run=.  NULL and an
 * error logged when it would pass the kernel's 2048-byte limit. */
char *run_cmdline(const char *appliance, bool debug, const char *append, char **payload);
#endif
