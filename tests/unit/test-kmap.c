/* The tailor's map (kernel/objsyms.c, kernel/kmakefile.c, kernel/callees.c): a function to the
 * object that defines it, read from real objects compiled here from a miniature kbuild tree
 * (tests/fixtures/kbuild); an object to the Kconfig options its Makefiles build it under; and
 * what a function calls, from the objects' relocations. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "common/spawn.h"
#include "common/strv.h"
#include "kernel/callees.h"
#include "kernel/kmakefile.h"
#include "kernel/objsyms.h"
#include "kernel/paramcost.h"

static const char *const sources[] = { "drivers/virtio/modern", "drivers/virtio/common", "drivers/virtio/legacy",
                                       "drivers/virtio/mmio",   "drivers/virtio/nommio", "drivers/virtio/blk",
                                       "drivers/base/core" };

/* Compile each fixture source into OBJDIR as kbuild would lay it out, and a composite object
 * linked from two of them (which the index must leave out: it only repeats its parts). */
static int compile_tree(const char *src, const char *objdir)
{
        for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
                _cleanup_free_ char *c = NULL, *o = NULL, *dir = NULL;
                if (asprintf(&c, "%s/%s.c", src, sources[i]) < 0 || asprintf(&o, "%s/%s.o", objdir, sources[i]) < 0 ||
                    asprintf(&dir, "%s/%s", objdir, sources[i]) < 0)
                        return -1;
                *strrchr(dir, '/') = '\0';
                /* core.c as the kernel compiles with ftrace: each function calls __fentry__ first */
                bool ftrace = strstr(sources[i], "/core") != NULL;
                char *argv[] = { "gcc", "-c", "-o", o, c, ftrace ? "-pg" : NULL, "-mfentry", NULL };
                if (mkdir_p(dir, 0755) < 0 || run_argv(argv, NULL) != 0)
                        return -1;
        }
        _cleanup_free_ char *out = NULL, *a = NULL, *b = NULL;
        if (asprintf(&out, "%s/drivers/virtio/virtio_pci.o", objdir) < 0 || asprintf(&a, "%s/drivers/virtio/modern.o", objdir) < 0 ||
            asprintf(&b, "%s/drivers/virtio/common.o", objdir) < 0)
                return -1;
        char *ld[] = { "ld", "-r", "-o", out, a, b, NULL };
        return run_argv(ld, NULL) == 0 ? 0 : -1;
}

static void check_options(const char *src, const char *obj, const char *want)
{
        char **opts = NULL;
        int r = kmakefile_object_options(src, obj, &opts);
        _cleanup_free_ char *got = opts ? strv_join(opts, " ") : strdup("");
        CHECK(r == 0 && got && streq(got, want), "%s: options '%s' (want '%s', r %d)", obj, got ? got : "?", want, r);
        strv_free(opts);
}

static void check_object(const struct objsyms *idx, const char *function, const char *want)
{
        size_t first = 0, n = objsyms_find(idx, function, &first);
        CHECK(n == 1 && streq(idx->v[first].object, want), "%s is defined in %s (%zu found%s%s)", function, want, n,
              n ? ": " : "", n ? idx->v[first].object : "");
}

/* Each callee as "path@object/depth", to compare with what the fixture calls. */
static char **callee_lines(const struct callee *cs, size_t n)
{
        char **lines = NULL;
        for (size_t i = 0; i < n; i++)
                if (strv_pushf(&lines, "%s@%s/%d", cs[i].path, cs[i].object, cs[i].depth) < 0)
                        break;
        return lines;
}

