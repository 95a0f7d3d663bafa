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
