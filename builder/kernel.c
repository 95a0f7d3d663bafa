#include <config.h>

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel.h"
#include "../common/macro.h"

static bool has_modules(const char *version)
{
        char p[512];
        snprintf(p, sizeof p, "/lib/modules/%s/modules.dep", version);
        return access(p, R_OK) == 0;
}

int pick_stock_kernel(char **ret_path, char **ret_version)
{
        struct utsname u;
        uname(&u);
        _cleanup_free_ char *best = NULL;
        _cleanup_closedir_ DIR *d = opendir("/boot");
        if (!d)
                return -errno;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strncmp(e->d_name, "vmlinuz-", 8) != 0)
                        continue;
                const char *ver = e->d_name + 8;
                if (!has_modules(ver))
                        continue;
                if (streq(ver, u.release)) {
                        free(best);
                        best = strdup(ver);
                        break;
                }
                if (!best || strverscmp(ver, best) > 0) {
                        free(best);
                        best = strdup(ver);
                }
        }
        if (!best)
                return -ENOENT;
        if (asprintf(ret_path, "/boot/vmlinuz-%s", best) < 0)
                return -ENOMEM;
        *ret_version = TAKE_PTR(best);
        return 0;
}

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
