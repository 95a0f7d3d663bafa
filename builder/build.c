/* leanboot build: a supermin appliance around the lean init.
 *
 * supermin --prepare turns the package list into supermin.d; we add one tarball with /init and
 * /etc/leanboot (modules, hooks, payload, copied files); supermin --build -f ext2 makes
 * kernel + initrd + root.  The result is built in DIR.tmp-XXXXXX and swapped in with one
 * renameat2(RENAME_EXCHANGE), under a lock, so DIR is always either the old or the new
 * appliance; any failure leaves the old one as it was. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "kernel.h"
#include "initrd.h"
#include "vmlinux.h"
#include "readahead-list.h"
#include "modlist.h"
#include "../common/appliance.h"
#include "../common/bzimage.h"
#include "../common/clock.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

/* The virtio device types a libguestfs appliance has drivers for: net (guestfs_network=1), block,
 * console (guestfsd's channel) and SCSI (libguestfs's disks); see init/preinit.c. */
#define LIBGUESTFS_VIRTIO_KEEP "1 2 3 8"

/* A shell and coreutils: the least a payload can do something with. */
static const char *const default_packages[] = { "dash", "coreutils" };

struct build_opts {
        const char *output;   /* -o DIR */
        const char *kernel;   /* --kernel stock|PATH */
        char **packages;      /* -p PKG (added to the defaults) */
        char **copies;        /* --copy SRC:DEST */
        char **hooks;         /* --hook FILE */
        char **modules;       /* --module NAME */
        const char *run;      /* --run 'CMD' */
        bool debug;           /* --debug */
        bool force;           /* --force: rebuild even when nothing changed */
        bool bzimage;         /* --bzimage: keep the kernel compressed */
        bool keep_signatures; /* --keep-module-signatures: initrd modules as the distro signed them */
        const char *from_smd; /* --from-supermin-d DIR (or "libguestfs": the installed one) */
};

/* Everything the build decided before running supermin. */
struct build_plan {
        char **packages;
        char *kernel_path, *kernel_version;
        const char *kernel_origin;
        char *moddir;   /* /lib/modules/VERSION, or an empty directory for a custom kernel */
        struct modlist modules;
        struct modlist initrd_modules;  /* what stays in supermin's mini-initrd (stock kernel) */
        struct modlist network_modules; /* loaded by the libguestfs profile when guestfs_network=1 */
        char *init_path;
        char *udev_wait_path; /* leanboot-udev-wait.so beside the init, or NULL */
        char *preinit_path;   /* leanboot-preinit beside the init (libguestfs profile), or NULL */
        char *smd;      /* the supermin.d we start from, or NULL for supermin --prepare */
        char inputs[65];
};

static void plan_free(struct build_plan *p)
{
        strv_free(p->packages);
        free(p->kernel_path);
        free(p->kernel_version);
        free(p->moddir);
        modlist_free(&p->modules);
        modlist_free(&p->initrd_modules);
        modlist_free(&p->network_modules);
        free(p->init_path);
        free(p->udev_wait_path);
        free(p->preinit_path);
        free(p->smd);
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot build -o DIR [OPTION]...\n"
                "Build a supermin appliance (kernel, initrd, root) around the lean init.\n\n"
                "  -o, --output DIR     write the appliance to DIR (replaced atomically)\n"
                "      --kernel K       'stock' (the host kernel and its modules, default) or the\n"
                "                       path of a kernel from `leanboot kernel build`\n"
                "  -p, --package PKG    add an installed Debian package (repeatable)\n"
                "      --copy SRC:DEST  copy a host file or directory into the appliance\n"
                "      --hook FILE      run FILE before the payload (repeatable, in order)\n"
                "      --module NAME    load a kernel module and its dependencies at boot\n"
                "      --run 'CMD'      built-in payload: a shell command run at boot\n"
                "      --debug          default command line without 'quiet', with leanboot.debug\n"
                "      --from-supermin-d DIR  start from an existing supermin.d ('libguestfs': the one\n"
                "                       libguestfs ships), replacing its init: a libguestfs fixed appliance\n"
                "      --bzimage        keep the kernel compressed as a bzImage (default: stored\n"
                "                       uncompressed for QEMU's PVH boot when the kernel allows it)\n"
                "      --keep-module-signatures  keep the signatures of the initrd's modules (default:\n"
                "                       cut off, as verifying them is slow; see the README)\n"
                "      --force          rebuild even if nothing changed\n"
                "  -h, --help           show this help\n\n"
                "Default packages: dash coreutils.\n");
}

