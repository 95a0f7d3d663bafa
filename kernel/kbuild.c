/* leanboot kernel build / check: a cut-down kernel from the distro's own source.
 *
 * allnoconfig (or tinyconfig), then the fragments merged with the kernel's own
 * scripts/kconfig/merge_config.sh, then olddefconfig; every option the fragments ask for must
 * be in the final .config, else the build stops naming each dropped option and its unmet
 * dependency.  Results are cached under $XDG_CACHE_HOME/leanboot/kernels/KEY, where KEY hashes
 * the source identity, the fragments' content and the base config: the same inputs return the
 * cached kernel at once. */
#include <config.h>

#include <dirent.h>
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
#include <json-c/json.h>

#include "fragment.h"
#include "kbuild.h"
#include "kmap.h"
#include "tailor.h"
#include "../common/bzimage.h"
#include "../common/clock.h"
#include "../common/hash.h"
#include "../common/fileio.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/machine.h"
#include "../common/parse.h"
#include "../common/progress.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

struct kbuild_opts {
        char **fragments;   /* --fragment F (paths, or names of shipped fragments) */
        const char *source; /* --source TARBALL|DIR */
        const char *output; /* -o DIR */
        const char *base;   /* --base allnoconfig|tinyconfig */
        int jobs;           /* --jobs N */
        bool force;         /* --force: ignore the cache */
        bool keep_tree;     /* --keep-tree: keep the object tree (KDIR/tree), for kernel map */
};

/* Shipped fragments: $LEANBOOT_CONFIGS, else beside the binary in a build tree, else installed
 * in pkgdatadir. */
static char *configs_dir(void)
{
        return shipped_path("LEANBOOT_CONFIGS", "kernel-configs", "base.config", PKGDATADIR "/kernel-configs");
}

/* "net" or "net.config" means the shipped fragment; anything with a '/' or that exists is a path. */
char *kbuild_fragment_path(const char *f)
{
        if (strchr(f, '/') || access(f, R_OK) == 0) {
                char *abs = realpath(f, NULL);
                return abs ? abs : strdup(f);
        }
        _cleanup_free_ char *dir = configs_dir();
        char *p = NULL;
        if (asprintf(&p, "%s/%s%s", dir, f, strstr(f, ".config") ? "" : ".config") < 0)
                return NULL;
        return p;
}

static char *default_source(void)
{
        _cleanup_closedir_ DIR *d = opendir("/usr/src");
        if (!d)
                return NULL;
        char *best = NULL;
        struct dirent *e;
        while ((e = readdir(d))) {
                size_t l = strlen(e->d_name);
                if (strncmp(e->d_name, "linux-source-", 13) != 0 || l < 8 || !streq(e->d_name + l - 7, ".tar.xz"))
                        continue;
                if (!best || strverscmp(e->d_name, best + 9) > 0) {
                        free(best);
                        if (asprintf(&best, "/usr/src/%s", e->d_name) < 0)
                                best = NULL;
                }
        }
        return best;
}

/* A kernel tree is a directory with a top Makefile and scripts/kconfig/merge_config.sh. */
static bool is_kernel_tree(const char *dir)
{
        _cleanup_free_ char *m = path_join(dir, "scripts/kconfig/merge_config.sh");
        return m && access(m, R_OK) == 0;
}

/* Extract a source tarball once into the cache; returns the tree's path. */
static int unpack_source(const char *tarball, const char *cache, const char *key, char **ret_tree)
{
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        if (asprintf(&dir, "%s/src/%.16s", cache, key) < 0 || asprintf(&tmp, "%s.tmp-XXXXXX", dir) < 0)
                return -ENOMEM;
        if (!file_exists(dir)) {
                int r = mkdir_p(dirname(strdupa(dir)), 0755);
                if (r < 0 || !mkdtemp(tmp))
                        return log_error_errno(r < 0 ? r : -errno, "cannot create %s", tmp);
                log_info("unpacking %s (once; cached in %s)", tarball, dir);
                char *tar[] = { "tar", "-C", tmp, "-xf", (char *)tarball, NULL };
                if (run_argv(tar, NULL) != 0) {
                        rm_rf(tmp);
                        return log_error_status(-EIO, "cannot unpack %s", tarball);
                }
                /* The unpacked tree (some 70000 files) on disk before it has its name, in one
                 * syncfs rather than a file at a time. */
                _cleanup_close_ int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tfd < 0 || syncfs(tfd) < 0) {
                        int r2 = -errno;
                        rm_rf(tmp);
                        return log_error_errno(r2, "cannot sync %s", tmp);
                }
                if (rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST) {
                        int r2 = -errno;
                        rm_rf(tmp);
                        return log_error_errno(r2, "cannot move the source into %s", dir);
                }
                rm_rf(tmp); /* a concurrent unpack won: ours is redundant */
        }
        /* The tarball holds one top directory. */
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char *t = path_join(dir, e->d_name);
                if (t && is_kernel_tree(t)) {
                        *ret_tree = t;
                        return 0;
                }
                free(t);
        }
        return log_error_status(-EINVAL, "%s does not hold a kernel source tree", tarball);
}

