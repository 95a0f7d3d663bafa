/* leanboot build: a supermin appliance around the lean init.
 *
 * supermin --prepare turns the package list into supermin.d; we add one tarball with /init and
 * /etc/leanboot (modules, hooks, payload, copied files); supermin --build -f ext2 makes
 * kernel + initrd + root.  The result is built in DIR.tmp-XXXXXX and swapped in with one
 * renameat2(RENAME_EXCHANGE), under a lock, so DIR is always either the old or the new
 * appliance; any failure leaves the old one as it was. */
#include <config.h>

#include <errno.h>
#include <dirent.h>
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
#include "plan.h"
#include "stage.h"
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
#include "../common/extfs.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

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
                "      --like DIR       with --kernel PATH: the appliance DIR (built on a leanboot kernel)\n"
                "                       with this kernel instead: its initrd, root and command line reused\n"
                "                       (how `leanboot kernel tailor` tries candidate kernels)\n"
                "      --force          rebuild even if nothing changed\n"
                "  -h, --help           show this help\n\n"
                "Default packages: dash coreutils.\n");
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
                if ((r = mkdir_p(moddir_empty, 0755)) < 0 || (r = write_text_file(moddir_empty, "modules.dep", "", 0644)) < 0)
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
        int r = write_text_file(tmp, "cmdline", cmdline_nl, 0644);
        if (r >= 0 && p->profile == PROFILE_LIBGUESTFS)
                /* libguestfs takes a directory with README.fixed, kernel, initrd and root as a fixed
                 * appliance: LIBGUESTFS_PATH=DIR uses it as it is. */
                r = write_text_file(tmp, "README.fixed",
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
                .kernel_machines = p->kernel_machines, .kernel_machines_why = p->kernel_machines_why,
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
        return r < 0 ? r : write_text_file(tmp, "manifest.json", json, 0644);
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
        struct extfs_info fs;
        if ((r = extfs_read(root, &fs)) < 0)
                return log_error_errno(r, "cannot read the root filesystem's UUID");
        const char *uuid = fs.uuid;
        _cleanup_free_ char *cmdline = NULL;
        if ((r = write_cmdline(tmp, o, p, uuid, &cmdline)) < 0)
                return r;
        b.cmdline = cmdline;
        b.uuid = uuid;
        b.hook_names = hook_names;
        b.seconds = now_sec() - t0;
        return write_manifest(tmp, o, p, &b);
}

/* --like: only the kernel is new.  The appliance's initrd and root hold nothing of its kernel when
 * that kernel is leanboot's own (no modules), so they are copied, with the command line (the root's
 * UUID is the same); the manifest is the old one with the new kernel's fields. */
static int build_like_into(const char *tmp, const struct build_opts *o, const struct build_plan *p, double t0)
{
        static const char *const reused[] = { "initrd", "root", "cmdline" };
        int r = 0;
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(reused); i++) {
                _cleanup_free_ char *from = path_join(o->like, reused[i]), *to = path_join(tmp, reused[i]);
                r = from && to ? copy_file(from, to) : -ENOMEM;
                if (r < 0)
                        return log_error_errno(r, "--like: cannot copy %s", from ? from : reused[i]);
        }
        /* A libguestfs fixed appliance stays one (libguestfs looks for README.fixed). */
        _cleanup_free_ char *fixed = path_join(o->like, "README.fixed"), *fixed_to = path_join(tmp, "README.fixed");
        if (!fixed || !fixed_to)
                return -ENOMEM;
        if (access(fixed, F_OK) == 0 && (r = copy_file(fixed, fixed_to)) < 0)
                return log_error_errno(r, "--like: cannot copy %s", fixed);
        _cleanup_free_ char *kernel = path_join(tmp, "kernel");
        if (!kernel || (r = copy_file(p->kernel_path, kernel)) < 0)
                return log_error_errno(r < 0 ? r : -ENOMEM, "--like: cannot copy the kernel %s", p->kernel_path);
        const char *format = NULL;
        if ((r = store_kernel(tmp, o, &format)) < 0)
                return r;
        struct manifest m;
        if ((r = manifest_load(o->like, &m)) < 0)
                return log_error_errno(r, "--like: cannot read %s/manifest.json", o->like);
        /* The old kernel's fields, replaced by borrowed pointers: put back before the free. */
        struct manifest old = m;
        char built_at[32];
        time_t now = time(NULL);
        strftime(built_at, sizeof built_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        struct stat st;
        m.inputs = (char *)p->inputs;
        m.kernel_version = p->kernel_version;
        m.kernel_source = p->kernel_path;
        m.kernel_format = (char *)format;
        m.kernel_machines = p->kernel_machines;
        m.kernel_machines_why = p->kernel_machines_why;
        m.size_kernel = stat(kernel, &st) == 0 ? st.st_size : 0;
        m.build_seconds = now_sec() - t0;
        m.built_at = built_at;
        _cleanup_free_ char *json = NULL;
        r = manifest_to_json(&m, &json);
        manifest_free(&old);
        return r < 0 ? r : write_text_file(tmp, "manifest.json", json, 0644);
}

