/* leanboot kernel tailor (see tailor.h): the loop (measure the start, try each group of cuts on
 * the best kernel, bisect what fails, resume from the state) and the command.  The proposals are
 * tailor-propose.c's, the boots tailor-boot.c's. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbuild.h"
#include "tailor-ctx.h"
#include "../common/cachedir.h"
#include "../common/clock.h"
#include "../common/exit-status.h"
#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/kconfig.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/macro.h"
#include "../common/parse.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

/* ---- the start: built, booted, measured, mapped ----------------------------------------------- */

static int add_trial(struct tailor_state *s, struct trial *t);

static int measure_start(struct tailor_ctx *x)
{
        const struct tailor_opts *o = x->o;
        struct tailor_state *s = &x->s;
        _cleanup_free_ char *kdir = tailor_build_path(x, 1, ""), *img = tailor_build_path(x, 1, "bzImage"), *logs = tailor_build_path(x, 1, "logs");
        if (!kdir || !img || !logs || mkdir_p(kdir, 0755) < 0)
                return -ENOMEM;
        log_info("the starting kernel (%s): configuring", o->from);
        int r = ktree_start_config(&x->tree, o->from, o->fragments, x->start_config);
        if (r < 0)
                return r;
        log_info("build 1: the starting kernel (later builds recompile only what their cuts change)");
        struct ktree_build_stats bs;
        r = ktree_build(&x->tree, x->start_config, img, &bs);
        s->builds = 1;
        if (r < 0)
                return r;
        r = tailor_make_appliance(x, 1);
        if (r < 0)
                return r;
        const char *what;
        int st = tailor_run_checks(x, 1, &what);
        if (st != 0)
                return log_error_status(-EINVAL, "%s fails on the starting kernel (exit status %d): nothing to tailor "
                                        "against", what, st);
        struct measure none = { 0 };
        bool faster;
        r = tailor_bench(x, 1, 0, logs, &s->start, &none, &faster, 0, NULL);
        if (r < 0)
                return r;
        _cleanup_(kconfig_free) struct kconfig start = { 0 };
        if ((r = kconfig_load(x->start_config, &start, NULL)) < 0)
                return r;
        s->start.image_size = bs.image_size;
        s->start.options = (int)kconfig_enabled(&start);
        s->best = s->start;
        s->best_build = 1;
        struct trial t = { .build = 1, .result = strdup("start"), .m = s->start, .build_seconds = bs.seconds,
                           .objects = (long long)bs.objects, .ccache_hits = bs.ccache_hits, .ccache_misses = bs.ccache_misses };
        if (!t.result || (r = add_trial(s, &t)) < 0)
                return -ENOMEM;

        return tailor_map_and_propose(x, logs, "the starting kernel");
}

/* ---- the loop --------------------------------------------------------------------------------- */

static bool minutes_left(const struct tailor_ctx *x)
{
        return x->o->budget_minutes <= 0 || x->s.seconds + (now_sec() - x->t0) < x->o->budget_minutes * 60.0;
}

static bool budget_left(const struct tailor_ctx *x)
{
        return (x->o->budget_builds <= 0 || x->s.builds < x->o->budget_builds) && minutes_left(x);
}

static int save(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        double was = s->seconds;
        s->seconds = was + (now_sec() - x->t0);
        int r = tailor_state_save(x->state_path, s);
        s->seconds = was;
        return r < 0 ? log_error_errno(r, "cannot save the tailor's state in %s", x->state_path) : 0;
}

static void decide(struct tailor_state *s, const int *g, enum cut_status st, const char *why, int build)
{
        for (const int *p = g; *p >= 0; p++) {
                struct cut *c = &s->cuts[*p];
                c->status = st;
                c->build = build;
                free(c->why);
                c->why = why ? strdup(why) : NULL;
        }
}

static int config_hash(const char *path, char **ret)
{
        struct hasher *h = NULL;
        char hex[65];
        int r = hasher_new(&h);
        r = r ?: hasher_add_content(h, "config", path);
        r = r ?: hasher_final(h, hex);
        hasher_free(h);
        if (r < 0)
                return r;
        *ret = strdup(hex);
        return *ret ? 0 : -ENOMEM;
}

/* A build of the same resolved config whose verdict stands without a build: one that failed, or,
 * on the instruction clock, one whose measured initcalls are not --min-effect under the best's
 * now.  Bisection meets this often: when a batch failed and its first half passed, the second
 * half on top of the first is the batch again; and a group that was not faster with a moved
 * cost's proposal, bisected, tries the group alone again (session 17's build 10 was build 8's
 * config).  The instruction clock's figures are exact, so the earlier measure is this config's;
 * on the wall clock "not faster" can be a saving that missed p < 0.01, and the best it lost to
 * may be gone: that config is built again. */
static const struct trial *same_config_decided(const struct tailor_ctx *x, const char *hash)
{
        const struct tailor_state *s = &x->s;
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                if (!t->config_hash || !streq(t->config_hash, hash) || !t->result || streq(t->result, "start") || streq(t->result, "faster"))
                        continue;
                if (!streq(t->result, "not faster"))
                        return t; /* it failed */
                if (x->o->clock == CLOCK_INSN && t->m.valid &&
                    (double)(s->best.initcalls_us - t->m.initcalls_us) < tailor_min_effect_us(x, s->best.initcalls_us))
                        return t;
        }
        return NULL;
}

