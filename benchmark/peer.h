/* libguestfs as the bench's peer: one launch and shutdown through its C API. */
#ifndef LEANBOOT_PEER_H
#define LEANBOOT_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/marker.h"

/* A lean init's stage marker seen on the appliance console during a launch (libguestfs hands
 * console output to event callbacks even when not verbose).  Host time is from launch start. */
struct peer_mark {
        char name[MARKER_NAME_MAX + 1];
        uint64_t host_us;
        uint64_t guest_us;
};
#define PEER_MAX_MARKS 32

/* True when leanboot was built with libguestfs. */
bool peer_libguestfs_available(void);
/* guestfs_create, direct backend, add /dev/null read-only, launch, shutdown, close.  path NULL
 * means libguestfs's own appliance; else LIBGUESTFS_PATH-style directory.  Times in ms.  The
 * lean init's stage markers seen on the console (none with libguestfs's own init) go into
 * marks[0..*n_marks); marks may be NULL.  tcg: libguestfs's force_tcg backend setting, else
 * force_kvm (leanboot has proven KVM before it asks).  Returns 0, or -EIO (-ENOTSUP without
 * libguestfs) with *ret_error saying why (malloc'd). */
int peer_libguestfs_once(const char *path, bool tcg, double *ret_launch_ms, double *ret_shutdown_ms,
                         struct peer_mark *marks, size_t *n_marks, char **ret_error);
/* The guest memory libguestfs gives its appliance (MiB), or a negative errno. */
int peer_libguestfs_memsize(void);

#endif
