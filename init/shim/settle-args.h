/* Which exec of guestfsd the shim answers itself: `udevadm settle` with the arguments it
 * understands (settle-args.c), parsed apart from the exec so that it can be tested alone. */
#pragma once

#include <stdbool.h>

#include "udev-shim.h"

/* udevadm settle's own default: two minutes. */
#define SETTLE_DEFAULT_TIMEOUT_MS (120 * 1000)

struct settle_request {
        const char *exists; /* -E FILE, or NULL */
        long timeout_ms;
};

/* True, with *ret filled, when ARGV (run as FILE) is `udevadm [--debug|-d] settle
 * [-E FILE|--exit-if-exists=FILE] [-t SEC|--timeout=SEC]...` and nothing else; seconds as N or
 * Ns, 0 to 86400.  Anything else is left to the real udevadm. */
UDEV_SHIM_INTERNAL bool settle_args_parse(const char *file, char *const argv[], struct settle_request *ret);
