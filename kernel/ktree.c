/* The tailor's build tree: see ktree.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbuild.h"
#include "ktree.h"
#include "../common/cachedir.h"
#include "../common/clock.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/spawn.h"
#include "../common/strv.h"

int ktree_open(struct ktree *t, const char *dir, const char *src, const char *wrapper, bool ccache, int jobs)
{
        *t = (struct ktree){ .jobs = jobs, .ccache = ccache };
        t->src = strdup(src);
        t->dir = strdup(dir);
        t->obj = path_join(dir, "obj");
        t->log = path_join(dir, "build.log");
        if (!t->src || !t->dir || !t->obj || !t->log)
                return -ENOMEM;
        int r = mkdir_p(t->obj, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the build tree %s", t->obj);
        cachedir_mark_used(dir);
        if (ccache) {
                r = strv_push(&t->vars, "CC=ccache gcc");
                if (r >= 0 && wrapper)
                        r = strv_pushf(&t->env, "CCACHE_PREFIX=%s", wrapper);
        } else {
                r = strv_pushf(&t->vars, "CC=%s%sgcc", wrapper ? wrapper : "", wrapper ? " " : "");
        }
        return r;
}

void ktree_close(struct ktree *t)
{
        if (t->resolver_state > 0)
                kresolver_stop(&t->resolver);
        free(t->src);
        free(t->dir);
        free(t->obj);
        free(t->log);
        strv_free(t->vars);
        strv_free(t->env);
        *t = (struct ktree){ 0 };
}

static int make_in(struct ktree *t, char *const *targets, const char *progress, size_t *ret_objects)
{
        struct kmake m = { .tree = t->src, .obj = t->obj, .log = t->log, .jobs = t->jobs, .vars = t->vars, .env = t->env };
        return kbuild_make(&m, targets, progress, 0, ret_objects);
}

static int dotconfig_path(struct ktree *t, char **ret)
{
        *ret = path_join(t->obj, ".config");
        return *ret ? 0 : -ENOMEM;
}

/* FRAGS (shipped names or paths) merged into the tree's .config. */
static int merge_fragments(struct ktree *t, char *const *frags)
{
        _cleanup_strv_free_ char **paths = NULL;
        int r = 0;
        for (char *const *f = frags; r >= 0 && f && *f; f++)
                r = strv_consume(&paths, kbuild_fragment_path(*f));
        return r < 0 ? r : kbuild_merge_fragments(t->src, t->obj, t->log, paths);
}

static int copy_dotconfig_to(struct ktree *t, const char *out)
{
        _cleanup_free_ char *dotconfig = NULL;
        int r = dotconfig_path(t, &dotconfig);
        return r < 0 ? r : copy_file(dotconfig, out);
}

int ktree_start_config(struct ktree *t, const char *from, char *const *frags, const char *out)
{
        _cleanup_strv_free_ char **all = NULL;
        char *olddef[] = { "olddefconfig", NULL };
        int r = 0;
        if (streq(from, "base")) {
                r = strv_consume(&all, kbuild_fragment_path("base"));
                for (char *const *f = frags; r >= 0 && f && *f; f++)
                        r = strv_consume(&all, kbuild_fragment_path(*f));
                r = r ?: kbuild_configure(t->src, t->obj, t->log, "allnoconfig", all, t->jobs);
        } else if (streq(from, "defconfig")) {
                /* What the kernel offers for a KVM guest, with no hand-written input. */
                char *def[] = { "x86_64_defconfig", NULL }, *kvm[] = { "kvm_guest.config", NULL };
                r = make_in(t, def, NULL, NULL);
                r = r ?: make_in(t, kvm, NULL, NULL);
                r = r ?: merge_fragments(t, frags);
                r = r ?: make_in(t, olddef, NULL, NULL);
        } else {
                _cleanup_free_ char *dotconfig = NULL;
                r = dotconfig_path(t, &dotconfig);
                r = r ?: copy_file(from, dotconfig);
                r = r ?: merge_fragments(t, frags);
                r = r ?: make_in(t, olddef, NULL, NULL);
        }
        if (r != 0) {
                kbuild_show_log_tail(t->log, 15);
                return log_error_status(r < 0 ? r : -EIO, "configuring the starting kernel (%s) failed (log: %s)", from, t->log);
        }
        return copy_dotconfig_to(t, out);
}

/* Starts the resolver the first time the tree can have one, and checks it on CONFIG, which
 * olddefconfig wrote: resolved without a change, it must come back byte for byte. */
static bool resolver_ready(struct ktree *t, const char *config, const char *config_text)
{
        if (t->resolver_state != 0)
                return t->resolver_state > 0;
        int r = kresolver_start(&t->resolver, t->src, t->obj, t->log);
        if (r == -ENOENT)
                return false; /* not built yet: the next resolve tries again */
        t->resolver_state = -1;
        if (r == -ENOPKG) {
                log_info("resolving configurations with make olddefconfig: leanboot's kconfig-resolve/resolve.c is not installed "
                         "(set LEANBOOT_KCONFIG_RESOLVE to its directory)");
                return false;
        }
        if (r < 0) {
                log_info("resolving configurations with make olddefconfig: the kernel's kconfig could not be kept running (%s; log: %s)",
                         strerror(-r), t->log);
                return false;
        }
        _cleanup_free_ char *check = path_join(t->obj, ".leanboot-resolve.check"), *got = NULL;
        r = check ? kresolver_resolve(&t->resolver, config, check) : -ENOMEM;
        r = r ?: read_full_file(check, &got, NULL);
        if (check)
                unlink(check);
        if (r < 0 || !streq(got, config_text)) {
                log_info("resolving configurations with make olddefconfig: the kernel's kconfig kept running did not give %s back unchanged",
                         config);
                kresolver_stop(&t->resolver);
                return false;
        }
        t->resolver_state = 1;
        return true;
}