/* What follows a verdict on group G: kept as the best, kept out (one option), or bisected. */
static void settle_kept_gone(struct tailor_state *s);

static int after_verdict(struct tailor_state *s, int *g, bool better, const char *result, const char *why, int build)
{
        size_t n = tailor_group_len(g);
        if (better) {
                decide(s, g, CUT_DROPPED, NULL, build);
                settle_kept_gone(s);
                return 0;
        }
        if (n == 1) {
                decide(s, g, CUT_KEPT, why, build);
                log_info("build %d: %s stays: %s", build, s->cuts[g[0]].option, why);
                return 0;
        }
        /* Bisect: the first half next, then the second. */
        log_info("build %d: %s; bisecting the %zu cuts", build, result, n);
        size_t half = n / 2;
        int r = tailor_push_group(s, g + half, n - half);
        return r ?: tailor_push_group(s, g, half);
}

static int add_trial(struct tailor_state *s, struct trial *t)
{
        struct trial *more = realloc(s->trials, (s->ntrials + 1) * sizeof *more);
        if (!more) {
                strv_free(t->dropped);
                free(t->result);
                free(t->config_hash);
                return -ENOMEM;
        }
        s->trials = more;
        s->trials[s->ntrials++] = *t;
        return 0;
}

/* The dropped cut whose kconfig dependents include OPTION, or NULL. */
static const struct cut *dropped_with(const struct tailor_state *s, const char *option)
{
        for (size_t i = 0; i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_DROPPED && strv_contains(s->cuts[i].also_off, option))
                        return &s->cuts[i];
        return NULL;
}

/* OPTION is off in the best kernel by an accepted cut: its own, or one that took it along. */
static bool is_off_by_a_drop(const struct tailor_state *s, const char *option)
{
        for (size_t i = 0; i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_DROPPED &&
                    (streq(s->cuts[i].option, option) || strv_contains(s->cuts[i].also_off, option) ||
                     strv_contains(s->cuts[i].with, option)))
                        return true;
        return false;
}

/* C went with BY (a cut, or the cuts of a build), in BUILD. */
static void mark_gone(struct cut *c, int build, const char *by)
{
        c->status = CUT_DROPPED;
        c->build = build;
        /* what propose_one found for it (a choice's other member, what went with it) was
         * never built: the fragment must not say it */
        free(c->alt);
        c->alt = NULL;
        free(c->shown_by);
        c->shown_by = NULL;
        strv_free(c->also_off);
        c->also_off = NULL;
        /* nor what it would have been cut with: the best's changes would ask those off too */
        strv_free(c->with);
        c->with = NULL;
        free(c->why);
        c->why = NULL;
        if (asprintf(&c->why, "off with %s", by) < 0)
                c->why = NULL;
        log_info("%s: off with %s (build %d)", c->option, by, build);
}

/* Members of G that an accepted cut already took with it (SCSI_VIRTIO goes with SCSI): dropped
 * without a build of their own, and taken out of G. */
static void settle_gone(struct tailor_state *s, int *g)
{
        size_t k = 0;
        for (size_t i = 0; g[i] >= 0; i++) {
                struct cut *c = &s->cuts[g[i]];
                /* A cut of several went only when all of it did: one that another took in part
                 * is still to be built (its other members are untested). */
                const struct cut *with = dropped_with(s, c->option);
                for (char **w = c->with; with && w && *w; w++)
                        if (!is_off_by_a_drop(s, *w))
                                with = NULL;
                if (!with) {
                        g[k++] = g[i];
                        continue;
                }
                mark_gone(c, with->build, with->option);
        }
        g[k] = -1;
}

/* Cuts kconfig kept (no build decided them) that an accepted cut took off with it: dropped, said
 * with which (CRYPTO_JITTERENTROPY, with the cut of what kept it on). */
static void settle_kept_gone(struct tailor_state *s)
{
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *with = s->cuts[i].status == CUT_KEPT && s->cuts[i].build == 0 ? dropped_with(s, s->cuts[i].option) : NULL;
                if (with)
                        mark_gone(&s->cuts[i], with->build, with->option);
        }
}

/* Cuts kconfig or the machine kept (no build decided them) that the config of BUILD, just
 * accepted (RES), has off all the same: several of its cuts took them together, none alone
 * (each cut's also_off was resolved on the best before it). */
static void settle_kept_off(struct tailor_ctx *x, const struct kconfig *res, int build)
{
        char by[48];
        snprintf(by, sizeof by, "the cuts of build %d", build);
        for (size_t i = 0; i < x->s.ncuts; i++) {
                struct cut *c = &x->s.cuts[i];
                if (tailor_decided_without_build(x, c) && !tailor_is_on(res, c->option))
                        mark_gone(c, build, by);
        }
}

/* The initcall time a moved cost is measured against: --min-cost, and 1% of the best kernel's. */
static long long grow_threshold(const struct tailor_ctx *x)
{
        long long best = x->s.best.initcalls_us, min_cost = tailor_min_cost_us(x, best);
        return best / 100 > min_cost ? best / 100 : min_cost;
}

