/* An appliance's kernel stored uncompressed.
 *
 * A bzImage decompresses itself before it runs.  Under TCG that is most of the stock Debian
 * kernel's time before its first instruction of C: 8 MB of XZ become 66 MB, about 2.6 s of the
 * 2.9 s from QEMU's start to the kernel's (measured with `leanboot bench`).  QEMU boots an ELF
 * vmlinux directly when it carries a PVH entry point (CONFIG_PVH, which Debian enables), so the
 * builder stores the same kernel, byte for byte the code the bzImage holds, already unpacked.
 * KASLR, done by the decompressor, does not happen on that path. */
#ifndef LEANBOOT_VMLINUX_H
#define LEANBOOT_VMLINUX_H

/* Unpack BZIMAGE's payload into OUT (an ELF vmlinux), using WORKDIR for a temporary file.
 * Returns 0; or -EMEDIUMTYPE when the kernel cannot be booted that way (not a bzImage, an
 * unknown compression, no PVH entry point) with *ret_why saying which (malloc'd), OUT absent;
 * or another -errno. */
int vmlinux_unpack(const char *bzimage, const char *out, const char *workdir, char **ret_why);

/* True when PATH is an ELF file with a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY). */
int vmlinux_has_pvh_entry(const char *path);

#endif
