/* Module loading for the stock kernel.
 *
 * Debian ships no static libkmod.a, and the init must be static, so dependency resolution
 * happens on the host: the builder asks libkmod for each requested module's dependencies and
 * writes /etc/leanboot/modules, one path under /lib/modules/$(uname -r) per line, dependencies
 * first.  Here each is loaded with finit_module; EEXIST (already loaded, e.g. by supermin's
 * mini-initrd) counts as success. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "init.h"
#include "../common/fileio.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static bool is_compressed(const char *path)
{
        const char *dot = strrchr(path, '.');
        return dot && (streq(dot, ".xz") || streq(dot, ".zst") || streq(dot, ".gz"));
}

static int load_one(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int flags = is_compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;
        if (syscall(SYS_finit_module, fd, "", flags) < 0)
                return errno == EEXIST ? 1 : -errno;
        return 0;
}

int load_module_list(const char *list_path, unsigned *ret_loaded, unsigned *ret_present)
{
        _cleanup_free_ char *list = NULL;
        int r = read_full_file(list_path, &list, NULL);
        if (r == -ENOENT) {
                *ret_loaded = *ret_present = 0;
                return 0;
        }
        if (r < 0) {
                init_error("cannot read %s: %s", list_path, strerror(-r));
                return r;
        }
        struct utsname u;
        uname(&u);
        unsigned loaded = 0, present = 0;
        char *save = NULL;
        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '\0' || line[0] == '#')
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "/lib/modules/%s/%s", u.release, line) < 0)
                        return -ENOMEM;
                r = load_one(path);
                if (r < 0) {
                        /* A module for hardware the VM lacks fails with ENODEV; that is not fatal,
                         * but it is reported so that a wrong list is visible. */
                        init_error("cannot load module %s: %s", line, strerror(-r));
                        if (r != -ENODEV && r != -ENOENT)
                                return r;
                        continue;
                }
                if (r == 1)
                        present++;
                else
                        loaded++;
        }
        *ret_loaded = loaded;
        *ret_present = present;
        return 0;
}
