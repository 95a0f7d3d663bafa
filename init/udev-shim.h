/* leanboot-udev-wait.so, preloaded into guestfsd: udev-wait.c holds guestfsd's main() until the
 * init's udev helper is done; udev-settle.c answers guestfsd's `udevadm settle` without the exec. */
#pragma once

#include <stdbool.h>

/* Set from LEANBOOT_UDEV_VERBOSE when the library loads: say what each wait cost. */
extern bool udev_shim_verbose;