int main(void)
{
        const char *fixtures = getenv("FIXTURES");
        _cleanup_free_ char *src = NULL;
        if (asprintf(&src, "%s/kbuild", fixtures ? fixtures : "tests/fixtures") < 0)
                return 1;
        char tmpl[] = "/tmp/leanboot-test-kmap-XXXXXX";
        if (!mkdtemp(tmpl))
                return 1;
        if (compile_tree(src, tmpl) < 0) {
                CHECK(false, "compile the fixture tree with gcc and ld");
                rm_rf(tmpl);
                return tap_done();
        }
        struct objsyms idx = { 0 };
        CHECK(objsyms_index(tmpl, src, &idx) == 0, "index the tree");
        CHECK(idx.objects == ARRAY_SIZE(sources), "%zu objects compiled from sources, the composite left out (%zu)",
              ARRAY_SIZE(sources), idx.objects);
        check_object(&idx, "common_init", "drivers/virtio/common.o");
        check_object(&idx, "core_init", "drivers/base/core.o");
        size_t first = 0;
        CHECK(objsyms_find(&idx, "dup_init", &first) == 2 && streq(idx.v[first].object, "drivers/base/core.o") &&
                      streq(idx.v[first + 1].object, "drivers/virtio/blk.o"),
              "a static name defined twice: both objects, in order");
        CHECK(objsyms_find(&idx, "no_such_init", &first) == 0, "a function no object defines: none");

        /* The option naming the object first, then its composite's, then the directories'. */
        check_options(src, "drivers/virtio/common.o", "CONFIG_VIRTIO_PCI CONFIG_VIRTIO");
        check_options(src, "drivers/virtio/legacy.o", "CONFIG_VIRTIO_PCI_LEGACY CONFIG_VIRTIO_PCI CONFIG_VIRTIO");
        check_options(src, "drivers/virtio/mmio.o", "CONFIG_VIRTIO_MMIO CONFIG_VIRTIO");   /* inside ifdef */
        check_options(src, "drivers/virtio/nommio.o", "CONFIG_VIRTIO");                   /* its else: no option */
        check_options(src, "drivers/virtio/blk.o", "CONFIG_VIRTIO_BLK CONFIG_VIRTIO");     /* a continued line, not CFLAGS_ */
        check_options(src, "drivers/base/core.o", "");                                      /* obj-y all the way up */
        check_options(src, "drivers/base/pty.o", "CONFIG_LEGACY_PTYS|CONFIG_UNIX98_PTYS");  /* either builds it */
        check_options(src, "drivers/base/always.o", "");                                    /* one line needs nothing */
        check_options(src, "drivers/md/dm.o", "CONFIG_BLK_DEV_DM CONFIG_MD");                /* a composite named with a dash */
        check_options(src, "drivers/md/dm-ioctl.o", "CONFIG_BLK_DEV_DM CONFIG_MD");          /* continued */
        check_options(src, "drivers/md/dm-uevent.o", "CONFIG_DM_UEVENT CONFIG_BLK_DEV_DM CONFIG_MD");
        check_options(src, "drivers/md/dm-init.o", "CONFIG_BLK_DEV_DM CONFIG_MD");           /* dm-mod-objs */
        char **none = NULL;
        CHECK(kmakefile_object_options(src, "drivers/virtio/absent.o", &none) == -ENOENT && !none,
              "an object no Makefile names: -ENOENT");

        /* What an object's compile tested, from fixdep's list in its .cmd file (a real one). */
        _cleanup_free_ char *out = NULL;
        _cleanup_strv_free_ char **tested = NULL;
        if (asprintf(&out, "%s/kbuild-out", fixtures ? fixtures : "tests/fixtures") >= 0)
                CHECK(kbuild_object_tested(out, "drivers/tty/serial/8250/8250_core.o", &tested) == 0, "read 8250_core.o's .cmd");
        CHECK(strv_length(tested) == 25 && streq(tested[0], "CONFIG_SPARC") && strv_contains(tested, "CONFIG_SERIAL_8250_DETECT_IRQ") &&
                      strv_contains(tested, "CONFIG_MAGIC_SYSRQ_SERIAL") && !strv_contains(tested, "CONFIG_not_a_symbol"),
              "every config it tested, once, in order; not a path that is no symbol (%zu)", strv_length(tested));
        char **absent = NULL;
        CHECK(out && kbuild_object_tested(out, "drivers/virtio/blk.o", &absent) == -ENOENT && !absent,
              "an object not built there: -ENOENT");

        /* What core_init (an always-built initcall) reaches: another object's function, a static
         * helper in another section and what it calls, a function whose address it passes. */
        struct callee *cs = NULL;
        size_t ncs = 0;
        _cleanup_strv_free_ char **got1 = NULL, **got2 = NULL;
        CHECK(callees_reached(&idx, tmpl, "drivers/base/core.o", "core_init", 1, 100, &cs, &ncs) == 0, "core_init's callees");
        got1 = callee_lines(cs, ncs);
        _cleanup_free_ char *joined1 = got1 ? strv_join(got1, " ") : NULL;
        CHECK(ncs == 5 && strv_contains(got1, "common_init@drivers/virtio/common.o/1") &&
                      strv_contains(got1, "core_helper@drivers/base/core.o/1") && strv_contains(got1, "core_same@drivers/base/core.o/1") &&
                      strv_contains(got1, "modern_init@drivers/virtio/modern.o/1") &&
                      strv_contains(got1, "register_probe@drivers/base/core.o/1"),
              "depth 1: a call out, static callees of another section and of its own, an address passed on, a global of "
              "its own; not __fentry__ (%s)", joined1 ? joined1 : "");
        callees_free(cs, ncs);
        cs = NULL;
        CHECK(callees_reached(&idx, tmpl, "drivers/base/core.o", "core_init", 2, 100, &cs, &ncs) == 0, "two levels");
        got2 = callee_lines(cs, ncs);
        _cleanup_free_ char *joined2 = got2 ? strv_join(got2, " ") : NULL;
        CHECK(ncs == 7 && strv_contains(got2, "core_helper > legacy_init@drivers/virtio/legacy.o/2") &&
                      strv_contains(got2, "core_same > mmio_init@drivers/virtio/mmio.o/2") && cs[5].depth == 2 && cs[6].depth == 2,
              "depth 2: what the helpers call, last (%s)", joined2 ? joined2 : "");
        callees_free(cs, ncs);
        cs = NULL;
        CHECK(callees_reached(&idx, tmpl, "drivers/base/core.o", "core_init", 2, 2, &cs, &ncs) == 0 && ncs == 2, "at most MAX");
        callees_free(cs, ncs);
        CHECK(callees_reached(&idx, tmpl, "drivers/base/core.o", "no_such_init", 2, 100, &cs, &ncs) == -ENOENT,
              "a function the object does not define: -ENOENT");
        _cleanup_strv_free_ char **copts = NULL, **cpaths = NULL;
        _cleanup_free_ char *copt_list = NULL;
        CHECK(callees_options(&idx, tmpl, src, "drivers/base/core.o", "core_init", 2, 100, &copts, &cpaths) == 0 &&
                      (copt_list = strv_join(copts, " ")) &&
                      streq(copt_list, "CONFIG_VIRTIO_PCI CONFIG_VIRTIO_PCI_LEGACY CONFIG_VIRTIO_MMIO") &&
                      strv_contains(cpaths, "core_helper > legacy_init (drivers/virtio/legacy.o)"),
              "the options they need, nearest first, each with its first path (%s)", copt_list ? copt_list : "");

        /* Module parameters: what param_sysfs_init's cost is shared by (paramcost.h). */
        unsigned visible = 99;
        _cleanup_free_ char *blk = NULL;
        CHECK(asprintf(&blk, "%s/drivers/virtio/blk.o", tmpl) >= 0 && elf_module_params(blk, &visible) == 0 && visible == 2,
              "blk.o: two parameters sysfs shows, one it does not (%u)", visible);
        size_t core_at = idx.nparams == 2 && streq(idx.params[1].object, "drivers/base/core.o");
        CHECK(idx.nparams == 2 && streq(idx.params[core_at].object, "drivers/base/core.o") && idx.params[core_at].visible == 1 &&
                      streq(idx.params[!core_at].object, "drivers/virtio/blk.o") && idx.params[!core_at].visible == 2,
              "the index lists the two objects with parameters (%zu)", idx.nparams);
        struct kconfig ref = { 0 };
        struct param_share *shares = NULL;
        size_t nshares = 0;
        CHECK(kconfig_parse("CONFIG_VIRTIO=y\nCONFIG_VIRTIO_BLK=y\n", "ref", &ref, NULL) == 0, "a config with virtio-blk built in");
        CHECK(param_shares(&idx, src, &ref, &shares, &nshares) == 0 && nshares == 1 && streq(shares[0].option, "CONFIG_VIRTIO_BLK") &&
                      shares[0].params == 2 && shares[0].share > 0.7499 && shares[0].share < 0.7501 &&
                      streq(shares[0].object, "drivers/virtio/blk.o"),
              "VIRTIO_BLK's share: (2 + 4) of (2 + 4) + (1 + 1), core.o's counted but its own (%zu: %s %.4f)", nshares,
              nshares ? shares[0].option : "-", nshares ? shares[0].share : 0);
        param_shares_free(shares, nshares);
        kconfig_free(&ref);
        CHECK(kconfig_parse("CONFIG_VIRTIO=y\nCONFIG_VIRTIO_BLK=m\n", "ref", &ref, NULL) == 0, "virtio-blk a module");
        CHECK(param_shares(&idx, src, &ref, &shares, &nshares) == 0 && nshares == 0, "a module's parameters are not the boot's");
        param_shares_free(shares, nshares);
        kconfig_free(&ref);

        /* Not an object: refused, not read past its end. */
        _cleanup_free_ char *bad = NULL;
        char **syms = NULL;
        if (asprintf(&bad, "%s/not-elf.o", tmpl) >= 0 && write_file_atomic(bad, "\177ELF\2\1\1", 7, 0644) == 0)
                CHECK(elf_function_symbols(bad, &syms, NULL) == -EBADMSG && !syms, "a truncated ELF: -EBADMSG");
        char **here = NULL, **elsewhere = NULL;
        CHECK(bad && elf_function_callees(bad, "core_init", &here, &elsewhere) == -EBADMSG && !here && !elsewhere,
              "its callees: -EBADMSG");
        CHECK(bad && elf_module_params(bad, &visible) == -EBADMSG, "its module parameters: -EBADMSG");
        /* The __fentry__ call of -pg -mfentry is in the object, and left out. */
        _cleanup_free_ char *core = NULL;
        if (asprintf(&core, "%s/drivers/base/core.o", tmpl) >= 0 && elf_function_callees(core, "core_init", &here, &elsewhere) == 0) {
                CHECK(!strv_contains(elsewhere, "__fentry__") && strv_contains(elsewhere, "common_init"),
                      "the compiler's __fentry__ is no callee");
                strv_free(here);
                strv_free(elsewhere);
        } else {
                CHECK(false, "read core.o's callees");
        }
        objsyms_free(&idx);
        rm_rf(tmpl);
        return tap_done();
}
