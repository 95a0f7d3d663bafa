#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"

char *leanboot_cache_dir(void)
{
        const char *e = getenv("LEANBOOT_CACHE_DIR");
        char *r = NULL;
        if (e && *e)
                return strdup(e);
        e = getenv("XDG_CACHE_HOME");
        if (e && *e)
                return asprintf(&r, "%s/leanboot", e) < 0 ? NULL : r;
        e = getenv("HOME");
        return asprintf(&r, "%s/.cache/leanboot", e && *e ? e : "/tmp") < 0 ? NULL : r;
}
