#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "appliance.h"
#include "contract.h"
#include "fileio.h"
#include "macro.h"

int appliance_check(const char *dir, const char **ret_missing)
{
        static const char *const parts[] = { "kernel", "initrd", "root", "cmdline", "manifest.json" };
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
                _cleanup_free_ char *p = path_join(dir, parts[i]);
                if (!p)
                        return -ENOMEM;
                if (access(p, R_OK) < 0) {
                        if (ret_missing)
                                *ret_missing = parts[i];
                        return -ENOENT;
                }
        }
        return 0;
}

char *appliance_default_cmdline(bool debug, const char *root_uuid)
{
        char *s = NULL;
        if (asprintf(&s, "%s %s root=UUID=%s", APPLIANCE_CMDLINE_BASE, debug ? CMDLINE_DEBUG : "quiet",
                     root_uuid) < 0)
                return NULL;
        return s;
}
