/* The bench's channel for the kernel log: no device of its own.  Every bench boot's root disk
 * is a qcow2 overlay on the appliance's root (what QEMU's snapshot=on makes for `leanboot run`,
 * here made explicitly), 16 MiB larger than the root.  The init writes the log past the end of
 * the ext2 file system, into that tail; after QEMU exits the bench reads it out of the overlay.
 * A separate data disk cost 18 ms of SeaBIOS and about 30 ms of kernel probing per boot (10% of
 * a 585 ms boot); this costs nothing until the init writes. */
#ifndef LEANBOOT_QCOW2_H
#define LEANBOOT_QCOW2_H

#include <stddef.h>
#include <stdint.h>

/* Create OUT: a qcow2 overlay of the raw image BACKING (absolute path), VIRTUAL_SIZE bytes
 * (qemu-img create).  Returns 0 or -errno; on failure *ret_error says why (malloc'd). */
int qcow2_create_overlay(const char *backing, uint64_t virtual_size, const char *out, char **ret_error);

/* Read LEN bytes at virtual OFFSET of the qcow2 file PATH, from its own clusters only:
 * unallocated ranges read as zeros (the bench only reads what the guest wrote past the
 * backing file's end).  Returns 0, -EBADMSG for a file this reader does not understand
 * (not qcow2 v2/v3, compressed or extended-L2 clusters, encryption), or -errno. */
int qcow2_read(const char *path, uint64_t offset, void *buf, size_t len);

#endif