/* Try the group on top of the best kernel: build, payload, bench. */
static int try_group(struct tailor_ctx *x, int *g)
{
        struct tailor_state *s = &x->s;
        settle_gone(s, g);
        size_t n = tailor_group_len(g);
        if (n == 0)
                return 0;
        /* Cuts whose mapped costs add up to less than --min-effect of the best's initcalls cannot
         * measure faster: a build of them is spent for nothing (session 13's resumed run spent
         * builds 11, 13 and 14 on cuts of 0.04 to 0.05 ms each, against a floor of 0.073).  They
         * stay, said why; a batch of many such cuts together is still tried. */
        long long group_cost = 0, floor_us = (long long)tailor_min_effect_us(x, s->best.initcalls_us);
        for (size_t i = 0; i < n; i++)
                group_cost += s->cuts[g[i]].cost_us;
        if (group_cost < floor_us) {
                char small[160];
                snprintf(small, sizeof small, "its initcalls cost %.3f ms%s, under --min-effect's %.3f ms: too small to measure",
                         (double)group_cost / 1000, n > 1 ? " with the others of its group" : "", (double)floor_us / 1000);
                for (size_t i = 0; i < n; i++)
                        log_info("%s stays: %s", s->cuts[g[i]].option, small);
                decide(s, g, CUT_KEPT, small, 0);
                return 0;
        }
        int build = s->builds + 1;
        _cleanup_free_ char *kdir = tailor_build_path(x, build, ""), *img = tailor_build_path(x, build, "bzImage"),
                            *cfg = tailor_build_path(x, build, "candidate.config");
        if (!kdir || !img || !cfg || mkdir_p(kdir, 0755) < 0)
                return -ENOMEM;
        _cleanup_strv_free_ char **changes = NULL, **names = NULL;
        int r = tailor_best_changes(s, &changes);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = tailor_push_cut(&s->cuts[g[i]], &changes);
                r = r ?: strv_push(&names, s->cuts[g[i]].option);
        }
        _cleanup_(kconfig_free) struct kconfig res = { 0 };
        _cleanup_free_ char *hash = NULL;
        r = r ?: tailor_resolve_changes(x, changes, cfg, &res);
        r = r ?: config_hash(cfg, &hash);
        if (r < 0)
                return r;
        _cleanup_free_ char *list = strv_join(names, " ");
        const struct trial *seen = same_config_decided(x, hash);
        if (seen) {
                int was = seen->build;
                _cleanup_free_ char *result = strdup(seen->result ? seen->result : "failed");
                char why[160];
                snprintf(why, sizeof why, "%s without it (build %d had the same config)", result, was);
                log_info("%s: the config of build %d (%s): no build", list ? list : "", was, result);
                return after_verdict(s, g, false, result, why, was);
        }
        log_info("build %d: %zu cut(s) on top of build %d: %s", build, n, s->best_build, list ? list : "");
        struct ktree_build_stats bs;
        struct trial t = { .build = build, .dropped = TAKE_PTR(names), .config_hash = TAKE_PTR(hash) };
        s->builds = build;
        r = ktree_build(&x->tree, cfg, img, &bs);
        t.build_seconds = bs.seconds;
        t.objects = (long long)bs.objects;
        t.ccache_hits = bs.ccache_hits;
        t.ccache_misses = bs.ccache_misses;
        bool pass = false, faster = false;
        char why[160] = "";
        _cleanup_(initcall_log_free) struct initcall_log grown = { .run_init_us = -1 };
        if (r < 0) {
                snprintf(why, sizeof why, "the kernel does not build without it");
                t.result = strdup("build failed");
        } else if ((r = tailor_make_appliance(x, build)) < 0) {
                strv_free(t.dropped);
                free(t.config_hash);
                return r;
        } else {
                const char *what;
                int st = tailor_run_checks(x, build, &what);
                if (st != 0) {
                        snprintf(why, sizeof why, "%s fails without it (exit status %d)", what, st);
                        t.result = strdup(streq(what, "the host check") ? "host check failed" : "payload failed");
                } else {
                        struct measure best;
                        r = tailor_bench(x, s->best_build, build, NULL, &best, &t.m, &faster, grow_threshold(x), &grown);
                        if (r < 0) {
                                snprintf(why, sizeof why, "a boot fails without it (see build %d's bench)", build);
                                t.result = strdup("boot failed");
                        } else {
                                pass = true;
                                t.m.image_size = bs.image_size;
                                t.m.options = (int)kconfig_enabled(&res);
                                snprintf(why, sizeof why, "no measured saving of %g%% or more (initcalls %.3f ms against %.3f)",
                                         x->o->min_effect_pct, (double)t.m.initcalls_us / 1000, (double)best.initcalls_us / 1000);
                                t.result = strdup(faster ? "faster" : "not faster");
                        }
                }
        }
        struct measure m = t.m;
        _cleanup_free_ char *result = t.result ? strdup(t.result) : NULL;
        if ((r = add_trial(s, &t)) < 0)
                return r;
        /* Only the best's appliance boots again (each bench and map is against it): a run keeps
         * one appliance, not one per build (libguestfs's are hundreds of MB). */
        tailor_drop_appliance(x, pass && faster ? s->best_build : build);
        if (pass && faster) {
                s->best = m;
                s->best_build = build;
                log_info("build %d: faster (initcalls %.3f ms), kept as the best", build, (double)m.initcalls_us / 1000);
        }
        /* Costs that moved: proposals that take them.  When the group was not faster, they are
         * tried with it (where the cost moved to), before any bisection; when it was, next. */
        _cleanup_free_ int *moved = NULL;
        if (pass && (r = tailor_propose_moved(x, g, &grown, build, &moved)) < 0)
                return r;
        size_t nmoved = moved ? tailor_group_len(moved) : 0;
        if (nmoved && !faster) {
                _cleanup_free_ int *with = calloc(n + nmoved + 1, sizeof *with);
                if (!with)
                        return -ENOMEM;
                memcpy(with, g, n * sizeof *with);
                memcpy(with + n, moved, nmoved * sizeof *with);
                log_info("build %d: not faster, with costs that moved; next, the same cuts and %zu more", build, nmoved);
                return tailor_push_group(s, with, n + nmoved);
        }
        r = after_verdict(s, g, pass && faster, result ? result : "failed", why, build);
        if (r >= 0 && pass && faster)
                settle_kept_off(x, &res, build);
        return r < 0 || !nmoved ? r : tailor_push_group(s, moved, nmoved);
}