/* A kbuild output line that is one object compiled or assembled ("  CC      kernel/fork.o"). */
static bool is_object_step(const char *line, size_t len)
{
        return len > 4 && line[0] == ' ' && line[1] == ' ' && ((line[2] == 'C' && line[3] == 'C') || (line[2] == 'A' && line[3] == 'S')) &&
               (line[4] == ' ' || line[4] == '\t');
}

static int run_make(const char *tree, const char *obj, const char *logpath, char *const *targets, int jobs,
                    const char *progress, size_t expect, size_t *ret_objects)
{
        struct kmake m = { .tree = tree, .obj = obj, .log = logpath, .jobs = jobs };
        return kbuild_make(&m, targets, progress, expect, ret_objects);
}

int kbuild_make(const struct kmake *m, char *const *targets, const char *progress, size_t expect, size_t *ret_objects)
{
        const char *tree = m->tree, *obj = m->obj, *logpath = m->log;
        int jobs = m->jobs;
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, "make");
        r = r ?: strv_push(&argv, "-C");
        r = r ?: strv_push(&argv, tree);
        r = r ?: strv_pushf(&argv, "O=%s", obj);
        r = r ?: strv_pushf(&argv, "-j%d", jobs);
        /* Reproducible identity strings: the image's bytes depend on the inputs only. */
        r = r ?: strv_push(&argv, "KBUILD_BUILD_USER=leanboot");
        r = r ?: strv_push(&argv, "KBUILD_BUILD_HOST=leanboot");
        r = r ?: strv_push(&argv, "KBUILD_BUILD_TIMESTAMP=@0");
        for (char *const *v = m->vars; r >= 0 && v && *v; v++)
                r = strv_push(&argv, *v);
        for (char *const *t = targets; r >= 0 && *t; t++)
                r = strv_push(&argv, *t);
        if (r < 0)
                return r;
        _cleanup_close_ int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (logfd < 0)
                return -errno;
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = pfd[1];
        so.stderr_fd = pfd[1];
        so.env_add = m->env;
        pid_t pid = spawn_argv(argv, &so);
        close(pfd[1]);
        if (pid < 0) {
                close(pfd[0]);
                return (int)pid;
        }
        struct progress pr;
        if (progress)
                progress_start(&pr, progress, "objects");
        size_t objects = 0, linelen = 0;
        char buf[16384], line[8];
        for (;;) {
                ssize_t k = read(pfd[0], buf, sizeof buf);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                write_full(logfd, buf, (size_t)k);
                /* Only a line's first bytes tell what it is. */
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] == '\n') {
                                objects += is_object_step(line, linelen);
                                linelen = 0;
                        } else if (linelen < sizeof line) {
                                line[linelen++] = buf[i];
                        }
                }
                if (progress)
                        progress_update(&pr, objects, expect, true, NULL);
        }
        close(pfd[0]);
        if (progress)
                progress_end(&pr, objects, 0, NULL);
        if (ret_objects)
                *ret_objects = objects;
        return wait_exit_status(pid);
}

void kbuild_show_log_tail(const char *logpath, int lines)
{
        _cleanup_free_ char *text = NULL, *title = NULL;
        if (read_full_file(logpath, &text, NULL) == 0 && asprintf(&title, "last lines of %s", logpath) >= 0)
                log_text_tail(title, text, lines);
}

