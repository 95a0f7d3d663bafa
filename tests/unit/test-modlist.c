/* Module list resolution with the real libkmod against the host's installed Debian kernel. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "builder/kernel.h"
#include "builder/modlist.h"
#include "common/macro.h"

static ssize_t index_of(const struct modlist *l, const char *suffix)
{
        size_t sl = strlen(suffix);
        for (size_t i = 0; i < l->n; i++) {
                size_t pl = strlen(l->paths[i]);
                if (pl >= sl && strcmp(l->paths[i] + pl - sl, suffix) == 0 &&
                    (pl == sl || l->paths[i][pl - sl - 1] == '/'))
                        return (ssize_t)i;
        }
        return -1;
}

static void test_format_parse(void)
{
        struct modlist l = { NULL, 0 };
        CHECK(modlist_parse("# comment\n\nkernel/a.ko\nkernel/b.ko  \nkernel/a.ko\n", &l) == 0, "parse");
        CHECK(l.n == 2, "duplicates and comments dropped (%zu entries)", l.n);
        _cleanup_free_ char *t = NULL;
        CHECK(modlist_format(&l, &t) == 0, "format");
        CHECK_STR(t, "kernel/a.ko\nkernel/b.ko\n", "formatted list");
        modlist_free(&l);
        _cleanup_free_ char *empty = NULL;
        CHECK(modlist_format(&l, &empty) == 0 && empty[0] == '\0', "an empty list formats as nothing");
}

static void test_resolve(const char *moddir)
{
        struct modlist l = { NULL, 0 };
        char *one[] = { "loop" };
        CHECK(modlist_resolve(moddir, one, 1, &l, NULL) == 0, "resolve loop");
        CHECK(l.n == 1 && index_of(&l, "loop.ko") == 0, "loop has no dependencies (%zu)", l.n);
        CHECK(l.n > 0 && l.paths[0][0] != '/', "paths are relative to the module directory");
        modlist_free(&l);

        /* ext4 needs jbd2 and mbcache; both must load before it. */
        char *two[] = { "ext4", "ext4" };
        CHECK(modlist_resolve(moddir, two, 2, &l, NULL) == 0, "resolve ext4 twice");
        ssize_t e = index_of(&l, "ext4.ko"), j = index_of(&l, "jbd2.ko"), m = index_of(&l, "mbcache.ko");
        CHECK(e >= 0 && j >= 0 && m >= 0, "ext4, jbd2, mbcache listed");
        CHECK(j < e && m < e, "dependencies before ext4 (jbd2 %zd, mbcache %zd, ext4 %zd)", j, m, e);
        CHECK(e == (ssize_t)l.n - 1, "ext4 itself last");
        size_t n_once = l.n;
        modlist_free(&l);
        CHECK(modlist_resolve(moddir, two, 1, &l, NULL) == 0 && l.n == n_once, "asking twice adds nothing");
        modlist_free(&l);

        /* An alias resolves to its module. */
        char *alias[] = { "fs-vfat" };
        CHECK(modlist_resolve(moddir, alias, 1, &l, NULL) == 0 && index_of(&l, "vfat.ko") >= 0 &&
                      index_of(&l, "fat.ko") < index_of(&l, "vfat.ko"),
              "alias fs-vfat gives fat then vfat");
        modlist_free(&l);

        char *bad[] = { "loop", "no_such_module_xyz" };
        char *which = NULL;
        CHECK(modlist_resolve(moddir, bad, 2, &l, &which) == -ENOENT, "unknown module is -ENOENT");
        CHECK_STR(which, "no_such_module_xyz", "the unknown name is reported");
        free(which);
}

int main(void)
{
        test_format_parse();
        char *kpath = NULL, *kver = NULL;
        if (pick_stock_kernel(&kpath, &kver) < 0) {
                printf("# SKIP: no Debian kernel with modules installed\n");
                tap_done();
                return 77;
        }
        char moddir[512];
        snprintf(moddir, sizeof moddir, "/lib/modules/%s", kver);
        printf("# resolving against %s\n", moddir);
        test_resolve(moddir);
        free(kpath);
        free(kver);
        return tap_done();
}
