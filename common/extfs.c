/* See extfs.h.  Offsets and feature bits are those of the kernel's fs/ext4/ext4.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "extfs.h"
#include "fileio.h"
#include "macro.h"

#define SB_OFFSET 1024
#define SB_MAGIC 56        /* __le16 s_magic, 0xEF53 */
#define SB_REV_LEVEL 76    /* __le32: features are defined from revision 1 on */
#define SB_INCOMPAT 96     /* __le32 s_feature_incompat */
#define SB_RO_COMPAT 100   /* __le32 s_feature_ro_compat */
#define SB_UUID 104        /* u8 s_uuid[16] */
/* What fs/ext2 mounts read-write: incompat FILETYPE and META_BG; ro_compat SPARSE_SUPER,
 * LARGE_FILE and BTREE_DIR.  A journal (a compat feature) does not stop it. */
#define EXT2_INCOMPAT_OK (0x0002u | 0x0010u)
#define EXT2_RO_COMPAT_OK (0x0001u | 0x0002u | 0x0004u)

static uint32_t le32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int extfs_read(const char *image, struct extfs_info *ret)
{
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char sb[1024];
        if (pread(fd, sb, sizeof sb, SB_OFFSET) != (ssize_t)sizeof sb)
                return -EINVAL;
        if (sb[SB_MAGIC] != 0x53 || sb[SB_MAGIC + 1] != 0xef)
                return -EINVAL;
        const unsigned char *u = sb + SB_UUID;
        snprintf(ret->uuid, sizeof ret->uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        bool rev1 = le32(sb + SB_REV_LEVEL) >= 1;
        ret->needs_ext4 = rev1 && ((le32(sb + SB_INCOMPAT) & ~EXT2_INCOMPAT_OK) != 0 ||
                                   (le32(sb + SB_RO_COMPAT) & ~EXT2_RO_COMPAT_OK) != 0);
        return 0;
}

static bool built_in(const struct kconfig *c, const char *name)
{
        return streq(kconfig_value(c, name), "y");
}

const char *extfs_kconfig_lacks(const struct kconfig *c, const struct extfs_info *fs)
{
        bool ext4 = built_in(c, "CONFIG_EXT4_FS");
        if (fs->needs_ext4)
                return ext4 ? NULL : "CONFIG_EXT4_FS is not set";
        if (built_in(c, "CONFIG_EXT2_FS") || (ext4 && built_in(c, "CONFIG_EXT4_USE_FOR_EXT2")))
                return NULL;
        return "neither CONFIG_EXT2_FS nor CONFIG_EXT4_FS with CONFIG_EXT4_USE_FOR_EXT2";
}
