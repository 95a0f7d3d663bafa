#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "fileio.h"
#include "macro.h"
#include "spawn.h"

char *leanboot_cache_dir(void)
{
        const char *e = getenv("LEANBOOT_CACHE_DIR");
        char *r = NULL;
        if (e && *e)
                return strdup(e);
        e = getenv("XDG_CACHE_HOME");
        if (e && *e)
                return asprintf(&r, "%s/leanboot", e) < 0 ? NULL : r;
        /* Without HOME, the user's home from the password database: never a shared directory
         * such as /tmp, where another user could plant a "cached" kernel that would be trusted. */
        e = getenv("HOME");
        if (!e || !*e) {
                struct passwd *pw = getpwuid(getuid());
                e = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
        }
        if (!e) {
                errno = ENOENT;
                return NULL;
        }
        return asprintf(&r, "%s/.cache/leanboot", e) < 0 ? NULL : r;
}

char *shipped_path(const char *env_name, const char *build_rel, const char *probe, const char *installed)
{
        const char *e = getenv(env_name);
        if (e && *e)
                return strdup(e);
        _cleanup_free_ char *dir = self_dir();
        _cleanup_free_ char *p = dir ? path_join(dir, build_rel) : NULL;
        _cleanup_free_ char *look = p && probe ? path_join(p, probe) : NULL;
        if (p && access(look ? look : p, R_OK) == 0)
                return TAKE_PTR(p);
        return strdup(installed);
}
