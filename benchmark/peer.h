/* libguestfs as the bench's peer: one launch and shutdown through its C API. */
#ifndef LEANBOOT_PEER_H
#define LEANBOOT_PEER_H

#include <stdbool.h>

/* True when leanboot was built with libguestfs. */
bool peer_libguestfs_available(void);
/* guestfs_create, direct backend, add /dev/null read-only, launch, shutdown, close.  path NULL
 * means libguestfs's own appliance; else LIBGUESTFS_PATH-style directory.  Times in ms.
 * Returns 0, or -1 with *ret_error set (malloc'd). */
int peer_libguestfs_once(const char *path, double *ret_launch_ms, double *ret_shutdown_ms, char **ret_error);

#endif
