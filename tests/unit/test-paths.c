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

/* A relocated install finds its files where make install put them relative to the binary. */
static void test_path_relative(void)
{
        static const struct {
                const char *from, *to, *want;
        } cases[] = {
                { "/usr/local/bin", "/usr/local/libexec/leanboot/leanboot-init", "../libexec/leanboot/leanboot-init" },
                { "/usr/bin", "/usr/share/leanboot/kernel-configs", "../share/leanboot/kernel-configs" },
                { "/usr/local/bin/", "/usr/local/bin/x", "x" },
                { "/opt/a/bin", "/usr/lib/x", "../../../usr/lib/x" },
                { "/usr//local/./bin", "/usr/local/share/", "../share" },
                { "/usr/local/bin", "/usr/local/bin", "." },
                { "/", "/etc/x", "etc/x" },
                { "/a/b", "/", "../.." },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *r = path_relative(cases[i].from, cases[i].to);
                CHECK(r && streq(r, cases[i].want), "%s to %s: %s", cases[i].from, cases[i].to, r ? r : "(none)");
                free(r);
        }
        CHECK(path_relative("usr/bin", "/x") == NULL, "a relative FROM: none");
        CHECK(path_relative("/usr/bin", "/usr/../x") == NULL, "a path with ..: none");
}

int main(void)
{
        test_path_relative();
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