/* --like DIR goes with --kernel PATH alone, and DIR must be an appliance on a leanboot kernel (a
 * stock kernel's appliance carries that kernel's modules).  0, or -EINVAL said. */
static int check_like(const struct build_opts *o)
{
        if (!o->like)
                return 0;
        if (!o->kernel || streq(o->kernel, "stock"))
                return log_error_status(-EINVAL, "build: --like needs --kernel PATH (a kernel from leanboot kernel build)");
        if (o->packages || o->copies || o->hooks || o->modules || o->run || o->debug || o->from_smd)
                return log_error_status(-EINVAL, "build: --like takes everything but the kernel from %s: no -p, --copy, --hook, "
                                        "--module, --run, --debug or --from-supermin-d with it", o->like);
        struct manifest m;
        if (manifest_load(o->like, &m) < 0 || appliance_check(o->like, NULL) < 0)
                return log_error_status(-EINVAL, "build: --like '%s' is not a leanboot appliance", o->like);
        bool custom = m.kernel_origin && streq(m.kernel_origin, "custom");
        manifest_free(&m);
        if (!custom)
                return log_error_status(-EINVAL, "build: --like '%s' is built on the stock kernel, whose modules it carries; "
                                        "only an appliance on a leanboot kernel can take another kernel", o->like);
        return 0;
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
/* -o DIR: given, not empty and not /; trailing slashes dropped (in place: argv's own bytes), so
 * that DIR.tmp-XXXXXX lands beside DIR and the final swap renames DIR, not "DIR/" (which
 * renameat2 refused after a whole build).  -1 when good, else the exit status. */
static int check_output_name(struct build_opts *o)
{
        if (!o->output)
                return log_error_status(EXIT_USAGE, "build: -o DIR is required (see leanboot build --help)");
        char *out = (char *)o->output;
        size_t n = strlen(out);
        while (n > 1 && out[n - 1] == '/')
                out[--n] = '\0';
        if (n == 0 || streq(out, "/"))
                return log_error_status(EXIT_USAGE, "build: -o '%s': expected a directory to create or replace", o->output);
        return -1;
}

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
                { "like", required_argument, NULL, 'L' },
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
                case 'L': o->like = optarg; break;
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
        return check_output_name(o);
}

/* DIR.tmp-XXXXXX beside OUTPUT left by builds that were killed (SIGINT, SIGKILL: up to 389 MB
 * each).  Called with OUTPUT's lock held, so no live build of it owns one; a build directory is
 * removed only when it has the exact shape mkdtemp gave it. */
static void remove_stale_build_dirs(const char *output)
{
        _cleanup_free_ char *dcopy = strdup(output), *bcopy = strdup(output);
        if (!dcopy || !bcopy)
                return;
        const char *dir = dirname(dcopy), *base = basename(bcopy);
        size_t bl = strlen(base);
        DIR *d = opendir(dir);
        if (!d)
                return;
        for (struct dirent *e; (e = readdir(d));) {
                const char *n = e->d_name;
                if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp-", 5) != 0 || strlen(n + bl + 5) != 6)
                        continue;
                _cleanup_free_ char *path = path_join(dir, n);
                struct stat st;
                if (path && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && rm_rf(path) == 0)
                        log_info("removed %s, left by a build that did not finish", path);
        }
        closedir(d);
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
        int r = o->like ? build_like_into(tmp, o, p, t0) : build_into(tmp, o, p, t0);
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
        /* What the command line names (packages, files, the kernel, the output) is bad input
         * when refused: a usage error, said in one line, before anything is built. */
        int r = check_like(&o);
        r = r ?: plan_validate(&o, &p);
        if (r >= 0)
                r = refuse_foreign_dir(o.output);
        if (r < 0)
                return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
        if ((r = plan_compute_inputs(&o, &p)) < 0) {
                log_error_errno(r, "cannot read the build's inputs");
                return EXIT_RUNTIME;
        }
        _cleanup_close_ int lock = lock_output(o.output);
        if (lock < 0)
                return EXIT_RUNTIME;
        remove_stale_build_dirs(o.output);
        return build_locked(&o, &p, t0) < 0 ? EXIT_RUNTIME : EXIT_OK;
}