static bool package_installed(const char *pkg)
{
        char *argv[] = { "dpkg-query", "-W", "-f=${db:Status-Abbrev}", (char *)pkg, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int r = run_capture(argv, &out, &err);
        return r == 0 && strncmp(out, "ii", 2) == 0;
}

static bool package_known(const char *pkg)
{
        char *argv[] = { "apt-cache", "show", "--no-all-versions", (char *)pkg, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        return run_capture(argv, &out, &err) == 0 && out[0];
}

/* Split SRC:DEST at the last ':' that begins an absolute DEST. */
static int split_copy(const char *spec, char **ret_src, char **ret_dest)
{
        const char *sep = NULL;
        for (const char *p = spec; (p = strstr(p, ":/")); p++)
                sep = p;
        if (!sep || sep == spec)
                return -EINVAL;
        *ret_src = strndup(spec, (size_t)(sep - spec));
        *ret_dest = strdup(sep + 1);
        return *ret_src && *ret_dest ? 0 : -ENOMEM;
}

/* libguestfs's supermin.d: $libdir/guestfs/supermin.d, $libdir from pkg-config. */
static char *libguestfs_supermin_d(void)
{
        char *argv[] = { "pkg-config", "--variable=libdir", "libguestfs", NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        char *p = NULL;
        if (run_capture(argv, &out, &err) == 0 && out[0]) {
                out[strcspn(out, "\n")] = '\0';
                if (asprintf(&p, "%s/guestfs/supermin.d", out) < 0)
                        return NULL;
                if (access(p, R_OK) == 0)
                        return p;
                free(p);
        }
        static const char *const fallback[] = { "/usr/lib/x86_64-linux-gnu/guestfs/supermin.d",
                                                "/usr/lib64/guestfs/supermin.d", "/usr/lib/guestfs/supermin.d" };
        for (size_t i = 0; i < ARRAY_SIZE(fallback); i++)
                if (access(fallback[i], R_OK) == 0)
                        return strdup(fallback[i]);
        return NULL;
}

/* The tarball in DIR (any, or the one named TARNAME) that holds MEMBER (as listed by tar), or
 * NULL. */
static char *smd_tarball_with(const char *dir, const char *tarname, const char *member)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                size_t l = strlen(e->d_name);
                if (l < 8 || !streq(e->d_name + l - 7, ".tar.gz") || (tarname && !streq(e->d_name, tarname)))
                        continue;
                _cleanup_free_ char *p = path_join(dir, e->d_name), *out = NULL, *err = NULL;
                char *argv[] = { "tar", "-tzf", p, NULL };
                if (!p || run_capture(argv, &out, &err) != 0)
                        continue;
                for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        if (strncmp(line, "./", 2) == 0)
                                line += 2;
                        if (streq(line, member))
                                return TAKE_PTR(p);
                }
        }
        return NULL;
}

static bool smd_has_member(const char *dir, const char *tarname, const char *member)
{
        _cleanup_free_ char *t = smd_tarball_with(dir, tarname, member);
        return t != NULL;
}

static int validate_supermin_d(const char *arg, char **ret)
{
        _cleanup_free_ char *dir = streq(arg, "libguestfs") ? libguestfs_supermin_d() : strdup(arg);
        if (!dir)
                return log_error_status(-ENOENT, "--from-supermin-d libguestfs: libguestfs's supermin.d is not installed "
                                 "(apt-get install libguestfs-tools)");
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return log_error_status(-ENOENT, "--from-supermin-d '%s': no such directory", dir);
        _cleanup_free_ char *pk = path_join(dir, "packages");
        if (!pk || access(pk, R_OK) < 0)
                return log_error_status(-EINVAL, "--from-supermin-d '%s' is not a supermin.d (no packages file)", dir);
        if (!smd_has_member(dir, "init.tar.gz", "init"))
                return log_error_status(-EINVAL, "--from-supermin-d '%s' has no init (init.tar.gz with /init)", dir);
        if (!smd_has_member(dir, NULL, "usr/sbin/guestfsd"))
                return log_error_status(-EINVAL, "--from-supermin-d '%s' has no guestfsd (usr/sbin/guestfsd in a tarball)", dir);
        *ret = realpath(dir, NULL);
        return *ret ? 0 : -errno;
}

/* The lean init: $LEANBOOT_INIT, else init/ beside the leanboot binary (a build tree), else the
 * installed one. */
static char *find_init(void)
{
        return shipped_path("LEANBOOT_INIT", "init/leanboot-init", NULL, LIBEXECDIR "/leanboot/leanboot-init");
}

/* The packages: the supermin.d's own list, or the defaults; then each -p, installed here. */
static int plan_packages(const struct build_opts *o, struct build_plan *p)
{
        if (o->from_smd) {
                int r = validate_supermin_d(o->from_smd, &p->smd);
                if (r < 0)
                        return r;
                if (o->packages)
                        return log_error_status(-EINVAL, "-p cannot be combined with --from-supermin-d (its packages file decides)");
                /* The package list is the supermin.d's own. */
                _cleanup_free_ char *pk = path_join(p->smd, "packages"), *text = NULL;
                if (read_full_file(pk, &text, NULL) < 0)
                        return log_error_errno(-errno, "cannot read %s", pk);
                for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                        if (l[0] && l[0] != '#')
                                if (strv_push(&p->packages, l) < 0)
                                        return -ENOMEM;
        } else {
                for (size_t i = 0; i < ARRAY_SIZE(default_packages); i++)
                        if (strv_push(&p->packages, default_packages[i]) < 0)
                                return -ENOMEM;
        }
        for (char **pkg = o->packages; pkg && *pkg; pkg++) {
                if (!package_installed(*pkg)) {
                        if (package_known(*pkg))
                                log_error("package '%s' is not installed on this host: supermin builds "
                                          "appliances from installed packages (apt-get install %s)", *pkg, *pkg);
                        else
                                log_error("unknown package '%s': apt knows no package by that name", *pkg);
                        return -ENOENT;
                }
                if (!strv_contains(p->packages, *pkg) && strv_push(&p->packages, *pkg) < 0)
                        return -ENOMEM;
        }        return 0;
}

