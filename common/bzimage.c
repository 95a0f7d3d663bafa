#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzimage.h"
#include "macro.h"

int bzimage_version(const char *path, char **ret_version)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char hdr[0x210];
        if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
                return -EINVAL;
        /* Boot protocol: "HdrS" at 0x202; the version string's offset (minus 0x200) at 0x20e. */
        if (memcmp(hdr + 0x202, "HdrS", 4) != 0)
                return -EINVAL;
        unsigned off = (unsigned)hdr[0x20e] | (unsigned)hdr[0x20f] << 8;
        char buf[256] = { 0 };
        if (off == 0 || pread(fd, buf, sizeof buf - 1, (off_t)off + 0x200) <= 0)
                return -EINVAL;
        buf[strcspn(buf, " ")] = '\0';
        if (!buf[0])
                return -EINVAL;
        *ret_version = strdup(buf);
        return *ret_version ? 0 : -ENOMEM;
}
