/* leanboot build: the lean init's tree (stage.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readahead-list.h"
#include "stage.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/spawn.h"
#include "../common/strv.h"

/* /etc/leanboot/readahead for the libguestfs profile: guestfsd (read from the supermin.d's
 * tarball into a scratch copy, for the loader to list) and udev, with their libraries. */
static int write_readahead_list(const char *stage, const char *smd)
{
        _cleanup_strv_free_ char **list = NULL;
        _cleanup_free_ char *scratch = path_join(stage, "..");
        _cleanup_free_ char *tarball = smd_tarball_with(smd, NULL, "usr/sbin/guestfsd");
        _cleanup_free_ char *daemon = scratch ? path_join(scratch, "usr/sbin/guestfsd") : NULL;
        if (!scratch || !daemon)
                return -ENOMEM;
        int r = 0;
        if (tarball) {
                char *tar[] = { "tar", "-xzf", tarball, "-C", scratch, "usr/sbin/guestfsd", NULL };
                if (run_argv(tar, NULL) == 0)
                        r = readahead_add_program(&list, "/usr/sbin/guestfsd", daemon);
                _cleanup_free_ char *usr = path_join(scratch, "usr");
                if (usr)
                        rm_rf(usr);
        }
        const char *udevd = NULL;
        static const char *const udevds[] = { "/lib/systemd/systemd-udevd", "/usr/lib/systemd/systemd-udevd" };
        for (size_t i = 0; i < ARRAY_SIZE(udevds) && !udevd; i++)
                if (access(udevds[i], X_OK) == 0)
                        udevd = udevds[i];
        if (r >= 0 && udevd)
                r = readahead_add_program(&list, udevd, udevd);
        if (r >= 0 && access("/usr/bin/udevadm", X_OK) == 0)
                r = readahead_add_program(&list, "/usr/bin/udevadm", "/usr/bin/udevadm");
        if (r < 0)
                return r;
        _cleanup_free_ char *text = strv_join(list, "\n");
        _cleanup_free_ char *text_nl = NULL;
        if (!text || asprintf(&text_nl, "%s\n", text) < 0)
                return -ENOMEM;
        return write_text_file(stage, APPLIANCE_READAHEAD_LIST + 1, text_nl, 0644);
}