/* An option asked off that stays on: the options that select it, if any is on. */
static void explain_kept_on(const char *srcdir, const char *name, const struct kconfig *fin, bool known, char *buf, size_t size)
{
        _cleanup_strv_free_ char **sel = srcdir && known ? kconfig_selectors(srcdir, name) : NULL;
        _cleanup_free_ char *on = sel ? kconfig_names_on(sel, fin) : NULL;
        if (on && *on)
                snprintf(buf, size, "; it is selected by %s", on);
        else if (known)
                snprintf(buf, size, "; nothing that selects it is on: this configuration sets it, or it has no prompt");
}

/* An option asked on whose dependencies are all met: a choice (another member is on), or else
 * a range or the configuration's own setting. */
static void explain_met(const char *srcdir, const char *name, const struct kconfig *fin, const char *annotated, char *buf, size_t size)
{
        _cleanup_strv_free_ char **members = srcdir ? kconfig_choice_members(srcdir, name) : NULL;
        _cleanup_free_ char *on = members ? kconfig_names_on(members, fin) : NULL;
        if (on && *on)
                snprintf(buf, size, "; it is a member of a choice, and %s is the member on: ask for it with the other "
                         "member off", on);
        else if (annotated && *annotated)
                snprintf(buf, size, "; its dependencies are met (%s): a range or this configuration's own setting "
                         "decides (see its Kconfig entry)", annotated);
        else
                snprintf(buf, size, "; it has no dependencies: something limits it (see its Kconfig entry)");
}

/* Report requested options missing from the final config; returns how many.  A build that
 * lacks one failed (errors); `kernel check` reports what differs as findings, on stdout. */
static size_t report_missing(const struct kconfig *req, const char *final_path, const char *srcdir, bool findings)
{
        _cleanup_(kconfig_free) struct kconfig fin = { 0 };
        _cleanup_free_ char *err = NULL;
        if (kconfig_load(final_path, &fin, &err) < 0) {
                log_error("%s", err ? err : final_path);
                return 1;
        }
        _cleanup_free_ size_t *idx = NULL;
        size_t n = 0;
        kconfig_missing(req, &fin, &idx, &n);
        for (size_t i = 0; i < n; i++) {
                const struct kopt *o = &req->opts[idx[i]];
                _cleanup_free_ char *dep = srcdir ? kconfig_depends(srcdir, o->name) : NULL;
                const char *have = kconfig_value(&fin, o->name);
                _cleanup_free_ char *annotated = dep && *dep ? kconfig_annotate(dep, &fin) : NULL;
                bool want_off = streq(o->value, "n");
                _cleanup_free_ char *unmet = dep && *dep ? kconfig_unmet(dep, &fin, streq(o->value, "y")) : NULL;
                char because[1600] = "";
                if (want_off)
                        explain_kept_on(srcdir, o->name, &fin, dep != NULL, because, sizeof because);
                else if (annotated && unmet && *unmet)
                        snprintf(because, sizeof because, "; it depends on %s: unmet %s", annotated, unmet);
                else if (dep)
                        explain_met(srcdir, o->name, &fin, annotated, because, sizeof because);
                else if (srcdir)
                        snprintf(because, sizeof because, "; this kernel has no such option");
                if (findings)
                        printf("differs: %s=%s asked (%s:%u), it is %s%s\n", o->name, o->value, o->file, o->line,
                               streq(have, "n") ? "not set" : have, because);
                else
                        log_error("%s=%s (%s:%u) is not in the final config (it is %s)%s", o->name, o->value, o->file,
                                  o->line, streq(have, "n") ? "not set" : have, because);
        }
        return n;
}

static int load_fragments(char *const *paths, struct kconfig *req)
{
        for (char *const *p = paths; p && *p; p++) {
                _cleanup_free_ char *err = NULL;
                if (kconfig_load(*p, req, &err) < 0)
                        return log_error_status(-EINVAL, "fragment %s", err ? err : *p);
        }
        return 0;
}