/* --copy sources and --hook files exist and are what they should be. */
static int check_inputs(const struct build_opts *o)
{
        for (char **c = o->copies; c && *c; c++) {
                _cleanup_free_ char *src = NULL, *dest = NULL;
                if (split_copy(*c, &src, &dest) < 0)
                        return log_error_status(-EINVAL, "--copy %s: expected SRC:DEST with an absolute DEST", *c);
                if (access(src, R_OK) < 0)
                        return log_error_errno(-errno, "--copy source '%s'", src);
        }
        for (char **h = o->hooks; h && *h; h++) {
                struct stat st;
                if (stat(*h, &st) < 0)
                        return log_error_errno(-errno, "--hook '%s'", *h);
                if (!S_ISREG(st.st_mode))
                        return log_error_status(-EINVAL, "--hook '%s' is not a regular file", *h);
        }
        return 0;
}

/* The lean init, and for the libguestfs profile the shim and pre-init beside it. */
static int plan_init_binaries(struct build_plan *p)
{
        p->init_path = find_init();
        if (!p->init_path || access(p->init_path, R_OK) < 0)
                return log_error_status(-ENOENT, "lean init not found at %s (build leanboot with `make`, or set LEANBOOT_INIT)",
                                 p->init_path ? p->init_path : "?");
        if (p->smd) {
                /* Without it the init starts guestfsd only after udev has settled: slower, still right. */
                _cleanup_free_ char *copy = strdup(p->init_path);
                const char *dir = copy ? dirname(copy) : NULL;
                p->udev_wait_path = dir ? path_join(dir, "leanboot-udev-wait.so") : NULL;
                if (p->udev_wait_path && access(p->udev_wait_path, R_OK) < 0) {
                        free(p->udev_wait_path);
                        p->udev_wait_path = NULL;
                }
                /* Without it virtio_pci binds libguestfs's virtio-rng too: slower, still right. */
                p->preinit_path = dir ? path_join(dir, "leanboot-preinit") : NULL;
                if (p->preinit_path && access(p->preinit_path, R_OK) < 0) {
                        free(p->preinit_path);
                        p->preinit_path = NULL;
                }
        }
        return 0;
}

/* --kernel: the host's (stock, with its modules) or a bzImage of ours (custom, none). */
static int plan_kernel(const struct build_opts *o, struct build_plan *p)
{
        const char *k = o->kernel ? o->kernel : "stock";
        if (streq(k, "stock")) {
                int r = pick_stock_kernel(&p->kernel_path, &p->kernel_version);
                if (r < 0)
                        return log_error_status(r, "no stock kernel found: no /boot/vmlinuz-* with modules in /lib/modules "
                                         "(apt-get install linux-image-amd64)");
                p->kernel_origin = "stock";
                if (asprintf(&p->moddir, "/lib/modules/%s", p->kernel_version) < 0)
                        return -ENOMEM;
        } else {
                if (access(k, R_OK) < 0)
                        return log_error_errno(-errno, "--kernel '%s'", k);
                int r = bzimage_version(k, &p->kernel_version);
                if (r < 0)
                        return log_error_status(r, "--kernel '%s' is not an x86 bzImage kernel", k);
                p->kernel_path = realpath(k, NULL);
                p->kernel_origin = "custom";
                if (o->modules)
                        return log_error_status(-EINVAL, "--module: a custom kernel has no loadable modules; "
                                         "build what you need in with a config fragment");
        }
        return 0;
}

