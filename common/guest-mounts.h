/* The file systems the lean init mounts before anything else (init/mounts.c), each with the
 * kernel option it needs: one table, so that what the tailor keeps on for the guest
 * (guest-needs.h) is what the init mounts. */
#ifndef LEANBOOT_GUEST_MOUNTS_H
#define LEANBOOT_GUEST_MOUNTS_H

#include <stddef.h>

struct guest_mount {
        const char *source, *target, *type;
        unsigned long flags;
        const char *data;
        const char *option; /* "CONFIG_PROC_FS": without it the mount fails, and the init stops */
};

extern const struct guest_mount guest_mounts[];
extern const size_t guest_mounts_count;

#endif