static int write_kernel_manifest(const char *dir, const char *source, const char *srcver, char *const *frags,
                                 const char *base, size_t options, long long image_size, double secs,
                                 const char *key)
{
        json_object *o = json_object_new_object(), *s = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(s, "path", json_object_new_string(source));
        json_object_object_add(s, "version", json_object_new_string(srcver ? srcver : ""));
        json_object_object_add(o, "source", s);
        for (char *const *f = frags; f && *f; f++)
                json_object_array_add(a, json_object_new_string(*f));
        json_object_object_add(o, "fragments", a);
        json_object_object_add(o, "base", json_object_new_string(base));
        json_object_object_add(o, "options", json_object_new_int64((int64_t)options));
        json_object_object_add(o, "image_size", json_object_new_int64(image_size));
        json_object_object_add(o, "build_seconds", json_object_new_double(secs));
        json_object_object_add(o, "cache_key", json_object_new_string(key));
        _cleanup_free_ char *path = path_join(dir, "manifest.json");
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = path ? write_file_atomic(path, text, strlen(text), 0644) : -ENOMEM;
        json_object_put(o);
        return r;
}

/* Copy the cached results to DIR, replacing it atomically. */
static int publish(const char *cached, const char *out)
{
        static const char *const files[] = { "bzImage", "config", "build.log", "manifest.json" };
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp-XXXXXX", out) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return log_error_errno(-errno, "cannot write next to %s", out);
        chmod(tmp, 0755);
        int r = 0;
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *a = path_join(cached, files[i]), *b = path_join(tmp, files[i]);
                r = a && b ? copy_file(a, b) : -ENOMEM;
        }
        if (r >= 0)
                r = dir_replace(tmp, out);
        if (r < 0)
                rm_rf(tmp);
        return r < 0 ? log_error_errno(r, "cannot write the kernel to %s", out) : 0;
}

/* A failed build keeps its directory (log, .config) for a look; the next build of the same
 * key, holding the key's lock, clears those before starting. */
static void remove_stale_work(const char *kdir)
{
        _cleanup_free_ char *parent = strdup(kdir), *base = strdup(kdir);
        if (!parent || !base)
                return;
        const char *dir = dirname(parent), *name = basename(base);
        size_t nl = strlen(name);
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (strncmp(e->d_name, name, nl) == 0 && strncmp(e->d_name + nl, ".tmp-", 5) == 0) {
                        _cleanup_free_ char *p = path_join(dir, e->d_name);
                        if (p)
                                rm_rf(p);
                }
        }
}

/* Fragments: base.config first, then the ones asked for, each once. */
static int collect_fragments(const struct kbuild_opts *o, char ***ret)
{
        if (strv_consume(ret, kbuild_fragment_path("base")) < 0)
                return -ENOMEM;
        for (char **f = o->fragments; f && *f; f++) {
                _cleanup_free_ char *p = kbuild_fragment_path(*f);
                if (!p || access(p, R_OK) < 0)
                        return log_error_status(-ENOENT, "fragment '%s' not found (%s)", *f, p ? p : "?");
                if (!strv_contains(*ret, p) && strv_consume(ret, TAKE_PTR(p)) < 0)
                        return -ENOMEM;
        }
        if (access((*ret)[0], R_OK) < 0)
                return log_error_status(-ENOENT, "base.config not found at %s (set LEANBOOT_CONFIGS)", (*ret)[0]);
        return 0;
}

/* --source (a tarball or a tree), else Debian's linux-source tarball. */
static int resolve_source(const struct kbuild_opts *o, char **ret_source, struct stat *ret_st)
{
        _cleanup_free_ char *source = o->source ? realpath(o->source, NULL) : default_source();
        if (!source)
                return log_error_status(-ENOENT, o->source ? "--source '%s': no such file or directory"
                                           : "no kernel source: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source)",
                                 o->source);
        if (stat(source, ret_st) < 0)
                return log_error_errno(-errno, "--source '%s'", source);
        if (S_ISDIR(ret_st->st_mode) && !is_kernel_tree(source))
                return log_error_status(-EINVAL, "--source '%s' is not a kernel source tree", source);
        *ret_source = TAKE_PTR(source);
        return 0;
}

/* The cache key: source identity, fragments' content, base, and this builder.  srckey names
 * the unpacked source alone. */
