/* Where leanboot keeps its cache (common/paths.h): never a shared directory by default (the
 * audit found HOME unset gave /tmp/.cache/leanboot, where a planted kernel would be trusted). */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "common/macro.h"
#include "common/paths.h"

int main(void)
{
        unsetenv("LEANBOOT_CACHE_DIR");
        unsetenv("XDG_CACHE_HOME");
        setenv("HOME", "/home/someone", 1);
        char *d = leanboot_cache_dir();
        CHECK_STR(d, "/home/someone/.cache/leanboot", "HOME set: under it");
        free(d);
        setenv("XDG_CACHE_HOME", "/var/cache/x", 1);
        d = leanboot_cache_dir();
        CHECK_STR(d, "/var/cache/x/leanboot", "XDG_CACHE_HOME wins over HOME");
        free(d);
        unsetenv("XDG_CACHE_HOME");
        unsetenv("HOME");
        struct passwd *pw = getpwuid(getuid());
        d = leanboot_cache_dir();
        if (pw && pw->pw_dir && pw->pw_dir[0] == '/') {
                char *want = NULL;
                if (asprintf(&want, "%s/.cache/leanboot", pw->pw_dir) < 0)
                        want = NULL;
                CHECK(d && want && streq(d, want), "HOME unset: the user's home from the password database (%s)", d ? d : "none");
                free(want);
        } else
                CHECK(d == NULL, "HOME unset and no home: no cache directory, not /tmp");
        CHECK(!d || strncmp(d, "/tmp/", 5) != 0, "never under /tmp by default (%s)", d ? d : "none");
        free(d);
        setenv("LEANBOOT_CACHE_DIR", "/srv/lb", 1);
        d = leanboot_cache_dir();
        CHECK_STR(d, "/srv/lb", "LEANBOOT_CACHE_DIR wins");
        free(d);
        return tap_done();
}
