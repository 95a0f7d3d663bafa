#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "fileio.h"
#include "macro.h"
#include "spawn.h"

char *user_dir(const char *xdg_name, const char *under_home)
{
        const char *e = getenv(xdg_name);
        char *r = NULL;
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
        return asprintf(&r, "%s/%s/leanboot", e, under_home) < 0 ? NULL : r;
}

char *leanboot_cache_dir(void)
{
        const char *e = getenv("LEANBOOT_CACHE_DIR");
        if (e && *e)
                return strdup(e);
        return user_dir("XDG_CACHE_HOME", ".cache");
}

/* The next component of a path at *p ("" at the end), skipping "/" and "." ones. */
static size_t next_component(const char **p)
{
        for (;;) {
                *p += strspn(*p, "/");
                size_t n = strcspn(*p, "/");
                if (n == 1 && (*p)[0] == '.') {
                        *p += 1;
                        continue;
                }
                return n;
        }
}

char *path_relative(const char *from, const char *to)
{
        if (from[0] != '/' || to[0] != '/' || strstr(from, "..") || strstr(to, ".."))
                return NULL;
        const char *f = from, *t = to;
        for (;;) {
                const char *f2 = f, *t2 = t;
                size_t fn = next_component(&f2), tn = next_component(&t2);
                if (fn == 0 || fn != tn || strncmp(f2, t2, fn) != 0)
                        break;
                f = f2 + fn;
                t = t2 + tn;
        }
        /* A ".." for each component left in FROM, then what is left of TO. */
        size_t ups = 0;
        for (const char *q = f; next_component(&q) > 0; q += strcspn(q, "/"))
                ups++;
        next_component(&t);
        size_t rest = strlen(t);
        while (rest > 0 && t[rest - 1] == '/')
                rest--;
        char *r = malloc(ups * 3 + rest + 2);
        if (!r)
                return NULL;
        char *w = r;
        for (size_t i = 0; i < ups; i++)
                w = stpcpy(w, i + 1 < ups || rest ? "../" : "..");
        memcpy(w, t, rest);
        w[rest] = '\0';
        if (!*r)
                strcpy(r, ".");
        return r;
}

/* PATH with PROBE in it (or PATH itself) readable? */
static bool holds(const char *path, const char *probe)
{
        _cleanup_free_ char *look = probe ? path_join(path, probe) : NULL;
        return access(look ? look : path, R_OK) == 0;
}

char *shipped_path(const char *env_name, const char *build_rel, const char *probe, const char *installed)
{
        const char *e = getenv(env_name);
        if (e && *e)
                return strdup(e);
        _cleanup_free_ char *dir = self_dir();
        if (dir) {
                _cleanup_free_ char *p = path_join(dir, build_rel);
                if (p && holds(p, probe))
                        return TAKE_PTR(p);
                /* An installed tree moved elsewhere (make install DESTDIR=..., then copied): the
                 * file where the install put it relative to the binary. */
                _cleanup_free_ char *rel = path_relative(BINDIR, installed);
                _cleanup_free_ char *moved = rel ? path_join(dir, rel) : NULL;
                if (moved && holds(moved, probe))
                        return TAKE_PTR(moved);
        }
        return strdup(installed);
}
