/* leanboot-udev-wait.so, preloaded into guestfsd: udev-wait.c holds guestfsd's main() until the
 * init's udev helper is done; udev-settle.c answers guestfsd's `udevadm settle` without the exec. */
#pragma once

#include <stdbool.h>

/* Internal to the library: only execvp (udev-settle.c) is meant to interpose on guestfsd's. */
#define UDEV_SHIM_INTERNAL __attribute__((visibility("hidden")))

/* Set from LEANBOOT_UDEV_VERBOSE when the library loads: say what each wait cost. */
extern UDEV_SHIM_INTERNAL bool udev_shim_verbose;

