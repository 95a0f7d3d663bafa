/* The initrd's format (common/initrd-format.c) on real initrds: a newc cpio made by cpio, as
 * supermin makes one, and that cpio through each compressor the kernel unpacks; and which
 * configs lack what unpacks each. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/initrd-format.h"
#include "common/macro.h"
#include "common/spawn.h"

static int sh(const char *script)
{
        char *argv[] = { "sh", "-ec", (char *)script, NULL };
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        return run_argv(argv, &so);
}

static const char *lacks(const char *config, const struct initrd_format *f)
{
        struct kconfig c = { 0 };
        if (kconfig_parse(config, "test", &c, NULL) < 0)
                return "unparsable";
        const char *l = initrd_kconfig_lacks(&c, f);
        kconfig_free(&c);
        return l;
}

int main(void)
{
        if (!program_in_path("cpio")) {
                SKIP("cpio is not installed");
                return tap_done();
        }
        char dir[] = "/tmp/test-initrd-XXXXXX";
        if (!mkdtemp(dir))
                return 99;
        _cleanup_free_ char *make_cpio = NULL;
        if (asprintf(&make_cpio, "cd %s && mkdir -p root/sbin && echo '#!/bin/sh' >root/init && "
                                 "cd root && find . | cpio -o -H newc --quiet >../initrd.cpio", dir) < 0)
                return 99;
        CHECK(sh(make_cpio) == 0, "a newc cpio made by cpio");
        static const struct {
                const char *tool, *command, *name, *option;
        } cases[] = {
                { "cpio", "cat", "cpio", NULL },
                { "gzip", "gzip -c", "gzip", "CONFIG_RD_GZIP" },
                { "bzip2", "bzip2 -c", "bzip2", "CONFIG_RD_BZIP2" },
                { "xz", "xz -c --format=lzma", "lzma", "CONFIG_RD_LZMA" },
                { "xz", "xz -c --check=crc32", "xz", "CONFIG_RD_XZ" },
                { "lzop", "lzop -c", "lzo", "CONFIG_RD_LZO" },
                { "lz4", "lz4 -l -c", "lz4", "CONFIG_RD_LZ4" }, /* the legacy frame, as the kernel's scripts make */
                { "zstd", "zstd -q -c", "zstd", "CONFIG_RD_ZSTD" },
        };
        _cleanup_free_ char *path = path_join(dir, "initrd");
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                if (!program_in_path(cases[i].tool)) {
                        SKIP("%s is not installed", cases[i].tool);
                        continue;
                }
                _cleanup_free_ char *script = NULL;
                if (asprintf(&script, "cd %s && %s initrd.cpio >initrd", dir, cases[i].command) < 0)
                        return 99;
                struct initrd_format f = { 0 };
                CHECK(sh(script) == 0 && initrd_format_read(path, &f) == 0, "%s: read", cases[i].command);
                CHECK(f.name && streq(f.name, cases[i].name), "%s: format %s (want %s)", cases[i].command, f.name ? f.name : "(none)",
                      cases[i].name);
                CHECK(lacks("# CONFIG_BLK_DEV_INITRD is not set\nCONFIG_RD_GZIP=y\n", &f) &&
                              streq(lacks("# CONFIG_BLK_DEV_INITRD is not set\n", &f), "CONFIG_BLK_DEV_INITRD"),
                      "%s: nothing unpacks it without BLK_DEV_INITRD", cases[i].name);
                if (!cases[i].option) {
                        CHECK(lacks("CONFIG_BLK_DEV_INITRD=y\n", &f) == NULL, "cpio: BLK_DEV_INITRD alone unpacks it");
                        continue;
                }
                _cleanup_free_ char *with = NULL, *module = NULL;
                if (asprintf(&with, "CONFIG_BLK_DEV_INITRD=y\n%s=y\n", cases[i].option) < 0 ||
                    asprintf(&module, "CONFIG_BLK_DEV_INITRD=y\n%s=m\n", cases[i].option) < 0)
                        return 99;
                CHECK(lacks(with, &f) == NULL, "%s: BLK_DEV_INITRD and %s unpack it", cases[i].name, cases[i].option);
                const char *l = lacks("CONFIG_BLK_DEV_INITRD=y\n", &f);
                CHECK(l && streq(l, cases[i].option), "%s: without its decompressor, %s is named", cases[i].name, cases[i].option);
                CHECK(lacks(module, &f) != NULL, "%s: a decompressor as a module does not count", cases[i].name);
        }
        /* Not an initrd the kernel unpacks: refused. */
        struct initrd_format f;
        CHECK(write_file_atomic(path, "", 0, 0644) == 0 && initrd_format_read(path, &f) == -EINVAL, "an empty file: -EINVAL");
        CHECK(write_file_atomic(path, "#!/bin/sh\n", 10, 0644) == 0 && initrd_format_read(path, &f) == -EINVAL,
              "a script: -EINVAL");
        CHECK(initrd_format_read("/nonexistent/initrd", &f) == -ENOENT, "a missing initrd: -ENOENT");
        _cleanup_free_ char *rm = NULL;
        if (asprintf(&rm, "rm -rf %s", dir) >= 0)
                sh(rm);
        return tap_done();
}