/* A round ended (no group left).  When it dropped something, the best kernel is booted and mapped
 * again: with less initcall time, options under the threshold before may now be over it, and
 * what the cuts changed shows. */
static int next_round(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        char name[32];
        snprintf(name, sizeof name, "logs-round%d", s->rounds + 1);
        _cleanup_free_ char *logs = tailor_build_path(x, s->best_build, name), *what = NULL;
        if (!logs || asprintf(&what, "build %d (round %d)", s->best_build, s->rounds + 1) < 0)
                return -ENOMEM;
        log_info("round %d: %d cut(s) dropped since the last map; mapping build %d", s->rounds + 1, tailor_dropped_count(s) - s->dropped_at_map,
                 s->best_build);
        rm_rf(logs);
        struct measure m = { 0 }, none = { 0 };
        bool faster;
        int r = tailor_bench(x, s->best_build, 0, logs, &m, &none, &faster, 0, NULL);
        if (r < 0)
                return r;
        return tailor_map_and_propose(x, logs, what);
}

static int tailor_loop(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        for (;;) {
                /* No group left: a round ended.  When it dropped something the best kernel is
                 * mapped again (no build, but a bench: a budget in minutes counts it). */
                bool round_due = s->nstack == 0 && tailor_dropped_count(s) != s->dropped_at_map;
                if (s->nstack == 0 && !round_due)
                        break;
                if (!(round_due ? minutes_left(x) : budget_left(x))) {
                        log_info("budget spent (%d build(s) in all); a larger --budget resumes from %s", s->builds, x->state_path);
                        return 0;
                }
                int r;
                if (round_due) {
                        r = next_round(x);
                } else {
                        int *g = s->stack[--s->nstack];
                        r = try_group(x, g);
                        free(g);
                }
                if (r < 0 || (r = save(x)) < 0)
                        return r;
        }
        s->done = true;
        return save(x);
}

/* ---- the command ------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot kernel tailor --check APPLIANCE[:'PAYLOAD'] -o FRAGMENT [--from base|defconfig|CONFIG]\n"
                "                              [--check-host 'CMD'] [--fragment F]... [--budget N|Nm] [--runs N]\n"
                "                              [--clock insn|wall] [--machine pc|microvm] [--keep OPTION]...\n"
                "                              [--min-cost USEC] [--min-effect PCT] [--timeout SEC]\n"
                "                              [--cc WRAPPER] [--no-ccache] [--jobs N] [--source DIR|TARBALL]\n"
                "                              [--json FILE] [--html FILE] [--state FILE] [--fresh]\n"
                "Find the kernel config a payload needs, by measuring.  Build the starting kernel (--from: base,\n"
                "the shipped base.config, default; defconfig, the kernel's x86_64_defconfig + kvm_guest.config;\n"
                "or a .config), boot APPLIANCE (built on a leanboot kernel) with it and run PAYLOAD (default:\n"
                "the appliance's own), map each initcall to the option that builds it, and propose cuts by\n"
                "their measured cost, resolved by the kernel's own kconfig (depends, select, choice).  Each\n"
                "candidate is built incrementally in a tree kept per starting config (through ccache; --cc\n"
                "distcc or icecc sends ccache's misses to a build farm), booted, and kept when the payload\n"
                "exits 0 and its initcalls are faster than the best so far by --min-effect PCT of them or more\n"
                "(default 0.5; --clock insn, the default: the instruction clock's exact figure, 2 runs a bench;\n"
                "wall: also p < 0.01, 10 runs).  A batch that breaks the payload is bisected down to the\n"
                "options it needs.  FRAGMENT gets one line per dropped option with its saving; --json/--html\n"
                "a report.  --budget N stops after N builds (the start's included), Nm after N minutes, both\n"
                "counted over every resume; run again with a larger budget, it resumes from its state file\n"
                "(--fresh starts over).\n"
                "--check-host 'CMD' also runs CMD (sh) on the host against each candidate that boots, and it\n"
                "must exit 0 too: the candidate appliance is in LEANBOOT_APPLIANCE and LIBGUESTFS_PATH (a\n"
                "libguestfs fixed appliance when APPLIANCE is one: a guestfish session as the check); the\n"
                "guest's payload is then 'true' unless one is given.  Its time limit: --timeout, else four\n"
                "times what it took on the starting kernel (at least 30 s).\n");
}

static int parse_budget(const char *s, struct tailor_opts *o)
{
        size_t n = strlen(s);
        bool minutes = n > 1 && s[n - 1] == 'm';
        _cleanup_free_ char *num = strndup(s, minutes ? n - 1 : n);
        int v;
        if (!num || parse_int_range(num, 1, 100000, &v) < 0)
                return -EINVAL;
        if (minutes)
                o->budget_minutes = v;
        else
                o->budget_builds = v;
        return 0;
}

/* --check APPLIANCE[:'PAYLOAD']: the longest prefix before a ':' that is a directory. */
static int parse_check(const char *arg, struct tailor_opts *o)
{
        struct stat st;
        free(o->check);
        free(o->payload);
        o->check = o->payload = NULL;
        if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
                return (o->check = realpath(arg, NULL)) ? 0 : -errno;
        for (const char *c = strrchr(arg, ':'); c; c = c > arg ? memrchr(arg, ':', (size_t)(c - arg)) : NULL) {
                _cleanup_free_ char *dir = strndup(arg, (size_t)(c - arg));
                if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                        o->check = realpath(dir, NULL);
                        o->payload = strdup(c + 1);
                        return o->check && o->payload && *o->payload ? 0 : -EINVAL;
                }
        }
        return -ENOENT;
}