/* Modules: what the init loads, what the mini-initrd keeps, what networking adds. */
static int plan_modules(const struct build_opts *o, struct build_plan *p)
{
        if (streq(p->kernel_origin, "custom"))
                return 0;
        /* guestfsd's channel (virtio-serial), which it opens at once: the mini-initrd no longer
         * loads virtio_console.  dm_mod and loop load on demand, when lvm or losetup first opens
         * /dev/mapper/control or /dev/loop-control (the init creates those static nodes). */
        char *guestfs_modules[] = { "virtio_console", NULL };
        char **mods = o->modules ? o->modules : p->smd ? guestfs_modules : NULL;
        if (mods) {
                _cleanup_free_ char *bad = NULL;
                int r = modlist_resolve(p->moddir, mods, strv_length(mods), &p->modules, &bad);
                if (r == -ENOENT && bad)
                        return log_error_status(r, "--module %s: no such module for kernel %s", bad, p->kernel_version);
                if (r < 0)
                        return log_error_errno(r, "cannot resolve modules in %s", p->moddir);
        }
        /* The root's disk and file system: virtio-blk for `leanboot run`, virtio-scsi and sd for
         * libguestfs's direct backend, ext4 (which mounts the ext2 root).  A kernel that lacks
         * one keeps supermin's initrd as it is. */
        char *root_plain[] = { "virtio_pci", "virtio_blk", "ext4", NULL };
        char *root_guestfs[] = { "virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "ext4", NULL };
        char **root = p->smd ? root_guestfs : root_plain;
        if (modlist_resolve(p->moddir, root, strv_length(root), &p->initrd_modules, NULL) < 0)
                log_warn("cannot resolve the root's modules in %s: the initrd keeps all of supermin's", p->moddir);
        if (p->smd) {
                char *net[] = { "virtio_net", NULL };
                if (modlist_resolve(p->moddir, net, 1, &p->network_modules, NULL) < 0)
                        log_warn("no virtio_net module in %s: guestfs_network=1 will find no interface", p->moddir);
        }
        return 0;
}

static int validate(const struct build_opts *o, struct build_plan *p)
{
        if (!o->output)
                return log_error_status(-EINVAL, "build: -o DIR is required");
        int r = plan_packages(o, p);
        r = r ?: check_inputs(o);
        r = r ?: plan_init_binaries(p);
        r = r ?: plan_kernel(o, p);
        return r ?: plan_modules(o, p);
}

static int compute_inputs(const struct build_opts *o, struct build_plan *p)
{
        struct hasher *h = NULL;
        int r = hasher_new(&h);
        if (r < 0)
                return r;
        hasher_add_str(h, "leanboot", PACKAGE_VERSION);
        r = hasher_add_path(h, "init", p->init_path);
        if (r >= 0 && p->udev_wait_path)
                r = hasher_add_path(h, "udev-wait", p->udev_wait_path);
        if (r >= 0 && p->preinit_path)
                r = hasher_add_path(h, "preinit", p->preinit_path);
        for (char **s = p->packages; r >= 0 && s && *s; s++)
                hasher_add_str(h, "package", *s);
        /* Installing or upgrading any package changes what supermin would copy. */
        if (r >= 0)
                r = hasher_add_stat(h, "dpkg", "/var/lib/dpkg/status");
        if (r >= 0)
                r = hasher_add_stat(h, "kernel", p->kernel_path);
        for (size_t i = 0; r >= 0 && i < p->modules.n; i++)
                hasher_add_str(h, "module", p->modules.paths[i]);
        for (size_t i = 0; r >= 0 && i < p->initrd_modules.n; i++)
                hasher_add_str(h, "initrd-module", p->initrd_modules.paths[i]);
        for (size_t i = 0; r >= 0 && i < p->network_modules.n; i++)
                hasher_add_str(h, "network-module", p->network_modules.paths[i]);
        for (char **c = o->copies; r >= 0 && c && *c; c++) {
                _cleanup_free_ char *src = NULL, *dest = NULL;
                r = split_copy(*c, &src, &dest);
                if (r >= 0) {
                        hasher_add_str(h, "copy", dest);
                        r = hasher_add_path(h, "copy-src", src);
                }
        }
        for (char **k = o->hooks; r >= 0 && k && *k; k++)
                r = hasher_add_path(h, "hook", *k);
        if (r >= 0 && p->smd)
                r = hasher_add_path(h, "supermin.d", p->smd);
        hasher_add_str(h, "run", o->run ? o->run : "");
        hasher_add_str(h, "debug", o->debug ? "1" : "0");
        hasher_add_str(h, "kernel-format", o->bzimage ? "bzimage" : "elf-pvh-if-possible");
        hasher_add_str(h, "module-signatures", o->keep_signatures ? "keep" : "strip");
        if (r >= 0)
                r = hasher_final(h, p->inputs);
        hasher_free(h);
        return r;
}

static bool is_up_to_date(const char *dir, const char *inputs)
{
        struct manifest m;
        if (manifest_load(dir, &m) < 0)
                return false;
        bool same = m.inputs && streq(m.inputs, inputs);
        manifest_free(&m);
        return same && appliance_check(dir, NULL) == 0;
}

static int write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
        _cleanup_free_ char *p = path_join(dir, name);
        if (!p)
                return -ENOMEM;
        _cleanup_free_ char *parent = strdup(p);
        if (!parent)
                return -ENOMEM;
        int r = mkdir_p(dirname(parent), 0755);
        return r < 0 ? r : write_file_atomic(p, text, strlen(text), mode);
}

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
        return write_text(stage, APPLIANCE_READAHEAD_LIST + 1, text_nl, 0644);
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
                r = write_text(stage, APPLIANCE_MODULES_LIST + 1, mods, 0644);
        if (r >= 0 && p->network_modules.n > 0) {
                _cleanup_free_ char *net = NULL;
                r = modlist_format(&p->network_modules, &net);
                if (r >= 0)
                        r = write_text(stage, APPLIANCE_NETWORK_MODULES_LIST + 1, net, 0644);
        }
        if (r >= 0 && p->moddir) {
                /* The static nodes the init creates (init/devnodes.c), copied out of the
                 * kernel's modules directory, so that the init reads no more than /etc/leanboot
                 * before the payload (see there for what that saves and what it does not). */
                _cleanup_free_ char *devname = path_join(p->moddir, "modules.devname"), *text = NULL;
                if (devname && read_full_file(devname, &text, NULL) == 0)
                        r = write_text(stage, APPLIANCE_STATIC_NODES + 1, text, 0644);
        }
        if (r >= 0 && p->smd)
                r = write_text(stage, APPLIANCE_PROFILE_FILE + 1, APPLIANCE_PROFILE_LIBGUESTFS "\n", 0644);
        if (r >= 0 && p->smd)
                r = write_readahead_list(stage, p->smd);
        if (r >= 0 && p->smd && p->udev_wait_path) {
                /* The waiter the init preloads into guestfsd (init/udev-wait.c). */
                _cleanup_free_ char *dst = path_join(stage, APPLIANCE_UDEV_WAIT_SHIM + 1);
                r = dst ? mkdir_p(dirname(strdupa(dst)), 0755) : -ENOMEM;
                if (r >= 0)
                        r = copy_file(p->udev_wait_path, dst);
        }
        if (r >= 0 && o->run) {
                _cleanup_free_ char *cmd = NULL;
                r = asprintf(&cmd, "%s\n", o->run) < 0 ? -ENOMEM : write_text(stage, APPLIANCE_BUILTIN_RUN + 1, cmd, 0644);
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

static int make_stage(const char *stage, const struct build_opts *o, const struct build_plan *p,
                      char ***ret_hook_names)
{
        int r = stage_init(stage, p);
        r = r ?: stage_etc(stage, o, p);
        r = r ?: stage_hooks(stage, o, ret_hook_names);
        return r ?: stage_copies(stage, o);
}

/* Run a tool, keeping its output; on failure show its last lines. */
static int run_tool(char *const *argv, char **env_add, const char *what)
{
        /* The tool's output goes to an unlinked temporary file, read back only on failure. */
        char tmpl[] = "/tmp/leanboot-tool-XXXXXX";
        _cleanup_close_ int logfd = mkostemp(tmpl, O_CLOEXEC);
        if (logfd < 0)
                return -errno;
        unlink(tmpl);
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = logfd;
        so.stderr_fd = logfd;
        so.env_add = env_add;
        int st = run_argv(argv, &so);
        if (st == 0)
                return 0;
        _cleanup_free_ char *out = NULL;
        lseek(logfd, 0, SEEK_SET);
        if (read_full_fd(logfd, &out, NULL) == 0)
                log_text_tail(NULL, out, 8); /* the last few lines say what went wrong */
        log_error("%s failed (%s exited with status %d)", what, argv[0], st);
        return -EIO;
}

static int read_ext2_uuid(const char *image, char ret[37])
{
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char sb[1024];
        if (pread(fd, sb, sizeof sb, 1024) != (ssize_t)sizeof sb)
                return -EIO;
        if (sb[56] != 0x53 || sb[57] != 0xef) /* s_magic 0xEF53 */
                return -EINVAL;
        const unsigned char *u = sb + 104;  /* s_uuid */
        snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
        return 0;
}

/* supermin.d: from --from-supermin-d (all of it but its init, which the lean init replaces), or
 * prepared by supermin from the host's packages. */
static int prepare_supermin_d(const char *smd, const struct build_plan *p)
{
        int r;
        if (!p->smd) {
                _cleanup_strv_free_ char **prep = NULL;
                r = strv_push(&prep, SUPERMIN_PATH);
                r = r ?: strv_push(&prep, "--prepare");
                r = r ?: strv_push(&prep, "--use-installed");
                r = r ?: strv_push(&prep, "-o");
                r = r ?: strv_push(&prep, smd);
                for (char **s = p->packages; r >= 0 && s && *s; s++)
                        r = strv_push(&prep, *s);
                _cleanup_free_ char *pkgs = strv_join(p->packages, " ");
                if (r < 0 || !pkgs)
                        return log_error_errno(-ENOMEM, "build");
                log_info("preparing supermin.d (%s)", pkgs);
                return run_tool(prep, NULL, "supermin --prepare");
        }
        log_info("starting from %s (its init replaced by the lean init)", p->smd);
        if ((r = mkdir_p(smd, 0755)) < 0)
                return log_error_errno(r, "cannot create %s", smd);
        _cleanup_closedir_ DIR *d = opendir(p->smd);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.' || streq(e->d_name, "init.tar.gz"))
                        continue;
                _cleanup_free_ char *from = path_join(p->smd, e->d_name), *to = path_join(smd, e->d_name);
                if (!from || !to || (r = copy_file(from, to)) < 0)
                        return log_error_errno(r < 0 ? r : -ENOMEM, "cannot copy %s", e->d_name);
        }
        return 0;
}

