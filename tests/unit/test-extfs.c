/* The root's superblock (common/extfs.c) on real file systems made by e2fsprogs' mke2fs: the UUID
 * the builder names the root by, which driver can mount it, and which configs lack that driver. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "common/extfs.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "common/spawn.h"

#define UUID "5f1c1a7e-2b3d-4c5e-8f90-a1b2c3d4e5f6"

static int make_fs(const char *type, const char *path)
{
        char *argv[] = { "mke2fs", "-q", "-F", "-t", (char *)type, "-U", UUID, (char *)path, "4M", NULL };
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        return run_argv(argv, &so);
}

static const char *lacks(const char *config, const struct extfs_info *fs)
{
        static char buf[160];
        struct kconfig c = { 0 };
        if (kconfig_parse(config, "test", &c, NULL) < 0)
                return "unparsable";
        const char *l = extfs_kconfig_lacks(&c, fs);
        snprintf(buf, sizeof buf, "%s", l ? l : "");
        kconfig_free(&c);
        return l ? buf : NULL;
}

int main(void)
{
        if (!program_in_path("mke2fs")) {
                SKIP("mke2fs (e2fsprogs) is not installed");
                return tap_done();
        }
        char dir[] = "/tmp/test-extfs-XXXXXX";
        if (!mkdtemp(dir))
                return 99;
        _cleanup_free_ char *img = path_join(dir, "fs.img");
        static const struct {
                const char *type;
                bool needs_ext4;
        } cases[] = { { "ext2", false }, { "ext3", false }, { "ext4", true } };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                unlink(img);
                CHECK(make_fs(cases[i].type, img) == 0, "mke2fs -t %s", cases[i].type);
                struct extfs_info fs;
                CHECK(extfs_read(img, &fs) == 0, "%s: read", cases[i].type);
                CHECK_STR(fs.uuid, UUID, "the UUID mke2fs was given");
                CHECK(fs.needs_ext4 == cases[i].needs_ext4, "%s: %s", cases[i].type,
                      cases[i].needs_ext4 ? "only ext4's driver mounts it" : "ext2's driver mounts it");
                if (cases[i].needs_ext4) {
                        CHECK(lacks("CONFIG_EXT4_FS=y\n", &fs) == NULL, "ext4: EXT4_FS mounts it");
                        CHECK(lacks("CONFIG_EXT2_FS=y\n", &fs) != NULL, "ext4: EXT2_FS does not");
                } else {
                        CHECK(lacks("CONFIG_EXT2_FS=y\n", &fs) == NULL, "%s: EXT2_FS mounts it", cases[i].type);
                        CHECK(lacks("CONFIG_EXT4_FS=y\nCONFIG_EXT4_USE_FOR_EXT2=y\n", &fs) == NULL,
                              "%s: EXT4_FS with EXT4_USE_FOR_EXT2 mounts it", cases[i].type);
                        CHECK(lacks("CONFIG_EXT4_FS=y\n# CONFIG_EXT4_USE_FOR_EXT2 is not set\n", &fs) != NULL,
                              "%s: EXT4_FS without EXT4_USE_FOR_EXT2 does not", cases[i].type);
                        CHECK(lacks("CONFIG_EXT2_FS=m\n", &fs) != NULL, "%s: a module is not built in", cases[i].type);
                }
        }
        /* Not a file system: refused, whatever its size. */
        struct extfs_info fs;
        CHECK(write_file_atomic(img, "", 0, 0644) == 0 && extfs_read(img, &fs) == -EINVAL, "an empty image: -EINVAL");
        char zeros[4096] = { 0 };
        CHECK(write_file_atomic(img, zeros, sizeof zeros, 0644) == 0 && extfs_read(img, &fs) == -EINVAL, "zeros: -EINVAL");
        CHECK(extfs_read("/nonexistent/root", &fs) == -ENOENT, "a missing image: -ENOENT");
        unlink(img);
        rmdir(dir);
        return tap_done();
}
