/* See initrd-format.h.  The magics are those the kernel's lib/decompress.c knows, and cpio's
 * "newc" headers, which init/initramfs.c reads. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "initrd-format.h"
#include "macro.h"

static const struct {
        const char *magic;
        size_t len;
        struct initrd_format format;
} formats[] = {
        { "070701", 6, { "cpio", NULL } },
        { "070702", 6, { "cpio", NULL } },
        { "\x1f\x8b", 2, { "gzip", "CONFIG_RD_GZIP" } },
        { "\x1f\x9e", 2, { "gzip", "CONFIG_RD_GZIP" } },
        { "BZh", 3, { "bzip2", "CONFIG_RD_BZIP2" } },
        { "\x5d\x00\x00", 3, { "lzma", "CONFIG_RD_LZMA" } },
        { "\xfd" "7zXZ\x00", 6, { "xz", "CONFIG_RD_XZ" } },
        { "\x89LZO", 4, { "lzo", "CONFIG_RD_LZO" } },
        { "\x02\x21\x4c\x18", 4, { "lz4", "CONFIG_RD_LZ4" } },
        { "\x28\xb5\x2f\xfd", 4, { "zstd", "CONFIG_RD_ZSTD" } },
};

int initrd_format_read(const char *initrd, struct initrd_format *ret)
{
        _cleanup_close_ int fd = open(initrd, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char head[8];
        ssize_t n = pread(fd, head, sizeof head, 0);
        if (n < 0)
                return -errno;
        for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
                if ((size_t)n >= formats[i].len && memcmp(head, formats[i].magic, formats[i].len) == 0) {
                        *ret = formats[i].format;
                        return 0;
                }
        return -EINVAL;
}

const char *initrd_kconfig_lacks(const struct kconfig *c, const struct initrd_format *f)
{
        if (!streq(kconfig_value(c, "CONFIG_BLK_DEV_INITRD"), "y"))
                return "CONFIG_BLK_DEV_INITRD";
        if (f->decompressor && !streq(kconfig_value(c, f->decompressor), "y"))
                return f->decompressor;
        return NULL;
}