/* supermin --build with the lean init's tarball, and kernel, initrd and root moved into tmp. */
static int supermin_build(const char *tmp, const char *smd, const char *stage, const char *moddir_empty,
                          const struct build_plan *p)
{
        _cleanup_free_ char *tarball = path_join(smd, "leanboot.tar.gz"), *out = path_join(tmp, "appliance");
        if (!tarball || !out)
                return -ENOMEM;
        char *tar[] = { "tar", "-C", (char *)stage, "--owner=0", "--group=0", "--numeric-owner", "-czf", tarball, ".", NULL };
        int r = run_tool(tar, NULL, "packing /init and /etc/leanboot");
        if (r < 0)
                return r;
        /* Name the kernel explicitly, so the module list resolved above matches it. */
        const char *moddir = p->moddir;
        if (streq(p->kernel_origin, "custom")) {
                /* supermin reads modules.dep even when there is nothing to load. */
                if ((r = mkdir_p(moddir_empty, 0755)) < 0 || (r = write_text(moddir_empty, "modules.dep", "", 0644)) < 0)
                        return log_error_errno(r, "cannot prepare an empty module directory");
                moddir = moddir_empty;
        }
        _cleanup_strv_free_ char **env = NULL;
        r = strv_pushf(&env, "SUPERMIN_KERNEL=%s", p->kernel_path);
        r = r ?: strv_pushf(&env, "SUPERMIN_KERNEL_VERSION=%s", p->kernel_version);
        r = r ?: strv_pushf(&env, "SUPERMIN_MODULES=%s", moddir);
        if (r < 0)
                return log_error_errno(r, "build");
        char *build[] = { SUPERMIN_PATH, "--build", "-f", "ext2", "--copy-kernel", "-o", out, (char *)smd, NULL };
        log_info("building the appliance (%s kernel %s)", p->kernel_origin, p->kernel_version);
        r = run_tool(build, env, "supermin --build");
        if (r < 0)
                return r;
        static const char *const parts[] = { "kernel", "initrd", "root" };
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
                _cleanup_free_ char *from = path_join(out, parts[i]), *to = path_join(tmp, parts[i]);
                if (!from || !to || rename(from, to) < 0)
                        return log_error_errno(-errno, "supermin produced no %s", parts[i]);
        }
        rm_rf(out);
        return 0;
}