static void cache_key(const char *source, const struct stat *st, char *const *frags, const char *base, char key[65],
                      char srckey[65])
{
        struct hasher *h = NULL;
        hasher_new(&h);
        hasher_add_stat(h, "source", source);
        if (S_ISDIR(st->st_mode)) {
                _cleanup_free_ char *mk = path_join(source, "Makefile");
                hasher_add_stat(h, "makefile", mk);
        }
        hasher_final(h, srckey);
        hasher_free(h);
        hasher_new(&h);
        hasher_add_str(h, "source", srckey);
        /* Fragments count by their text: a read-only copy (make distcheck) or another checkout
         * of the same fragments finds the same cached kernel. */
        for (char *const *f = frags; *f; f++)
                hasher_add_content(h, "fragment", *f);
        hasher_add_str(h, "base", base);
        hasher_add_str(h, "leanboot-kbuild", "1");
        hasher_final(h, key);
        hasher_free(h);
}

int kbuild_source_tree(const char *source_arg, char **ret_tree, char ret_srckey[65])
{
        struct kbuild_opts o = { .source = source_arg };
        _cleanup_free_ char *source = NULL, *cache = leanboot_cache_dir();
        struct stat st;
        if (!cache)
                return log_error_status(-ENOENT, "no cache directory: set XDG_CACHE_HOME or LEANBOOT_CACHE_DIR");
        int r = resolve_source(&o, &source, &st);
        if (r < 0)
                return -EINVAL;
        char key[65];
        char *const none[] = { NULL };
        cache_key(source, &st, none, "", key, ret_srckey);
        if (S_ISDIR(st.st_mode)) {
                *ret_tree = TAKE_PTR(source);
                return 0;
        }
        return unpack_source(source, cache, ret_srckey, ret_tree);
}

static int configure_tree(const struct kbuild_opts *o, const char *tree, const char *obj, const char *logp,
                          char *const *frags)
{
        return kbuild_configure(tree, obj, logp, o->base, frags, o->jobs);
}

int kbuild_merge_fragments(const char *tree, const char *obj, const char *logp, char *const *frags)
{
        if (!frags || !*frags)
                return 0;
        _cleanup_free_ char *dotconfig = path_join(obj, ".config");
        _cleanup_strv_free_ char **merge = NULL;
        int r = strv_pushf(&merge, "%s/scripts/kconfig/merge_config.sh", tree);
        r = r ?: strv_push(&merge, "-m");
        r = r ?: strv_push(&merge, "-O");
        r = r ?: strv_push(&merge, obj);
        r = r ?: strv_push(&merge, dotconfig);
        for (char *const *f = frags; r >= 0 && *f; f++)
                r = strv_push(&merge, *f);
        if (r < 0)
                return r;
        _cleanup_close_ int lfd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = so.stderr_fd = lfd;
        /* merge_config.sh runs from the tree (it calls make for its own checks). */
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        if (chdir(tree) < 0)
                return -errno;
        r = run_argv(merge, &so);
        if (cwd && chdir(cwd) < 0)
                return -errno;
        return r;
}

int kbuild_configure(const char *tree, const char *obj, const char *logp, const char *base, char *const *frags, int jobs)
{
        char *base_t[] = { (char *)base, NULL };
        int r = run_make(tree, obj, logp, base_t, jobs, NULL, 0, NULL);
        r = r ?: kbuild_merge_fragments(tree, obj, logp, frags);
        if (r != 0)
                return r;
        char *olddef[] = { "olddefconfig", NULL };
        return run_make(tree, obj, logp, olddef, jobs, NULL, 0, NULL);
}

/* What a fresh build needs to know. */
struct fresh {
        const char *source, *cache, *kdir, *key, *srckey;
        const struct stat *st;
        char *const *frags;
        const struct kconfig *req;
        double t0;
};

