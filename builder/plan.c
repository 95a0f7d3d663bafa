/* leanboot build, before building: the plan (plan.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel.h"
#include "plan.h"
#include "../common/machine.h"
#include "../common/bzimage.h"
#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/log.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

/* A shell and coreutils: the least a payload can do something with. */
static const char *const default_packages[] = { "dash", "coreutils" };

void plan_free(struct build_plan *p)
{
        strv_free(p->packages);
        free(p->kernel_path);
        free(p->kernel_version);
        strv_free(p->kernel_machines);
        free(p->kernel_machines_why);
        free(p->moddir);
        modlist_free(&p->modules);
        modlist_free(&p->initrd_modules);
        modlist_free(&p->network_modules);
        free(p->init_path);
        free(p->udev_wait_path);
        free(p->preinit_path);
        free(p->smd);
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
int split_copy(const char *spec, char **ret_src, char **ret_dest)
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
char *smd_tarball_with(const char *dir, const char *tarname, const char *member)
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
                p->profile = PROFILE_LIBGUESTFS;
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
        if (p->profile == PROFILE_LIBGUESTFS) {
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

/* Which machines the kernel boots on, from its config: Debian's /boot/config-VERSION, or the
 * config that `leanboot kernel build -o DIR` leaves beside DIR/bzImage.  Without one, the PC
 * machine only, as every appliance booted before microvm. */
static int plan_machines(struct build_plan *p)
{
        _cleanup_free_ char *cfg = NULL, *dir = strdup(p->kernel_path);
        if (!dir)
                return -ENOMEM;
        if (streq(p->kernel_origin, "stock")) {
                if (asprintf(&cfg, "/boot/config-%s", p->kernel_version) < 0)
                        return -ENOMEM;
        } else if (!(cfg = path_join(dirname(dir), "config")))
                return -ENOMEM;
        struct kconfig c = { 0 };
        char *why = NULL;
        _cleanup_free_ char *err = NULL;
        unsigned m = 1u << MACHINE_PC;
        int r = kconfig_load(cfg, &c, &err);
        if (r == 0)
                m = kconfig_machines(&c, streq(p->kernel_origin, "stock"), &why);
        else if (asprintf(&why, "%s: the PC machine assumed", r == -ENOENT ? "no kernel config beside the kernel"
                                                               : err ? err : strerror(-r)) < 0)
                why = NULL;
        kconfig_free(&c);
        r = 0;
        if (m & (1u << MACHINE_PC))
                r = strv_push(&p->kernel_machines, machine_name(MACHINE_PC));
        if (r >= 0 && (m & (1u << MACHINE_MICROVM)))
                r = strv_push(&p->kernel_machines, machine_name(MACHINE_MICROVM));
        if (r >= 0 && !p->kernel_machines) {
                r = log_error_status(-EINVAL, "kernel %s boots on no machine leanboot knows (%s: %s)", p->kernel_path, cfg,
                                     why ? why : "?");
                free(why);
                return r;
        }
        p->kernel_machines_why = why && *why ? why : NULL;
        if (!p->kernel_machines_why)
                free(why);
        return r;
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
        return plan_machines(p);
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
        char **mods = o->modules ? o->modules : p->profile == PROFILE_LIBGUESTFS ? guestfs_modules : NULL;
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
        char **root = p->profile == PROFILE_LIBGUESTFS ? root_guestfs : root_plain;
        if (modlist_resolve(p->moddir, root, strv_length(root), &p->initrd_modules, NULL) < 0)
                log_warn("cannot resolve the root's modules in %s: the initrd keeps all of supermin's", p->moddir);
        if (p->profile == PROFILE_LIBGUESTFS) {
                char *net[] = { "virtio_net", NULL };
                if (modlist_resolve(p->moddir, net, 1, &p->network_modules, NULL) < 0)
                        log_warn("no virtio_net module in %s: guestfs_network=1 will find no interface", p->moddir);
        }
        return 0;
}

int plan_validate(const struct build_opts *o, struct build_plan *p)
{
        if (!o->output)
                return log_error_status(-EINVAL, "build: -o DIR is required");
        int r = plan_packages(o, p);
        r = r ?: check_inputs(o);
        r = r ?: plan_init_binaries(p);
        r = r ?: plan_kernel(o, p);
        return r ?: plan_modules(o, p);
}

int plan_compute_inputs(const struct build_opts *o, struct build_plan *p)
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
        if (r >= 0 && o->like) {
                _cleanup_free_ char *mf = path_join(o->like, "manifest.json");
                r = mf ? hasher_add_path(h, "like", mf) : -ENOMEM;
        }
        hasher_add_str(h, "run", o->run ? o->run : "");
        hasher_add_str(h, "debug", o->debug ? "1" : "0");
        hasher_add_str(h, "kernel-format", o->bzimage ? "bzimage" : "elf-pvh-if-possible");
        hasher_add_str(h, "module-signatures", o->keep_signatures ? "keep" : "strip");
        if (r >= 0)
                r = hasher_final(h, p->inputs);
        hasher_free(h);
        return r;
}