/* The kernel uncompressed (ELF with a PVH entry) unless --bzimage or it cannot be: its format. */
static int store_kernel(const char *tmp, const struct build_opts *o, const char **ret_format)
{
        *ret_format = "bzImage";
        if (o->bzimage)
                return 0;
        _cleanup_free_ char *kernel = path_join(tmp, "kernel"), *elf = path_join(tmp, "kernel.elf");
        _cleanup_free_ char *why = NULL;
        int r = kernel && elf ? vmlinux_unpack(kernel, elf, tmp, &why) : -ENOMEM;
        if (r == -EMEDIUMTYPE) {
                log_info("kernel kept as a bzImage: %s", why ? why : "it cannot be unpacked");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot unpack the kernel");
        if (rename(elf, kernel) < 0)
                return log_error_errno(-errno, "cannot install the unpacked kernel");
        *ret_format = "elf-pvh";
        log_info("kernel stored uncompressed (ELF, PVH entry): no decompression at boot");
        return 0;
}

/* supermin's initrd cut to the root's modules (signatures cut too unless asked to keep them),
 * and the pre-init in front of its init where the profile wants one. */
static int shape_initrd(const char *tmp, const struct build_opts *o, struct build_plan *p, size_t *ret_stripped,
                        const char **ret_virtio_keep)
{
        *ret_stripped = 0;
        *ret_virtio_keep = NULL;
        _cleanup_free_ char *initrd = path_join(tmp, "initrd");
        if (!initrd)
                return -ENOMEM;
        if (p->initrd_modules.n > 0) {
                size_t kept = 0;
                int r = initrd_trim(initrd, p->initrd_modules.paths, p->initrd_modules.n, !o->keep_signatures, &kept,
                                    ret_stripped);
                if (r == -EBADMSG) {
                        log_warn("supermin's initrd is not the newc archive expected: kept as it is");
                        modlist_free(&p->initrd_modules);
                } else if (r < 0) {
                        return log_error_errno(r, "cannot trim the initrd's module list");
                } else {
                        log_info("initrd: %zu modules for the root (supermin's full list dropped), %zu signature(s) cut",
                                 kept, *ret_stripped);
                }
        }
        if (!p->preinit_path || !modlist_has(&p->initrd_modules, "virtio_pci"))
                return 0;
        /* virtio_pci is a module, loaded by supermin's init: the pre-init runs before it and
         * leaves unbound the virtio devices the appliance has no driver for (libguestfs's
         * virtio-rng).  Kept: net (1, guestfs_network), block (2), console (3), SCSI (8). */
        int r = initrd_add_preinit(initrd, p->preinit_path, LIBGUESTFS_VIRTIO_KEEP "\n");
        if (r < 0)
                return log_error_errno(r, "cannot add the pre-init to the initrd");
        *ret_virtio_keep = LIBGUESTFS_VIRTIO_KEEP;
        log_info("initrd: pre-init added; virtio devices other than types %s stay unbound", LIBGUESTFS_VIRTIO_KEEP);
        return 0;
}

/* DIR/cmdline, and README.fixed for a libguestfs appliance; *ret_cmdline the command line. */
static int write_cmdline(const char *tmp, const struct build_opts *o, const struct build_plan *p, const char *uuid,
                         char **ret_cmdline)
{
        _cleanup_free_ char *cmdline = appliance_default_cmdline(o->debug, uuid);
        _cleanup_free_ char *cmdline_nl = NULL;
        if (!cmdline || asprintf(&cmdline_nl, "%s\n", cmdline) < 0)
                return -ENOMEM;
        int r = write_text(tmp, "cmdline", cmdline_nl, 0644);
        if (r >= 0 && p->smd)
                /* libguestfs takes a directory with README.fixed, kernel, initrd and root as a fixed
                 * appliance: LIBGUESTFS_PATH=DIR uses it as it is. */
                r = write_text(tmp, "README.fixed",
                               "This is a libguestfs fixed appliance built by leanboot (leanboot build\n"
                               "--from-supermin-d): libguestfs's own supermin.d with its /init replaced by\n"
                               "leanboot's lean init.  Use it with LIBGUESTFS_PATH=<this directory>.\n", 0644);
        if (r >= 0)
                *ret_cmdline = TAKE_PTR(cmdline);
        return r;
}

/* What build_into made, for the manifest. */
struct built {
        const char *kernel_format, *virtio_keep, *cmdline, *uuid;
        size_t signatures_stripped;
        char **hook_names;
        double seconds;
};

static int write_manifest(const char *tmp, const struct build_opts *o, const struct build_plan *p,
                          const struct built *b)
{
        char built_at[32];
        time_t now = time(NULL);
        strftime(built_at, sizeof built_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        _cleanup_strv_free_ char **mods = NULL, **initrd_mods = NULL;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->modules.n; i++)
                r = strv_push(&mods, p->modules.paths[i]);
        for (size_t i = 0; r >= 0 && i < p->initrd_modules.n; i++)
                r = strv_push(&initrd_mods, p->initrd_modules.paths[i]);
        if (r < 0)
                return log_error_errno(r, "build");
        struct manifest m = {
                .leanboot_version = (char *)PACKAGE_VERSION,
                .init_version = (char *)PACKAGE_VERSION " (static; modules: host-resolved list, finit_module)",
                .inputs = (char *)p->inputs, .kernel_version = p->kernel_version, .kernel_origin = (char *)p->kernel_origin,
                .kernel_source = p->kernel_path, .kernel_format = (char *)b->kernel_format, .packages = p->packages,
                .modules = mods, .initrd_modules = initrd_mods, .initrd_signatures_stripped = b->signatures_stripped > 0,
                .initrd_virtio_keep = (char *)b->virtio_keep, .hooks = b->hook_names, .copies = o->copies,
                .run = (char *)o->run, .debug = o->debug, .cmdline = (char *)b->cmdline, .root_uuid = (char *)b->uuid,
                .build_seconds = b->seconds, .built_at = built_at,
        };
        struct stat st;
        _cleanup_free_ char *kp = path_join(tmp, "kernel"), *ip = path_join(tmp, "initrd"), *rp = path_join(tmp, "root");
        m.size_kernel = kp && stat(kp, &st) == 0 ? st.st_size : 0;
        m.size_initrd = ip && stat(ip, &st) == 0 ? st.st_size : 0;
        if (rp && stat(rp, &st) == 0) {
                m.size_root = st.st_size;
                m.size_root_allocated = (long long)st.st_blocks * 512;
        }
        _cleanup_free_ char *json = NULL;
        r = manifest_to_json(&m, &json);
        return r < 0 ? r : write_text(tmp, "manifest.json", json, 0644);
}

static int build_into(const char *tmp, const struct build_opts *o, struct build_plan *p, double t0)
{
        _cleanup_free_ char *smd = path_join(tmp, "supermin.d");
        _cleanup_free_ char *stage = path_join(tmp, "stage");
        /* Absolute: supermin does not resolve SUPERMIN_MODULES against our working directory. */
        _cleanup_free_ char *abs_tmp = realpath(tmp, NULL);
        _cleanup_free_ char *moddir_empty = abs_tmp ? path_join(abs_tmp, "no-modules") : NULL;
        _cleanup_free_ char *root = path_join(tmp, "root");
        if (!smd || !stage || !moddir_empty || !root)
                return -ENOMEM;
        struct built b = { 0 };
        _cleanup_strv_free_ char **hook_names = NULL;
        int r = prepare_supermin_d(smd, p);
        r = r ?: make_stage(stage, o, p, &hook_names);
        r = r ?: supermin_build(tmp, smd, stage, moddir_empty, p);
        r = r ?: store_kernel(tmp, o, &b.kernel_format);
        r = r ?: shape_initrd(tmp, o, p, &b.signatures_stripped, &b.virtio_keep);
        if (r < 0)
                return r;
        rm_rf(stage);
        rm_rf(smd);
        rm_rf(moddir_empty);
        char uuid[37];
        if ((r = read_ext2_uuid(root, uuid)) < 0)
                return log_error_errno(r, "cannot read the root filesystem's UUID");
        _cleanup_free_ char *cmdline = NULL;
        if ((r = write_cmdline(tmp, o, p, uuid, &cmdline)) < 0)
                return r;
        b.cmdline = cmdline;
        b.uuid = uuid;
        b.hook_names = hook_names;
        b.seconds = now_sec() - t0;
        return write_manifest(tmp, o, p, &b);
}

static int refuse_foreign_dir(const char *dir)
{
        /* Never replace a directory that is not an appliance: it may be someone's data. */
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "output '%s'", dir);
        struct dirent *e;
        bool empty = true;
        while ((e = readdir(d)))
                if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
                        empty = false;
        _cleanup_free_ char *mf = path_join(dir, "manifest.json");
        if (!empty && !file_exists(mf))
                return log_error_status(-EEXIST, "output '%s' exists and is not a leanboot appliance; refusing to replace it", dir);
        return 0;
}