int ktree_resolve(struct ktree *t, const char *config, char *const *changes, const char *out)
{
        _cleanup_free_ char *text = NULL, *dotconfig = NULL;
        int r = read_full_file(config, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", config);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fputs(text, f);
        /* The kernel's config format: a later line for the same option wins (conf warns, and
         * takes it). */
        for (char *const *c = changes; c && *c; c++) {
                const char *eq = strchr(*c, '=');
                if (eq && streq(eq, "=n"))
                        fprintf(f, "# %.*s is not set\n", (int)(eq - *c), *c);
                else
                        fprintf(f, "%s\n", *c);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        if (config[0] == '/' && out[0] == '/' && t->obj[0] == '/' && resolver_ready(t, config, text)) {
                _cleanup_free_ char *in = path_join(t->obj, ".leanboot-resolve.in");
                r = in ? write_file_atomic(in, buf, len, 0644) : -ENOMEM;
                r = r ?: kresolver_resolve(&t->resolver, in, out);
                if (r == 0) {
                        free(buf);
                        return 0;
                }
                log_info("resolving configurations with make olddefconfig: the kernel's kconfig kept running failed on %s (log: %s)",
                         in ? in : "a configuration", t->log);
                kresolver_stop(&t->resolver);
                t->resolver_state = -1;
        }
        r = dotconfig_path(t, &dotconfig);
        r = r ?: write_file_atomic(dotconfig, buf, len, 0644);
        free(buf);
        char *olddef[] = { "olddefconfig", NULL };
        if (r == 0 && (r = make_in(t, olddef, NULL, NULL)) != 0) {
                kbuild_show_log_tail(t->log, 10);
                return log_error_status(r < 0 ? r : -EIO, "olddefconfig failed (log: %s)", t->log);
        }
        return r < 0 ? r : copy_dotconfig_to(t, out);
}

/* This build's ccache hits and misses, from the statistics log ccache kept for it alone
 * (CCACHE_STATSLOG: one "# FILE" line, then its counters, per compile), so that other builds on
 * the machine do not count.  -1 when there is no log. */
static void ccache_stats_log(const char *path, long long *ret_hits, long long *ret_misses)
{
        _cleanup_free_ char *text = NULL;
        *ret_hits = *ret_misses = -1;
        if (read_full_file(path, &text, NULL) < 0)
                return;
        long long hits = 0, misses = 0;
        bool source = false;
        /* strtok_r would skip the empty lines that "# " entries leave: split by hand. */
        for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
                nl = strchr(l, '\n');
                if (nl)
                        *nl = '\0';
                if (l[0] == '#') {
                        /* kbuild's compiler probes (cc-option: "/dev/null", or no file) are not
                         * objects of the kernel: they would make every build look cached. */
                        const char *file = l[1] == ' ' ? l + 2 : l + 1;
                        source = *file && !streq(file, "/dev/null");
                } else if (source && (streq(l, "direct_cache_hit") || streq(l, "preprocessed_cache_hit"))) {
                        hits++;
                } else if (source && streq(l, "cache_miss")) {
                        misses++;
                }
        }
        *ret_hits = hits;
        *ret_misses = misses;
}

int ktree_build(struct ktree *t, const char *config, const char *out_image, struct ktree_build_stats *st)
{
        double t0 = now_sec();
        *st = (struct ktree_build_stats){ .ccache_hits = -1, .ccache_misses = -1 };
        _cleanup_free_ char *dotconfig = NULL, *text = NULL, *cfg_out = NULL;
        int r = dotconfig_path(t, &dotconfig);
        r = r ?: read_full_file(config, &text, NULL);
        /* The same bytes: make sees the .config unchanged only if it was not rewritten. */
        _cleanup_free_ char *have = NULL;
        if (r == 0 && (read_full_file(dotconfig, &have, NULL) < 0 || !streq(have, text)))
                r = write_file_atomic(dotconfig, text, strlen(text), 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write the candidate's .config");
        _cleanup_free_ char *stats = NULL;
        _cleanup_strv_free_ char **env = NULL;
        if (asprintf(&stats, "%s.ccache-stats", out_image) < 0)
                return -ENOMEM;
        unlink(stats);
        for (char **e = t->env; r >= 0 && e && *e; e++)
                r = strv_push(&env, *e);
        if (r < 0 || (t->ccache && strv_pushf(&env, "CCACHE_STATSLOG=%s", stats) < 0))
                return -ENOMEM;
        char *img[] = { "bzImage", NULL };
        struct kmake m = { .tree = t->src, .obj = t->obj, .log = t->log, .jobs = t->jobs, .vars = t->vars, .env = env };
        r = kbuild_make(&m, img, "candidate kernel", 0, &st->objects);
        if (r != 0) {
                kbuild_show_log_tail(t->log, 20);
                return log_error_status(-EIO, "the candidate kernel did not build (status %d; log: %s)", r, t->log);
        }
        if (t->ccache)
                ccache_stats_log(stats, &st->ccache_hits, &st->ccache_misses);
        _cleanup_free_ char *built = path_join(t->obj, "arch/x86/boot/bzImage");
        if (asprintf(&cfg_out, "%s.config", out_image) < 0)
                return -ENOMEM;
        r = copy_file(built, out_image);
        r = r ?: copy_file(dotconfig, cfg_out);
        if (r < 0)
                return log_error_errno(r, "cannot copy the candidate kernel to %s", out_image);
        st->image_size = file_size(out_image);
        st->seconds = now_sec() - t0;
        return 0;
}