/* Configure, check, compile; keep bzImage, config, log and manifest in WORK. */
static int compile_into(const struct kbuild_opts *o, const struct fresh *f, const char *tree, const char *work)
{
        _cleanup_free_ char *obj = path_join(work, "obj"), *logp = path_join(work, "build.log");
        _cleanup_free_ char *dotconfig = path_join(obj, ".config");
        mkdir_p(obj, 0755);
        log_info("configuring %s + %zu fragment(s) (log: %s)", o->base, strv_length(f->frags), logp);
        if (configure_tree(o, tree, obj, logp, f->frags) != 0) {
                kbuild_show_log_tail(logp, 20);
                return log_error_status(-EIO, "configuring the kernel failed (log kept in %s)", logp);
        }
        size_t dropped = report_missing(f->req, dotconfig, tree, false);
        if (dropped)
                return log_error_status(-EINVAL, "%zu requested option(s) could not be enabled; see above (config kept in %s)", dropped,
                                 dotconfig);
        log_info("building bzImage with %d job(s)", o->jobs);
        char *img[] = { "bzImage", NULL };
        /* The fraction built is estimated from the last build's object count, kept in the cache. */
        _cleanup_free_ char *count_path = path_join(f->cache, "last-build-objects"), *count_text = NULL;
        size_t expect = count_path && read_full_file(count_path, &count_text, NULL) == 0 ? strtoul(count_text, NULL, 10) : 0;
        size_t objects = 0;
        int r = run_make(tree, obj, logp, img, o->jobs, "kernel build", expect, &objects);
        char count[32];
        snprintf(count, sizeof count, "%zu\n", objects);
        if (r == 0 && count_path && objects > 0)
                (void)write_file_atomic(count_path, count, strlen(count), 0644);
        if (r != 0) {
                kbuild_show_log_tail(logp, 25);
                return log_error_status(-EIO, "the kernel build failed (status %d; full log in %s)", r, logp);
        }
        /* Keep the image, config and log; drop the object tree. */
        _cleanup_free_ char *img_from = path_join(obj, "arch/x86/boot/bzImage");
        _cleanup_free_ char *img_to = path_join(work, "bzImage"), *cfg_to = path_join(work, "config");
        if (copy_file(img_from, img_to) < 0 || copy_file(dotconfig, cfg_to) < 0)
                return log_error_status(-EIO, "the build produced no bzImage");
        /* The object tree is 0.5-2 GB: kept only when asked (kernel map reads it), under a name
         * of its own; its 'source' link (kbuild's) points at the cached source. */
        if (o->keep_tree) {
                _cleanup_free_ char *kept = path_join(work, "tree");
                if (!kept || rename(obj, kept) < 0)
                        return log_error_errno(-errno, "cannot keep the build tree");
        } else {
                rm_rf(obj);
        }
        _cleanup_(kconfig_free) struct kconfig fin = { 0 };
        kconfig_load(cfg_to, &fin, NULL);
        _cleanup_free_ char *ver = NULL;
        bzimage_version(img_to, &ver);
        write_kernel_manifest(work, f->source, ver, f->frags, o->base, kconfig_enabled(&fin),
                              (long long)file_size(img_to), now_sec() - f->t0, f->key);
        return 0;
}

/* A kernel built in KDIR.tmp-XXXXXX and renamed to KDIR when whole. */
static int build_fresh(const struct kbuild_opts *o, const struct fresh *f)
{
        _cleanup_free_ char *tree = NULL;
        if (S_ISDIR(f->st->st_mode))
                tree = strdup(f->source);
        else if (unpack_source(f->source, f->cache, f->srckey, &tree) < 0)
                return -EIO;
        remove_stale_work(f->kdir);
        _cleanup_free_ char *work = NULL;
        if (asprintf(&work, "%s.tmp-XXXXXX", f->kdir) < 0 || !mkdtemp(work))
                return log_error_errno(-errno, "cannot create a build directory in %s", f->cache);
        chmod(work, 0755);
        int r = compile_into(o, f, tree, work);
        if (r < 0)
                return r;
        /* On disk before it has its name: a cache entry is trusted by its name alone. */
        r = fsync_tree(work);
        if (r < 0)
                return log_error_errno(r, "cannot sync %s", work);
        rm_rf(f->kdir);
        if (rename(work, f->kdir) < 0)
                return log_error_errno(-errno, "cannot move the kernel into %s", f->kdir);
        (void)fsync_parent(f->kdir);
        log_info("kernel built in %.0f s: %s", now_sec() - f->t0, f->kdir);
        return 0;
}