/* -1 when the options are good, else the exit status to return.  The vectors in *o are the
 * caller's to free. */
static int parse_build_options(int argc, char **argv, struct build_opts *o)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' }, { "kernel", required_argument, NULL, 'k' },
                { "package", required_argument, NULL, 'p' }, { "copy", required_argument, NULL, 'c' },
                { "hook", required_argument, NULL, 'H' },    { "module", required_argument, NULL, 'm' },
                { "run", required_argument, NULL, 'r' },     { "debug", no_argument, NULL, 'd' },
                { "force", no_argument, NULL, 'f' },         { "help", no_argument, NULL, 'h' },
                { "from-supermin-d", required_argument, NULL, 'S' },
                { "bzimage", no_argument, NULL, 'Z' },
                { "keep-module-signatures", no_argument, NULL, 'K' },
                { NULL, 0, NULL, 0 },
        };
        int c, r = 0;
        opterr = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, "+o:p:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o': o->output = optarg; break;
                case 'k': o->kernel = optarg; break;
                case 'p': r = strv_push(&o->packages, optarg); break;
                case 'c': r = strv_push(&o->copies, optarg); break;
                case 'H': r = strv_push(&o->hooks, optarg); break;
                case 'm': r = strv_push(&o->modules, optarg); break;
                case 'r': o->run = optarg; break;
                case 'd': o->debug = true; break;
                case 'f': o->force = true; break;
                case 'S': o->from_smd = optarg; break;
                case 'Z': o->bzimage = true; break;
                case 'K': o->keep_signatures = true; break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_USAGE, "build: %s '%s' (see leanboot build --help)",
                                         optopt ? "option needs a value or is unknown:" : "unknown option",
                                         argv[optind - 1]);
                }
        }
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "build");
        if (optind < argc)
                return log_error_status(EXIT_USAGE, "build: unexpected argument '%s' (see leanboot build --help)", argv[optind]);
        return -1;
}