/* The tree that becomes leanboot.tar.gz in supermin.d: /init and /etc/leanboot. */
/* /init and the mount points it uses. */
static int stage_init(const char *stage, const struct build_plan *p)
{
        int r = mkdir_p(stage, 0755);
        _cleanup_free_ char *init = path_join(stage, "init");
        if (r >= 0)
                r = init ? copy_file(p->init_path, init) : -ENOMEM;
        if (r >= 0)
                r = chmod(init, 0755) < 0 ? -errno : 0;
        if (r < 0)
                return log_error_errno(r, "cannot install the init into the appliance");
        /* The init's mount points, made here: created at boot, the first of them costs about
         * 20 ms under TCG (the first allocation on the ext2 root reads its bitmaps). */
        static const struct { const char *path; mode_t mode; } mount_points[] = {
                { "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 }, { "run", 0755 }, { "tmp", 01777 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(mount_points) && r >= 0; i++) {
                _cleanup_free_ char *d = path_join(stage, mount_points[i].path);
                r = !d ? -ENOMEM : mkdir(d, mount_points[i].mode) < 0 && errno != EEXIST ? -errno : 0;
                if (r >= 0 && chmod(d, mount_points[i].mode) < 0)
                        r = -errno;
        }
        if (r < 0)
                return log_error_errno(r, "cannot create the appliance's mount points");
        return 0;
}

/* /etc/leanboot: the module lists, static nodes, profile, readahead list, shim and --run. */
static int stage_etc(const char *stage, const struct build_opts *o, const struct build_plan *p)
{
        _cleanup_free_ char *mods = NULL;
        int r = modlist_format(&p->modules, &mods);
        if (r >= 0)
                r = write_text_file(stage, APPLIANCE_MODULES_LIST + 1, mods, 0644);
        if (r >= 0 && p->network_modules.n > 0) {
                _cleanup_free_ char *net = NULL;
                r = modlist_format(&p->network_modules, &net);
                if (r >= 0)
                        r = write_text_file(stage, APPLIANCE_NETWORK_MODULES_LIST + 1, net, 0644);
        }
        if (r >= 0 && p->moddir) {
                /* The static nodes the init creates (init/devnodes.c), copied out of the
                 * kernel's modules directory, so that the init reads no more than /etc/leanboot
                 * before the payload (see there for what that saves and what it does not). */
                _cleanup_free_ char *devname = path_join(p->moddir, "modules.devname"), *text = NULL;
                if (devname && read_full_file(devname, &text, NULL) == 0)
                        r = write_text_file(stage, APPLIANCE_STATIC_NODES + 1, text, 0644);
        }
        bool guestfs = p->profile == PROFILE_LIBGUESTFS;
        if (r >= 0 && guestfs)
                r = write_text_file(stage, APPLIANCE_PROFILE_FILE + 1, APPLIANCE_PROFILE_LIBGUESTFS "\n", 0644);
        if (r >= 0 && guestfs)
                r = write_readahead_list(stage, p->smd);
        if (r >= 0 && guestfs && p->udev_wait_path) {
                /* The waiter the init preloads into guestfsd (init/shim/udev-wait.c). */
                _cleanup_free_ char *dst = path_join(stage, APPLIANCE_UDEV_WAIT_SHIM + 1);
                r = dst ? mkdir_p(dirname(strdupa(dst)), 0755) : -ENOMEM;
                if (r >= 0)
                        r = copy_file(p->udev_wait_path, dst);
        }
        if (r >= 0 && o->run) {
                _cleanup_free_ char *cmd = NULL;
                r = asprintf(&cmd, "%s\n", o->run) < 0 ? -ENOMEM : write_text_file(stage, APPLIANCE_BUILTIN_RUN + 1, cmd, 0644);
        }
        if (r < 0)
                return log_error_errno(r, "cannot write /etc/leanboot");
        return 0;
}

/* The hooks, numbered in the order given; their names go to the manifest. */
static int stage_hooks(const char *stage, const struct build_opts *o, char ***ret_hook_names)
{
        int r;
        size_t i = 0;
        for (char **h = o->hooks; h && *h; h++, i++) {
                _cleanup_free_ char *copy = strdup(*h);
                _cleanup_free_ char *name = NULL, *dst = NULL;
                if (!copy || asprintf(&name, "%02zu-%s", i + 1, basename(copy)) < 0 ||
                    asprintf(&dst, "%s" APPLIANCE_HOOKS_DIR "/%s", stage, name) < 0)
                        return -ENOMEM;
                r = mkdir_p(dirname(strdupa(dst)), 0755);
                if (r >= 0)
                        r = copy_file(*h, dst);
                if (r >= 0 && chmod(dst, 0755) < 0)
                        r = -errno;
                if (r < 0)
                        return log_error_errno(r, "cannot install hook %s", *h);
                if (strv_consume(ret_hook_names, TAKE_PTR(name)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* --copy SRC:DEST, as cp -a would, owned by root. */
static int stage_copies(const char *stage, const struct build_opts *o)
{
        int r;
        for (char **c = o->copies; c && *c; c++) {
                _cleanup_free_ char *src = NULL, *dest = NULL, *dst = NULL;
                if (split_copy(*c, &src, &dest) < 0 || !(dst = path_join(stage, dest)))
                        return -ENOMEM;
                r = mkdir_p(dirname(strdupa(dst)), 0755);
                if (r < 0)
                        return log_error_errno(r, "cannot create %s", dest);
                char *cp[] = { "cp", "-a", "--no-preserve=ownership", "--", src, dst, NULL };
                if (run_argv(cp, NULL) != 0)
                        return log_error_status(-EIO, "--copy %s: copying into the appliance failed", *c);
        }
        return 0;
}

int make_stage(const char *stage, const struct build_opts *o, const struct build_plan *p,
                      char ***ret_hook_names)
{
        int r = stage_init(stage, p);
        r = r ?: stage_etc(stage, o, p);
        r = r ?: stage_hooks(stage, o, ret_hook_names);
        return r ?: stage_copies(stage, o);
}