static int kernel_build(const struct kbuild_opts *o)
{
        double t0 = now_sec();
        _cleanup_strv_free_ char **frags = NULL;
        _cleanup_(kconfig_free) struct kconfig req = { 0 };
        _cleanup_free_ char *source = NULL;
        struct stat st;
        /* A fragment or a source that is not there or not one: bad input. */
        if (collect_fragments(o, &frags) < 0 || load_fragments(frags, &req) < 0 || resolve_source(o, &source, &st) < 0)
                return EXIT_USAGE;
        char key[65], srckey[65];
        cache_key(source, &st, frags, o->base, key, srckey);
        _cleanup_free_ char *cache = leanboot_cache_dir();
        if (!cache)
                return log_error_status(EXIT_RUNTIME, "kernel build: no cache directory (no HOME, no home in the password "
                                        "database): set XDG_CACHE_HOME or LEANBOOT_CACHE_DIR");
        _cleanup_free_ char *kdir = NULL, *lockp = NULL;
        if (asprintf(&kdir, "%s/kernels/%.24s", cache, key) < 0 ||
            asprintf(&lockp, "%s/kernels/.%.24s.lock", cache, key) < 0)
                return EXIT_RUNTIME;
        int r = mkdir_p(dirname(strdupa(kdir)), 0755);
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "cannot create the cache in %s", cache);
        _cleanup_close_ int lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock < 0 || flock(lock, LOCK_EX) < 0)
                return log_error_errno_status(EXIT_RUNTIME, -errno, "cannot lock %s", lockp);
        _cleanup_free_ char *cached_image = path_join(kdir, "bzImage");
        struct fresh f = { .source = source, .cache = cache, .kdir = kdir, .key = key, .srckey = srckey, .st = &st,
                           .frags = frags, .req = &req, .t0 = t0 };
        _cleanup_free_ char *cached_tree = path_join(kdir, "tree");
        if (!o->force && file_exists(cached_image) && (!o->keep_tree || file_exists(cached_tree)))
                log_info("cached kernel: %s", kdir);
        else if (build_fresh(o, &f) < 0)
                return EXIT_RUNTIME;
        if (o->keep_tree)
                log_info("build tree: %s (for leanboot kernel map)", cached_tree);
        if (o->output && publish(kdir, o->output) < 0)
                return EXIT_RUNTIME;
        _cleanup_free_ char *shown = path_join(o->output ? o->output : kdir, "bzImage");
        printf("%s\n", shown);
        return 0;
}

/* Which QEMU machines an appliance on this kernel boots on (common/machine.h), and why not the
 * other: microvm wants virtio-mmio, the PC machine virtio-pci. */
static void print_machines(const char *config)
{
        _cleanup_(kconfig_free) struct kconfig c = { 0 };
        if (kconfig_load(config, &c, NULL) < 0)
                return;
        _cleanup_free_ char *why = NULL;
        /* A kernel leanboot builds carries no modules into its appliances (the stock kernel's
         * appliances are the builder's business): built in, or it does not count. */
        unsigned m = kconfig_machines(&c, false, &why);
        bool pc = m & (1u << MACHINE_PC), microvm = m & (1u << MACHINE_MICROVM);
        printf("machines: %s%s%s%s\n", pc ? "pc" : "", pc && microvm ? ", " : "", microvm ? "microvm" : "",
               m ? "" : "none");
        if (why && *why)
                printf("  (%s)\n", why);
}

