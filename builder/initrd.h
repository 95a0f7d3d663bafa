/* supermin's mini-initrd holds every module that matches its own pattern list (52 on Debian 12's
 * 6.1 kernel: IDE, NVDIMM, virtio-net, -crypto, -balloon, -mem, FUSE, ...) and its init insmods
 * all of them before it mounts the root: about 1.4 s under TCG.  leanboot keeps only the modules
 * that finding and mounting the root needs; the lean init loads the rest it wants later. */
#ifndef LEANBOOT_INITRD_H
#define LEANBOOT_INITRD_H

#include <stddef.h>

/* Rewrite the newc cpio at PATH in place (atomically): keep every entry that is not a module,
 * keep the modules whose file names are in KEEP (paths as a modlist holds them; only the base
 * name counts, as supermin stores modules flat), and replace the /modules list with KEEP's
 * order.  On success *ret_kept is the number of modules left.  -EBADMSG when PATH is not an
 * uncompressed newc archive, and then the file is left as it was. */
int initrd_trim(const char *path, char *const *keep, size_t n_keep, size_t *ret_kept);

#endif