static int parse_options(int argc, char **argv, struct tailor_opts *o)
{
        static const struct option longopts[] = {
                { "from", required_argument, NULL, 'F' },    { "fragment", required_argument, NULL, 'f' },
                { "check", required_argument, NULL, 'c' },   { "output", required_argument, NULL, 'o' },
                { "check-host", required_argument, NULL, 'X' },
                { "json", required_argument, NULL, 'J' },    { "html", required_argument, NULL, 'H' },
                { "state", required_argument, NULL, 'S' },   { "source", required_argument, NULL, 's' },
                { "cc", required_argument, NULL, 'C' },      { "no-ccache", no_argument, NULL, 'N' },
                { "fresh", no_argument, NULL, 'R' },         { "keep", required_argument, NULL, 'k' },
                { "budget", required_argument, NULL, 'b' },  { "runs", required_argument, NULL, 'n' },
                { "jobs", required_argument, NULL, 'j' },    { "timeout", required_argument, NULL, 't' },
                { "min-cost", required_argument, NULL, 'm' }, { "clock", required_argument, NULL, 'K' },
                { "min-effect", required_argument, NULL, 'E' },
                { "machine", required_argument, NULL, 'M' }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c, v;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:j:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'F': o->from = optarg; break;
                case 'f':
                case 'k':
                        if (strv_push(c == 'f' ? &o->fragments : &o->keep, optarg) < 0)
                                return EXIT_RUNTIME;
                        break;
                case 'c':
                        if (parse_check(optarg, o) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --check '%s': expected an appliance directory, "
                                                        "then optionally :'PAYLOAD'", optarg);
                        break;
                case 'X':
                        if (!*optarg)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --check-host: expected a command");
                        o->check_host = optarg;
                        break;
                case 'o': o->output = optarg; break;
                case 'J': o->json = optarg; break;
                case 'H': o->html = optarg; break;
                case 'S': o->state = optarg; break;
                case 's': o->source = optarg; break;
                case 'C': o->wrapper = optarg; break;
                case 'N': o->ccache = false; break;
                case 'R': o->fresh = true; break;
                case 'b':
                        if (parse_budget(optarg, o) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --budget '%s': expected N (builds) or Nm (minutes)", optarg);
                        break;
                case 'n':
                        if (parse_int_range(optarg, 2, 1000, &o->runs) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --runs '%s': expected 2 to 1000", optarg);
                        break;
                case 'j':
                        if (parse_int_range(optarg, 1, 1024, &o->jobs) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --jobs '%s': expected 1 to 1024", optarg);
                        break;
                case 't':
                        if (parse_int_range(optarg, 1, 3600, &o->timeout_s) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --timeout '%s': expected 1 to 3600", optarg);
                        o->timeout_given = true;
                        break;
                case 'm':
                        if (parse_int_range(optarg, 0, 100000000, &v) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --min-cost '%s': expected microseconds", optarg);
                        o->min_cost_us = v;
                        break;
                case 'E':
                        if (parse_double_range(optarg, 0, 100, &o->min_effect_pct) < 0)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --min-effect '%s': expected a percentage "
                                                        "from 0 to 100", optarg);
                        break;
                case 'K':
                        if (!streq(optarg, "insn") && !streq(optarg, "wall"))
                                return log_error_status(EXIT_USAGE, "kernel tailor: --clock '%s': expected insn or wall", optarg);
                        o->clock = streq(optarg, "insn") ? CLOCK_INSN : CLOCK_WALL;
                        break;
                case 'M':
                        if (machine_from_string(optarg, &o->machine) < 0 || o->machine == MACHINE_AUTO)
                                return log_error_status(EXIT_USAGE, "kernel tailor: --machine '%s': expected pc or microvm", optarg);
                        break;
                case 'h': usage(stdout); return EXIT_OK;
                default:
                        return log_error_status(EXIT_USAGE, "kernel tailor: unknown option or missing value: '%s' (see leanboot "
                                                "kernel tailor --help)", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return log_error_status(EXIT_USAGE, "kernel tailor: unexpected argument '%s'", argv[optind]);
        if (!o->check)
                return log_error_status(EXIT_USAGE, "kernel tailor: --check APPLIANCE is required (see leanboot kernel tailor --help)");
        if (!o->output)
                return log_error_status(EXIT_USAGE, "kernel tailor: -o FRAGMENT is required");
        if (o->check_host && !program_in_path("timeout"))
                return log_error_status(EXIT_USAGE, "kernel tailor: --check-host needs coreutils' timeout");
        if (!streq(o->from, "base") && !streq(o->from, "defconfig") && access(o->from, R_OK) < 0)
                return log_error_status(EXIT_USAGE, "kernel tailor: --from '%s': expected base, defconfig or a readable .config", o->from);
        struct manifest m;
        if (manifest_load(o->check, &m) < 0)
                return log_error_status(EXIT_USAGE, "kernel tailor: --check '%s' is not a leanboot appliance", o->check);
        bool custom = m.kernel_origin && streq(m.kernel_origin, "custom");
        manifest_free(&m);
        if (!custom)
                return log_error_status(EXIT_USAGE, "kernel tailor: --check '%s' is built on the stock kernel; build it with "
                                        "--kernel (a leanboot kernel), as only such an appliance can take candidate kernels", o->check);
        for (const char *const *p = (const char *const[]){ o->output, o->json, o->html, NULL }; *p; p++)
                if (check_writable_path(*p) < 0)
                        return log_error_status(EXIT_USAGE, "kernel tailor: cannot write '%s'", *p);
        for (char **f = o->fragments; f && *f; f++) {
                _cleanup_free_ char *p = kbuild_fragment_path(*f);
                if (!p || access(p, R_OK) < 0)
                        return log_error_status(EXIT_USAGE, "kernel tailor: fragment '%s' not found", *f);
        }
        return -1;
}

/* Trees kept (cachedir_prune): a start's tree saves its recompiles when the same start is
 * tailored again; the tests' four starts and a user's own fit.  Runs kept: a run (its candidates'
 * kernels and appliances, 0.1 to 0.8 GB) is worth keeping only to be resumed or reported again,
 * and every question (check, payload, options) makes a new one. */
#define TAILOR_TREES_KEPT 6
#define TAILOR_RUNS_KEPT 8

/* The tree's key: the source, the start (its kind and the contents it is made from: two starts
 * sharing a tree would recompile every object they differ in at each switch, 800 of base's 900
 * between base and base + guestfs) and how it is compiled (CC is on kbuild's command lines:
 * another one recompiles everything).  The run's key adds the question: check, payload, clock,
 * machine, what is kept and the threshold. */
static int keys(const struct tailor_opts *o, const char *srckey, char tree_key[65], char run_key[65])
{
        struct hasher *h = NULL;
        int r = hasher_new(&h);
        if (r < 0)
                return r;
        hasher_add_str(h, "source", srckey);
        hasher_add_str(h, "from", streq(o->from, "base") || streq(o->from, "defconfig") ? o->from : "config");
        if (!streq(o->from, "base") && !streq(o->from, "defconfig"))
                hasher_add_content(h, "from", o->from);
        if (streq(o->from, "base")) {
                _cleanup_free_ char *base = kbuild_fragment_path("base");
                hasher_add_content(h, "base", base);
        }
        for (char **f = o->fragments; f && *f; f++) {
                _cleanup_free_ char *p = kbuild_fragment_path(*f);
                hasher_add_content(h, "fragment", p);
        }
        hasher_add_str(h, "ccache", o->ccache ? "1" : o->wrapper ? o->wrapper : "0");
        hasher_final(h, tree_key);
        hasher_free(h);
        if ((r = hasher_new(&h)) < 0)
                return r;
        hasher_add_str(h, "tree", tree_key);
        _cleanup_free_ char *mf = path_join(o->check, "manifest.json");
        hasher_add_str(h, "check", o->check);
        hasher_add_content(h, "check-manifest", mf);
        hasher_add_str(h, "payload", o->payload ? o->payload : "");
        hasher_add_str(h, "check-host", o->check_host ? o->check_host : "");
        hasher_add_str(h, "clock", tailor_clock_name(o));
        hasher_add_str(h, "machine", machine_name(o->machine));
        for (char **k = o->keep; k && *k; k++)
                hasher_add_str(h, "keep", *k);
        char mc[32];
        snprintf(mc, sizeof mc, "%lld", o->min_cost_us);
        hasher_add_str(h, "min-cost", mc);
        snprintf(mc, sizeof mc, "%g", o->min_effect_pct);
        hasher_add_str(h, "min-effect", mc);
        r = hasher_final(h, run_key);
        hasher_free(h);
        return r;
}

/* The state to go on from (--fresh: a new one).  -EBADMSG, said: a state file that cannot be
 * resumed, left as it is for the user (--fresh starts over).  RUN_KEY: the question's. */
static int open_state(struct tailor_ctx *x, const char *run_key)
{
        const struct tailor_opts *o = x->o;
        if (!o->fresh && file_exists(x->state_path)) {
                int r = tailor_state_load(x->state_path, &x->s);
                if (r < 0) {
                        log_error_errno(r, "the state file %s cannot be read (--fresh starts over)", x->state_path);
                        return -EBADMSG;
                }
                /* A state kept elsewhere (--state) is read whatever the question: one asked
                 * otherwise (another check, payload, start, clock...) is not this one's to go on. */
                if (x->s.run_key && !streq(x->s.run_key, run_key))
                        return log_error_status(-EBADMSG, "the state file %s is of another question (run-%.16s, this one's "
                                                "run-%.16s): ask it as it was asked, or --fresh starts over", x->state_path,
                                                x->s.run_key, run_key);
                /* A state kept elsewhere (--state) can outlive its run's directory, which goes
                 * when eight newer runs were made: without the start's config and the candidates'
                 * kernels there is nothing to resume from. */
                if (x->s.mapped && !file_exists(x->start_config))
                        return log_error_status(-EBADMSG, "the state file %s names a run that %s no longer holds (removed as "
                                                "one used longest ago?): --fresh starts over", x->state_path, x->rundir);
                log_info("resuming from %s: %d build(s) done, %zu group(s) left", x->state_path, x->s.builds, x->s.nstack);
                /* Each decided candidate's appliance is removed (tailor_drop_appliance), the old best's
                 * too, before the state that names the new best is saved: a run stopped between
                 * the two finds its best without one, and makes it again from its kernel. */
                _cleanup_free_ char *app = x->s.best_build > 0 ? tailor_build_path(x, x->s.best_build, "app") : NULL;
                if (app && !file_exists(app) && !x->s.done) {
                        log_info("build %d, the best: its appliance again", x->s.best_build);
                        return tailor_make_appliance(x, x->s.best_build);
                }
                return 0;
        }
        if (o->fresh) {
                /* The candidates of an earlier run go; the tree stays (its objects are the point). */
                DIR *d = opendir(x->rundir);
                struct dirent *e;
                while (d && (e = readdir(d)))
                        if (e->d_name[0] == 'k' && e->d_name[1] >= '0' && e->d_name[1] <= '9') {
                                _cleanup_free_ char *p = path_join(x->rundir, e->d_name);
                                rm_rf(p);
                        }
                if (d)
                        closedir(d);
                unlink(x->state_path);
        }
        struct tailor_state *s = &x->s;
        s->from = strdup(o->from);
        s->check = strdup(o->check);
        s->payload = o->payload ? strdup(o->payload) : NULL;
        s->check_host = o->check_host ? strdup(o->check_host) : NULL;
        s->machine = strdup(machine_name(o->machine));
        s->clock = strdup(tailor_clock_name(o));
        s->run_key = strdup(run_key);
        return s->from && s->check && s->machine && s->clock && s->run_key ? 0 : -ENOMEM;
}

/* The kernel stage of the log LOGS/A-01.log of build BUILD (kstage.h).  A log that is not there
 * (that round's map never ran) leaves *RET as it was; one that cannot be read is said, and the
 * report goes without it. */
static int read_kernel_stage(const struct tailor_ctx *x, int build, const char *logs, size_t max, struct kstage *ret)
{
        _cleanup_free_ char *dir = tailor_build_path(x, build, logs), *logp = dir ? path_join(dir, "A-01.log") : NULL, *text = NULL;
        if (!logp)
                return -ENOMEM;
        int r = read_full_file(logp, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warn("the report goes without the kernel stage of build %d: cannot read %s: %s", build, logp, strerror(-r));
                return 0;
        }
        _cleanup_(initcall_log_free) struct initcall_log l = { .run_init_us = -1 };
        r = initcall_parse(text, &l);
        return r < 0 ? r : kstage_parse(text, &l, max, ret);
}

/* The start's map (k1/logs) and the final kernel's latest (its logs-roundN, else logs). */
static int kernel_stages(const struct tailor_ctx *x, struct tailor_stages *ret)
{
        int r = read_kernel_stage(x, 1, "logs", TAILOR_STRETCHES, &ret->start);
        for (int round = x->s.rounds; r >= 0 && round >= 0; round--) {
                char name[32] = "logs";
                if (round > 0)
                        snprintf(name, sizeof name, "logs-round%d", round);
                r = read_kernel_stage(x, x->s.best_build, name, TAILOR_STRETCHES, &ret->final);
                if (r < 0 || ret->final.end_us >= 0)
                        break;
        }
        return r;
}

static void tailor_stages_free(struct tailor_stages *k)
{
        kstage_free(&k->start);
        kstage_free(&k->final);
}

static int finish(struct tailor_ctx *x)
{
        const struct tailor_opts *o = x->o;
        double seconds = x->s.seconds + (now_sec() - x->t0);
        int r = tailor_write_fragment(&x->s, o->output);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", o->output);
        _cleanup_(tailor_stages_free) struct tailor_stages k = { .start = { .first_us = -1, .end_us = -1 },
                                                                 .final = { .first_us = -1, .end_us = -1 } };
        if ((r = kernel_stages(x, &k)) < 0)
                return log_error_errno(r, "cannot read the kernel stage of the start's or the final kernel's log");
        tailor_print_report(&x->s, &k, seconds);
        if (o->json && (r = tailor_write_json(&x->s, &k, seconds, o->json)) < 0)
                return log_error_errno(r, "cannot write %s", o->json);
        if (o->html && (r = tailor_write_html(&x->s, &k, seconds, o->html)) < 0)
                return log_error_errno(r, "cannot write %s", o->html);
        printf("fragment: %s%s\n", o->output, x->s.done ? "" : " (so far: the budget ran out; a larger --budget resumes)");
        return 0;
}

int kernel_tailor(int argc, char **argv)
{
        struct tailor_opts o = { .from = "base", .ccache = true, .timeout_s = 120, .min_cost_us = -1, .min_effect_pct = 0.5,
                                 .clock = CLOCK_INSN, .machine = MACHINE_PC, .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) };
        int done = parse_options(argc, argv, &o);
        _cleanup_strv_free_ char **frags = o.fragments, **keep = o.keep;
        _cleanup_free_ char *check = o.check, *payload = o.payload;
        if (done >= 0)
                return done;
        /* With a host check, the guest's part is the boot itself: a libguestfs appliance's own
         * payload (guestfsd) would wait for a library on the host. */
        if (o.check_host && !o.payload && !(payload = o.payload = strdup("true")))
                return EXIT_RUNTIME;
        if (!o.runs) /* the instruction clock repeats to the microsecond; wall time needs samples */
                o.runs = o.clock == CLOCK_INSN ? 2 : 10;
        if (o.ccache && !program_in_path("ccache"))
                return log_error_status(EXIT_USAGE, "kernel tailor: ccache is not installed (apt-get install ccache), or give --no-ccache");
        if (o.wrapper && !program_in_path(o.wrapper))
                return log_error_status(EXIT_USAGE, "kernel tailor: --cc '%s': no such program", o.wrapper);
        struct tailor_ctx x = { .o = &o, .t0 = now_sec() };
        _cleanup_free_ char *root_image = path_join(o.check, "root");
        x.root_known = root_image && extfs_read(root_image, &x.root_fs) == 0;
        _cleanup_free_ char *initrd = path_join(o.check, "initrd");
        x.initrd_known = initrd && initrd_format_read(initrd, &x.initrd) == 0;
        char srckey[65], tree_key[65], run_key[65];
        if (kbuild_source_tree(o.source, &x.src, srckey) < 0)
                return EXIT_USAGE;
        _cleanup_free_ char *src = x.src, *cache = leanboot_cache_dir(), *tree_dir = NULL, *tailor_dir = NULL;
        if (!cache || !(tailor_dir = path_join(cache, "tailor")) || keys(&o, srckey, tree_key, run_key) < 0 || asprintf(&tree_dir, "%s/tailor/tree-%.16s", cache, tree_key) < 0 ||
            asprintf(&x.rundir, "%s/tailor/run-%.16s", cache, run_key) < 0)
                return log_error_status(EXIT_RUNTIME, "kernel tailor: no cache directory (set XDG_CACHE_HOME)");
        _cleanup_free_ char *rundir = x.rundir;
        x.state_path = o.state ? strdup(o.state) : path_join(x.rundir, "state.json");
        x.start_config = path_join(x.rundir, "start.config");
        _cleanup_free_ char *state_path = x.state_path, *start_config = x.start_config;
        /* One tailor per tree (a second one waits), and the run held against another tailor's
         * pruning; both before the directories are made, so that a prune in between cannot
         * remove them. */
        _cleanup_close_ int tree_lock = -1, run_lock = -1;
        int r = mkdir_p(tailor_dir, 0755);
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel tailor: cannot create %s", tailor_dir);
        /* The run is marked used before a wait for the tree, which can be long, so that other
         * tailors' prunes meanwhile see it as new.  The tree's lock comes first: the run's key
         * holds the tree's, so whoever holds a run holds its tree, and the order cannot deadlock. */
        cachedir_mark_used(x.rundir);
        tree_lock = cachedir_lock(tree_dir, "tailor tree");
        if (tree_lock < 0)
                return log_error_errno_status(EXIT_RUNTIME, tree_lock, "kernel tailor: cannot lock %s", tree_dir);
        run_lock = cachedir_lock(x.rundir, "tailor run");
        r = run_lock < 0 ? run_lock : mkdir_p(x.rundir, 0755);
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel tailor: cannot set up %s", x.rundir);
        cachedir_mark_used(x.rundir);
        r = ktree_open(&x.tree, tree_dir, x.src, o.wrapper, o.ccache, o.jobs);
        if (r < 0) {
                ktree_close(&x.tree);
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel tailor: cannot set up %s", tree_dir);
        }
        log_info("tailor: tree %s, state %s", tree_dir, x.state_path);
        r = open_state(&x, run_key);
        bool state_usable = r != -EBADMSG;
        /* Older trees and runs go only when this one goes on: bad input changes nothing. */
        if (state_usable) {
                cachedir_prune(tailor_dir, "tree-", TAILOR_TREES_KEPT, "tailor tree");
                cachedir_prune(tailor_dir, "run-", TAILOR_RUNS_KEPT, "tailor run");
        }
        if (r >= 0 && x.s.mapped && !x.s.done && x.s.nstack)
                r = tailor_weigh_queued_again(&x);
        if (r >= 0 && !x.s.mapped) {
                r = measure_start(&x);
                if (r >= 0)
                        r = save(&x);
        }
        if (r >= 0)
                r = tailor_loop(&x);
        if (r >= 0)
                r = finish(&x);
        else if (state_usable)
                (void)save(&x); /* what was done before the error; never over a state it could not resume */
        tailor_state_free(&x.s);
        free(x.guestfs_settings);
        ktree_close(&x.tree);
        if (r == -EINVAL)
                return EXIT_FAILURE; /* the payload fails on the start: said */
        if (!state_usable)
                return EXIT_USAGE;
        return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