static int kernel_check(int argc, char **argv, char **frag_args, const char *source)
{
        if (argc != 1)
                return log_error_status(EXIT_USAGE, "kernel check: expected one CONFIG file (see leanboot kernel --help)");
        _cleanup_strv_free_ char **frags = NULL;
        int r = frag_args ? 0 : strv_consume(&frags, kbuild_fragment_path("base"));
        for (char **f = frag_args; r >= 0 && f && *f; f++)
                r = strv_consume(&frags, kbuild_fragment_path(*f));
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel check");
        _cleanup_(kconfig_free) struct kconfig req = { 0 };
        if (load_fragments(frags, &req) < 0)
                return EXIT_USAGE;
        if (access(argv[0], R_OK) < 0)
                return log_error_errno_status(EXIT_USAGE, -errno, "kernel check: '%s'", argv[0]);
        size_t n = report_missing(&req, argv[0], source, true);
        if (n == 0)
                printf("%s has all %zu requested option(s)\n", argv[0], req.n);
        else
                printf("%zu of %zu requested option(s) differ in %s\n", n, req.n, argv[0]);
        print_machines(argv[0]);
        return n ? EXIT_RUNTIME : EXIT_OK;
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot kernel build [--fragment F]... [--source TARBALL|DIR] [-o DIR] [--jobs N]\n"
                "                             [--base allnoconfig|tinyconfig] [--force] [--keep-tree]\n"
                "       leanboot kernel check CONFIG [--fragment F]... [--source DIR]\n"
                "       leanboot kernel map TREE LOG [--source DIR] [--top N] [--callees]\n"
                "       leanboot kernel tailor --check APPLIANCE[:'PAYLOAD'] -o FRAGMENT [--from base|defconfig|CONFIG] ...\n\n"
                "build: a cut-down kernel from the distro's kernel source (default: the newest\n"
                "  /usr/src/linux-source-*.tar.xz): base.config plus each --fragment (a path, or the\n"
                "  name of a shipped fragment: net, debug, guestfs, microvm), merged with merge_config.sh and checked.\n"
                "  Cached under $XDG_CACHE_HOME/leanboot/kernels by a hash of the inputs; -o DIR gets\n"
                "  bzImage, config, build.log and manifest.json.  Prints the bzImage path.\n"
                "check: which options the fragments (default: base.config) ask for that CONFIG lacks;\n"
                "  with --source, the unmet dependency of each.  Exit 1 when any are missing.  Then\n"
                "  the QEMU machines an appliance on it boots on (pc: virtio-pci; microvm:\n"
                "  virtio-mmio; --fragment microvm drops PCI: microvm only).\n"
                "map: each initcall of LOG mapped to the object of the kernel build tree TREE (kbuild's\n"
                "  O= directory; --keep-tree keeps it) that defines it, and to the Kconfig options that\n"
                "  build that object; then the options by the initcall time they bring.\n"
                "tailor: find the options a payload does not need by building, booting and measuring\n"
                "  candidates (see leanboot kernel tailor --help).\n");
}

int cmd_kernel(int argc, char **argv)
{
        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 2 : 0;
        }
        const char *sub = argv[1];
        if (streq(sub, "map"))
                return kernel_map(argc - 1, argv + 1);
        if (streq(sub, "tailor"))
                return kernel_tailor(argc - 1, argv + 1);
        if (!streq(sub, "build") && !streq(sub, "check"))
                return log_error_status(EXIT_USAGE, "kernel: unknown subcommand '%s' (build, check, map or tailor)", sub);
        static const struct option longopts[] = {
                { "fragment", required_argument, NULL, 'f' }, { "source", required_argument, NULL, 's' },
                { "output", required_argument, NULL, 'o' },   { "jobs", required_argument, NULL, 'j' },
                { "base", required_argument, NULL, 'b' },     { "force", no_argument, NULL, 'F' },
                { "keep-tree", no_argument, NULL, 'K' },      { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct kbuild_opts o = { .base = "allnoconfig", .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) };
        _cleanup_strv_free_ char **frags = NULL, **positional = NULL;
        int c;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc - 1, argv + 1, "-o:j:h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (strv_push(&positional, optarg) < 0)
                                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel");
                        break;
                case 'f':
                        if (strv_push(&frags, optarg) < 0)
                                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel");
                        break;
                case 's': o.source = optarg; break;
                case 'o': o.output = optarg; break;
                case 'j':
                        if (parse_int_range(optarg, 1, 1024, &o.jobs) < 0)
                                return log_error_status(EXIT_USAGE, "kernel: --jobs '%s': expected 1 to 1024", optarg);
                        break;
                case 'b':
                        if (!streq(optarg, "allnoconfig") && !streq(optarg, "tinyconfig"))
                                return log_error_status(EXIT_USAGE, "kernel: --base '%s': expected allnoconfig or tinyconfig", optarg);
                        o.base = optarg;
                        break;
                case 'F': o.force = true; break;
                case 'K': o.keep_tree = true; break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_USAGE, "kernel: unknown option or missing value: '%s' (see leanboot kernel --help)",
                                         argv[optind]);
                }
        }
        if (streq(sub, "check"))
                return kernel_check((int)strv_length(positional), positional, frags, o.source);
        if (positional)
                return log_error_status(EXIT_USAGE, "kernel build: unexpected argument '%s'", positional[0]);
        o.fragments = frags;
        return kernel_build(&o);
}
