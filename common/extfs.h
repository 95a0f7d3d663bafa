/* The ext2/3/4 superblock of an appliance's root: the UUID the builder names the root by, and
 * which of the kernel's drivers can mount it (the tailor keeps the options that do). */
#ifndef LEANBOOT_EXTFS_H
#define LEANBOOT_EXTFS_H

#include <stdbool.h>

#include "kconfig.h"

struct extfs_info {
        char uuid[37];
        bool needs_ext4; /* features ext2's driver lacks (extents, 64bit, flex_bg, huge files...) */
};

/* 0, or -EINVAL when IMAGE holds no ext2/3/4 file system (-errno when it cannot be read). */
int extfs_read(const char *image, struct extfs_info *ret);
/* NULL when config C mounts it with a built-in driver; else what it lacks (a static string). */
const char *extfs_kconfig_lacks(const struct kconfig *c, const struct extfs_info *fs);

#endif
