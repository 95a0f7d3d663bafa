/* supermin's mini-initrd holds every module that matches its own pattern list (52 on Debian 12's
 * 6.1 kernel: IDE, NVDIMM, virtio-net, -crypto, -balloon, -mem, FUSE, ...) and its init insmods
 * all of them before it mounts the root: about 1.4 s under TCG.  leanboot keeps only the modules
 * that finding and mounting the root needs; the lean init loads the rest it wants later. */
#ifndef LEANBOOT_INITRD_H
#define LEANBOOT_INITRD_H

#include <stdbool.h>
#include <stddef.h>

/* Rewrite the newc cpio at PATH in place (atomically): keep every entry that is not a module,
 * keep the modules whose file names are in KEEP (paths as a modlist holds them; only the base
 * name counts, as supermin stores modules flat), and replace the /modules list with KEEP's
 * order.  With STRIP_SIGNATURES, a kept module's appended signature is cut off (see
 * module_unsigned_size).  On success *ret_kept is the number of modules left and
 * *ret_stripped (may be NULL) how many signatures were cut.  -EBADMSG when PATH is not an
 * uncompressed newc archive, and then the file is left as it was. */
int initrd_trim(const char *path, char *const *keep, size_t n_keep, bool strip_signatures, size_t *ret_kept,
                size_t *ret_stripped);

/* The size of a module file without its appended signature: DATA ends with struct
 * module_signature (12 bytes, the signature's length big-endian in its last four) and the
 * "~Module signature appended~\n" marker.  LEN itself when there is no well-formed signature.
 *
 * Why cut them: a signed module is hashed whole (SHA-256 in Debian's kernel) and its PKCS#7
 * signature checked on every load, even when nothing enforces signatures.  Under TCG that cost
 * 240 ms of a libguestfs launch on Debian's kernel (23 initrd modules, 3.7 MB).  A QEMU guest
 * booted with -kernel has no Secure Boot lockdown, so the kernel loads them unsigned, once
 * noting "module verification failed" and the E taint.  A kernel booted with
 * module.sig_enforce=1 or lockdown would refuse them: build with --keep-module-signatures. */
size_t module_unsigned_size(const char *data, size_t len);

/* Make the binary PREINIT the archive's /init, ahead of supermin's (renamed INITRD_SUPERMIN_INIT),
 * with VIRTIO_KEEP ("1 2 3 8\n": virtio device types, decimal) as INITRD_VIRTIO_KEEP.  The
 * pre-init leaves every other virtio PCI device unbound (see init/preinit/preinit.c for why).
 * -EBADMSG when PATH is not a newc archive with an /init, or has a pre-init already; the file
 * is then left as it was. */
int initrd_add_preinit(const char *path, const char *preinit, const char *virtio_keep);

#endif
