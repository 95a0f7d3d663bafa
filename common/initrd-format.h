/* The format of an appliance's initrd, read from its first bytes, and the kernel options that
 * unpack it: the tailor keeps them without a build (a kernel without them cannot find the
 * appliance's init: "VFS: Unable to mount root fs on unknown-block(0,0)"). */
#ifndef LEANBOOT_INITRD_FORMAT_H
#define LEANBOOT_INITRD_FORMAT_H

#include "kconfig.h"

struct initrd_format {
        const char *name;         /* "cpio", "gzip", "zstd"... */
        const char *decompressor; /* "CONFIG_RD_GZIP", or NULL for a plain cpio (supermin's) */
};

/* 0; -EINVAL when INITRD starts with none of the formats the kernel unpacks (-errno when it
 * cannot be read).  Only the first member is read: an initrd of several (a microcode cpio,
 * then a compressed one) is named by its first. */
int initrd_format_read(const char *initrd, struct initrd_format *ret);
/* NULL when config C unpacks it with what is built in; else the option it lacks
 * ("CONFIG_BLK_DEV_INITRD", "CONFIG_RD_ZSTD"; static). */
const char *initrd_kconfig_lacks(const struct kconfig *c, const struct initrd_format *f);

#endif