/* The lock beside OUTPUT (.NAME.lock in its parent), held: concurrent builds of it wait. */
static int lock_output(const char *output)
{
        _cleanup_free_ char *outcopy = strdup(output), *namecopy = strdup(output), *lock_path = NULL;
        if (!outcopy || !namecopy)
                return -ENOMEM;
        const char *parent = dirname(outcopy), *name = basename(namecopy);
        if (asprintf(&lock_path, "%s/.%s.lock", parent, name) < 0)
                return -ENOMEM;
        int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock < 0)
                return log_error_errno(-errno, "cannot write in '%s' (for %s)", parent, output);
        if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
                log_info("another build of %s is running; waiting for it", output);
                while (flock(lock, LOCK_EX) < 0 && errno == EINTR)
                        ;
        }
        return lock;
}

/* Under the lock: up to date, or built in OUTPUT.tmp-XXXXXX and swapped in. */
static int build_locked(const struct build_opts *o, struct build_plan *p, double t0)
{
        if (!o->force && is_up_to_date(o->output, p->inputs)) {
                log_info("%s is up to date", o->output);
                return 0;
        }
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp-XXXXXX", o->output) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return log_error_errno(-errno, "cannot create a build directory next to %s", o->output);
        chmod(tmp, 0755);
        int r = build_into(tmp, o, p, t0);
        if (r >= 0 && (r = dir_replace(tmp, o->output)) < 0)
                log_error_errno(r, "cannot move the new appliance into %s", o->output);
        if (r < 0) {
                rm_rf(tmp);
                return r;
        }
        log_info("appliance ready in %s (%.1f s)", o->output, now_sec() - t0);
        return 0;
}

int cmd_build(int argc, char **argv)
{
        struct build_opts o = { 0 };
        int done = parse_build_options(argc, argv, &o);
        _cleanup_strv_free_ char **pk = o.packages, **cp = o.copies, **hk = o.hooks, **md = o.modules;
        if (done >= 0)
                return done;
        double t0 = now_sec();
        _cleanup_(plan_free) struct build_plan p = { 0 };
        int r = validate(&o, &p);
        if (r >= 0)
                r = refuse_foreign_dir(o.output);
        if (r >= 0 && (r = compute_inputs(&o, &p)) < 0)
                log_error_errno(r, "cannot read the build's inputs");
        if (r < 0)
                return EXIT_RUNTIME;
        _cleanup_close_ int lock = lock_output(o.output);
        if (lock < 0)
                return EXIT_RUNTIME;
        return build_locked(&o, &p, t0) < 0 ? EXIT_RUNTIME : EXIT_OK;
}
