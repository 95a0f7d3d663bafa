/* leanboot kernel tailor: see tailor.h. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "callees.h"
#include "paramcost.h"
#include "fragment.h"
#include "kbuild.h"
#include "kmakefile.h"
#include "kmap.h"
#include "ktree.h"
#include "tailor.h"
#include "../common/cachedir.h"
#include "../common/clock.h"
#include "../common/exit-status.h"
#include "../common/extfs.h"
#include "../common/guest-needs.h"
#include "../common/initrd-format.h"
#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/initcall.h"
#include "../common/kconfig.h"
#include "../common/log.h"
#include "../common/machine.h"
#include "../common/manifest.h"
#include "../common/parse.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

struct tailor_opts {
        const char *from;      /* --from base|defconfig|CONFIG */
        char **fragments;      /* --fragment F: added to the start */
        char *check;           /* --check APPLIANCE[:'PAYLOAD']: the appliance ... */
        char *payload;         /* ... and the payload, or NULL: the appliance's own */
        const char *check_host; /* --check-host CMD: run on the host against each candidate */
        const char *output;    /* -o FRAGMENT */
        const char *json, *html;
        const char *state;     /* --state FILE */
        const char *source;    /* --source */
        const char *wrapper;   /* --cc WRAPPER (distcc, icecc) */
        bool ccache;           /* not --no-ccache */
        bool fresh;            /* --fresh: forget an earlier state */
        char **keep;           /* --keep OPTION */
        int budget_builds;     /* --budget N (builds, the start's included) */
        int budget_minutes;    /* --budget Nm */
        int runs, jobs, timeout_s;
        bool timeout_given;    /* --timeout: also the host check's limit (else one from the start's) */
        long long min_cost_us; /* --min-cost USEC (default: 0.2% of the start's initcall time) */
        double min_effect_pct; /* --min-effect PCT: a smaller saving does not count */
        enum guest_clock_arg { CLOCK_INSN, CLOCK_WALL } clock;
        enum machine machine;
};

/* Where one tailor keeps its work: the tree (shared by every tailor from the same start) and
 * this tailor's own directory (state, candidates). */
struct tailor_ctx {
        const struct tailor_opts *o;
        struct ktree tree;
        char *src;
        char *rundir;
        char *state_path;
        char *start_config;
        char *guestfs_settings; /* LIBGUESTFS_BACKEND_SETTINGS for the host check ("" none), or NULL: not asked yet */
        struct extfs_info root_fs; /* the appliance's root, which every candidate must mount ... */
        bool root_known;           /* ... when it is an ext2/3/4 image */
        struct initrd_format initrd; /* the appliance's initrd, which every candidate must unpack ... */
        bool initrd_known;           /* ... when its format is one the kernel knows */
        struct tailor_state s;
        double t0;
};

static const char *clock_name(const struct tailor_opts *o)
{
        return o->clock == CLOCK_INSN ? "insn" : "wall";
}

/* rundir/kN: the Nth build's kernel, config and appliance. */
static char *build_path(const struct tailor_ctx *x, int build, const char *what)
{
        char *p = NULL;
        if (asprintf(&p, "%s/k%d/%s", x->rundir, build, what) < 0)
                return NULL;
        return p;
}

static int add_trial(struct tailor_state *s, struct trial *t);

/* ---- booting: the appliance with a candidate kernel, its payload, its bench ---------------- */

static int make_appliance(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *img = build_path(x, build, "bzImage"), *app = build_path(x, build, "app");
        if (!img || !app)
                return -ENOMEM;
        char *argv[] = { "-q", "build", "--kernel", img, "--like", x->o->check, "-o", app, NULL };
        return run_self(argv) == 0 ? 0 : log_error_status(-EIO, "cannot make the appliance for build %d", build);
}

/* A candidate's appliance, once nothing boots it again; its kernel, config and logs stay. */
static void drop_appliance(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *app = build_path(x, build, "app");
        if (app)
                rm_rf(app);
}

/* How every boot of the tailor is made: its clock, machine and time limit (run and bench). */
static int push_boot_args(const struct tailor_ctx *x, char ***argv)
{
        char timeout[16];
        snprintf(timeout, sizeof timeout, "%d", x->o->timeout_s);
        int r = strv_push(argv, "--clock");
        r = r ?: strv_push(argv, clock_name(x->o));
        r = r ?: strv_push(argv, "--machine");
        r = r ?: strv_push(argv, machine_name(x->o->machine));
        r = r ?: strv_push(argv, "--timeout");
        return r ?: strv_push(argv, timeout);
}

/* The payload on build BUILD's appliance: its exit status (0 passes). */
static int run_payload(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *app = build_path(x, build, "app");
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, "run");
        r = r ?: strv_push(&argv, app);
        r = r ?: push_boot_args(x, &argv);
        if (r >= 0 && x->o->payload) {
                r = strv_push(&argv, "--");
                r = r ?: strv_push(&argv, "/bin/sh");
                r = r ?: strv_push(&argv, "-c");
                r = r ?: strv_push(&argv, x->o->payload);
        }
        if (r < 0)
                return r;
        /* What the guest and run say goes to a log of its own, shown when the payload fails. */
        _cleanup_free_ char *logp = build_path(x, build, "payload.log");
        _cleanup_close_ int fd = logp ? open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (fd < 0)
                return log_error_errno(-errno, "cannot write %s", logp ? logp : "the payload's log");
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = so.stderr_fd = fd;
        log_info("build %d: the payload on %s", build, app);
        int st = run_self_opts(argv, &so);
        _cleanup_free_ char *text = NULL;
        if (st != 0 && read_full_file(logp, &text, NULL) == 0)
                log_text_tail(logp, text, 8);
        return st;
}

/* What libguestfs needs on this host, from `leanboot accel`: its direct backend trusts a /dev/kvm
 * that opens, and on a host where KVM cannot run guests it must be told force_tcg. */
static const char *guestfs_settings(struct tailor_ctx *x)
{
        if (x->guestfs_settings)
                return x->guestfs_settings;
        /* accel's verdict goes to a file of the run's: it is this same program's subcommand. */
        _cleanup_free_ char *path = path_join(x->rundir, "accel.txt"), *out = NULL;
        _cleanup_close_ int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = fd;
        char *argv[] = { "accel", NULL };
        const char *key = "export LIBGUESTFS_BACKEND_SETTINGS=";
        const char *p = fd >= 0 && run_self_opts(argv, &so) == 0 && read_full_file(path, &out, NULL) == 0 ? strstr(out, key) : NULL;
        x->guestfs_settings = p ? strndup(p + strlen(key), strcspn(p + strlen(key), " \n")) : strdup("");
        return x->guestfs_settings ? x->guestfs_settings : "";
}

/* The host check on build BUILD: CMD under sh, with the candidate appliance in
 * LEANBOOT_APPLIANCE and LIBGUESTFS_PATH (a libguestfs fixed appliance when --check is one), and
 * libguestfs's backend and its settings for this host unless the user chose them.  coreutils'
 * timeout runs it in a process group of its own, so a hung QEMU goes with it.  Returns its exit
 * status (0 passes); what it says goes to kN/host.log, shown when it fails. */
static int run_host_check(struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *app = build_path(x, build, "app"), *img = build_path(x, build, "bzImage"),
                            *logp = build_path(x, build, "host.log");
        if (!app || !img || !logp)
                return -ENOMEM;
        /* A candidate the check fails on may fail slowly (libguestfs's appliance waits a minute
         * for a root disk its kernel cannot see): unless --timeout says, the limit is four times
         * what the check took on the start, and at least 30 s. */
        int limit = x->o->timeout_s;
        if (!x->o->timeout_given && build > 1 && x->s.host_check_seconds > 0) {
                int four = (int)(x->s.host_check_seconds * 4 + 0.5);
                limit = four > 30 ? four : 30;
        }
        char timeout[16];
        snprintf(timeout, sizeof timeout, "%d", limit);
        char *argv[] = { "timeout", "--kill-after=10", timeout, "/bin/sh", "-c", (char *)x->o->check_host, NULL };
        _cleanup_strv_free_ char **env = NULL;
        int r = strv_pushf(&env, "LEANBOOT_APPLIANCE=%s", app);
        r = r ?: strv_pushf(&env, "LEANBOOT_KERNEL=%s", img);
        r = r ?: strv_pushf(&env, "LIBGUESTFS_PATH=%s", app);
        if (r >= 0 && !getenv("LIBGUESTFS_BACKEND"))
                r = strv_push(&env, "LIBGUESTFS_BACKEND=direct");
        const char *settings = guestfs_settings(x);
        if (r >= 0 && !getenv("LIBGUESTFS_BACKEND_SETTINGS") && *settings)
                r = strv_pushf(&env, "LIBGUESTFS_BACKEND_SETTINGS=%s", settings);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot write %s", logp);
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = so.stderr_fd = fd;
        so.env_add = env;
        log_info("build %d: the host check", build);
        double t0 = now_sec();
        int st = run_argv(argv, &so);
        double took = now_sec() - t0;
        if (build == 1 && st == 0)
                x->s.host_check_seconds = took;
        if (st == 124)
                log_info("build %d: the host check ran out of time (%d s)", build, limit);
        else
                log_info("build %d: the host check exited %d after %.1f s", build, st, took);
        _cleanup_free_ char *text = NULL;
        if (st != 0 && read_full_file(logp, &text, NULL) == 0)
                log_text_tail(logp, text, 8);
        return st;
}

/* The payload in the guest, then the host check where there is one: 0 when both pass.  *ret_what
 * says which failed. */
static int run_checks(struct tailor_ctx *x, int build, const char **ret_what)
{
        *ret_what = "the payload";
        int st = run_payload(x, build);
        if (st == 0 && x->o->check_host) {
                *ret_what = "the host check";
                st = run_host_check(x, build);
        }
        return st;
}

static double json_median_ms(json_object *variant, const char *stage)
{
        json_object *st, *e, *v;
        if (json_object_object_get_ex(variant, "stages", &st) && json_object_object_get_ex(st, stage, &e) &&
            json_object_object_get_ex(e, "median_ms", &v))
                return json_object_get_double(v);
        return -1;
}

static void measure_from_json(json_object *variant, struct measure *m)
{
        m->initcalls_us = (long long)(json_median_ms(variant, "initcalls") * 1000 + 0.5);
        m->kernel_us = (long long)(json_median_ms(variant, "kernel") * 1000 + 0.5);
        m->total_us = (long long)(json_median_ms(variant, "total") * 1000 + 0.5);
        m->valid = m->initcalls_us > 0;
}

/* The initcalls B made slower than A by GROW_US or more, from the bench's initcall diff (medians
 * over its boots): into *ret (name, module, and the growth as usecs). */
static int grown_initcalls(json_object *report, long long grow_us, struct initcall_log *ret)
{
        json_object *c, *d;
        if (!json_object_object_get_ex(report, "comparison", &c) || !json_object_object_get_ex(c, "initcall_diff", &d) ||
            !json_object_is_type(d, json_type_array))
                return 0;
        for (size_t i = 0; i < json_object_array_length(d); i++) {
                json_object *e = json_object_array_get_idx(d, i), *name, *module, *b, *diff;
                if (!json_object_object_get_ex(e, "name", &name) || !json_object_object_get_ex(e, "diff_ms", &diff) ||
                    !json_object_object_get_ex(e, "b_ms", &b) || !b || !diff)
                        continue;
                long long us = (long long)(json_object_get_double(diff) * 1000 + 0.5);
                if (us < grow_us)
                        continue;
                struct initcall *more = realloc(ret->calls, (ret->n + 1) * sizeof *more);
                if (!more)
                        return -ENOMEM;
                ret->calls = more;
                const char *m = json_object_object_get_ex(e, "module", &module) ? json_object_get_string(module) : "";
                more[ret->n] = (struct initcall){ .name = strdup(json_object_get_string(name)), .module = strdup(m ? m : ""),
                                                  .usecs = us, .start_us = -1 };
                if (!more[ret->n].name || !more[ret->n].module) {
                        free(more[ret->n].name);
                        free(more[ret->n].module);
                        return -ENOMEM;
                }
                ret->n++;
        }
        return 0;
}

/* --min-effect of INITCALLS_US: the least saving a candidate must measure to count. */
static double min_effect_us(const struct tailor_ctx *x, long long initcalls_us)
{
        return (double)initcalls_us * x->o->min_effect_pct / 100.0;
}

/* Bench build A's appliance (and B's): medians into *ma and *mb; *ret_faster: B's initcalls are
 * less than A's (instruction clock: by its exact figure; wall clock: at p < 0.01).  LOGS (or NULL)
 * keeps the kernel logs.  RET_GROWN (or NULL): the initcalls B made slower by GROW_US or more.
 * -EIO when a boot failed. */
static int bench(const struct tailor_ctx *x, int a, int b, const char *logs, struct measure *ma, struct measure *mb,
                 bool *ret_faster, long long grow_us, struct initcall_log *ret_grown)
{
        _cleanup_free_ char *appa = build_path(x, a, "app"), *appb = b ? build_path(x, b, "app") : NULL,
                            *json = build_path(x, b ? b : a, "bench.json");
        char runs[16];
        snprintf(runs, sizeof runs, "%d", x->o->runs);
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, "bench");
        r = r ?: strv_push(&argv, appa);
        if (r >= 0 && b)
                r = strv_push(&argv, appb);
        r = r ?: strv_push(&argv, "--runs");
        r = r ?: strv_push(&argv, runs);
        r = r ?: strv_push(&argv, "--warmup");
        r = r ?: strv_push(&argv, x->o->clock == CLOCK_INSN ? "0" : "1");
        r = r ?: push_boot_args(x, &argv);
        r = r ?: strv_push(&argv, "--json");
        r = r ?: strv_push(&argv, json);
        if (r >= 0 && logs) {
                r = strv_push(&argv, "--logs");
                r = r ?: strv_push(&argv, logs);
        }
        if (r < 0)
                return r;
        /* Its table goes to a file beside its JSON; the tailor prints its own summary. */
        _cleanup_free_ char *outp = NULL;
        if (asprintf(&outp, "%s.txt", json) < 0)
                return -ENOMEM;
        _cleanup_close_ int outfd = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = outfd;
        int st = run_self_opts(argv, &so);
        _cleanup_free_ char *text = NULL;
        if (read_full_file(json, &text, NULL) < 0)
                return log_error_status(-EIO, "the bench wrote no report (status %d)", st);
        json_object *o = json_tokener_parse(text), *vs, *v;
        if (!o || !json_object_object_get_ex(o, "variants", &vs)) {
                json_object_put(o);
                return log_error_status(-EIO, "the bench's report %s cannot be read", json);
        }
        int failed = 0;
        for (size_t i = 0; i < json_object_array_length(vs) && i < 2; i++) {
                json_object *var = json_object_array_get_idx(vs, i);
                if (json_object_object_get_ex(var, "failed", &v))
                        failed += json_object_get_int(v);
                measure_from_json(var, i == 0 ? ma : mb);
        }
        bool faster = false;
        /* A saving under --min-effect of the best's initcall time is not worth an option: kept,
         * it also keeps later rounds from building on noise (wall) or on a few instructions. */
        double floor_us = min_effect_us(x, ma->initcalls_us);
        if (b && mb->valid && ma->valid && (double)(ma->initcalls_us - mb->initcalls_us) >= floor_us &&
            mb->initcalls_us < ma->initcalls_us) {
                json_object *c, *ic, *p;
                faster = x->o->clock == CLOCK_INSN;
                if (!faster && json_object_object_get_ex(o, "comparison", &c) && json_object_object_get_ex(c, "initcalls", &ic) &&
                    json_object_object_get_ex(ic, "p_value", &p) && p)
                        faster = json_object_get_double(p) < 0.01;
        }
        int gr = b && ret_grown ? grown_initcalls(o, grow_us, ret_grown) : 0;
        json_object_put(o);
        if (gr < 0)
                return gr;
        *ret_faster = faster;
        if (failed || !ma->valid || (b && !mb->valid))
                return log_error_status(-EIO, "the bench had %d failed boot(s) (report: %s)", failed, json);
        return 0;
}

/* ---- the start: built, booted, mapped; the cuts proposed ------------------------------------- */

static bool is_on(const struct kconfig *c, const char *name)
{
        const char *v = kconfig_value(c, name);
        return streq(v, "y") || streq(v, "m");
}

/* What the kernel's kconfig makes of the start with CHANGES: *ret (loaded). */
static int resolve_changes(struct tailor_ctx *x, char *const *changes, const char *out, struct kconfig *ret)
{
        int r = ktree_resolve(&x->tree, x->start_config, changes, out);
        if (r < 0)
                return r;
        _cleanup_free_ char *err = NULL;
        r = kconfig_load(out, ret, &err);
        return r < 0 ? log_error_status(r, "%s", err ? err : out) : 0;
}

static char *machine_needs(const struct kconfig *c, enum machine m)
{
        _cleanup_free_ char *why = NULL;
        unsigned ok = kconfig_machines(c, false, &why);
        if (ok & (1u << m))
                return NULL;
        /* WHY says "no microvm: ...; no pc: ...": the part about this machine. */
        char key[32];
        snprintf(key, sizeof key, "no %s: ", machine_name(m));
        const char *part = why ? strstr(why, key) : NULL;
        size_t len = part ? strcspn(part + strlen(key), ";") : 0;
        char *s = NULL;
        if (asprintf(&s, "the %s machine needs it (%.*s)", machine_name(m), (int)len,
                     part ? part + strlen(key) : "see kernel check") < 0)
                return NULL;
        return s;
}

/* --keep names OPTION ("CONFIG_X"), with or without its prefix. */
static bool kept_by_hand(const struct tailor_ctx *x, const char *option)
{
        return strv_contains(x->o->keep, option) || (strncmp(option, "CONFIG_", 7) == 0 && strv_contains(x->o->keep, option + 7));
}

static int best_changes(const struct tailor_state *s, char ***ret);
static int push_cut(const struct cut *c, char ***changes);
static int push_index(int **v, size_t *n, int i);

/* C stays on because its prompt is hidden (VT: "bool "Virtual terminal" if EXPERT", and
 * x86_64_defconfig has EXPERT off): a hidden prompt leaves an option at its default, whatever a
 * config says.  Each plain symbol of the prompt's condition that START has off is tried on, with
 * the cut, on top of BASE; the first that lets kconfig take C off becomes C->shown_by, and what
 * kconfig made of it *RET (the rules after weigh that). */
static int show_prompt(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c, const char *probe,
                       struct kconfig *ret)
{
        _cleanup_free_ char *cond = kconfig_prompt_condition(x->src, c->option);
        _cleanup_strv_free_ char **terms = cond && *cond ? kconfig_conjuncts(cond) : NULL;
        for (char **t = terms; t && *t; t++) {
                _cleanup_free_ char *sym = NULL;
                if (asprintf(&sym, "CONFIG_%s", *t) < 0)
                        return -ENOMEM;
                if (is_on(start, sym))
                        continue;
                _cleanup_strv_free_ char **changes = NULL;
                _cleanup_(kconfig_free) struct kconfig res = { 0 };
                int r = 0;
                for (char *const *b = base; r >= 0 && b && *b; b++)
                        r = strv_push(&changes, *b);
                r = r ?: strv_pushf(&changes, "%s=y", sym);
                r = r ?: push_cut(c, &changes);
                r = r ?: resolve_changes(x, changes, probe, &res);
                if (r < 0)
                        return r;
                if (!is_on(&res, c->option) && is_on(&res, sym)) {
                        c->shown_by = TAKE_PTR(sym);
                        kconfig_free(ret);
                        *ret = res;
                        res = (struct kconfig){ 0 };
                        return 0;
                }
        }
        return 0;
}

/* One option of the map, checked against kconfig alone (no build), on top of the best kernel so
 * far (BASE: its changes to the start; START: its config): can it go, and what goes with it?  Its
 * cut gets a status: queued, or kept with the reason. */
static int weigh_cut(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c)
{
        _cleanup_free_ char *probe = path_join(x->rundir, "probe.config");
        _cleanup_strv_free_ char **changes = NULL;
        _cleanup_(kconfig_free) struct kconfig res = { 0 };
        int r = 0;
        for (char *const *b = base; r >= 0 && b && *b; b++)
                r = strv_push(&changes, *b);
        r = r ?: push_cut(c, &changes);
        r = r ?: resolve_changes(x, changes, probe, &res);
        if (r < 0)
                return r;
        if (is_on(&res, c->option)) {
                /* A choice member goes when another member comes: try them in Kconfig's order. */
                _cleanup_strv_free_ char **members = kconfig_choice_members(x->src, c->option);
                for (char **m = members; m && *m; m++) {
                        _cleanup_free_ char *alt = NULL;
                        if (asprintf(&alt, "CONFIG_%s", *m) < 0)
                                return -ENOMEM;
                        if (streq(alt, c->option) || is_on(start, alt))
                                continue;
                        _cleanup_strv_free_ char **with_alt = NULL;
                        kconfig_free(&res);
                        for (char *const *b = base; r >= 0 && b && *b; b++)
                                r = strv_push(&with_alt, *b);
                        r = r ?: push_cut(c, &with_alt);
                        r = r ?: strv_pushf(&with_alt, "%s=y", alt);
                        r = r ?: resolve_changes(x, with_alt, probe, &res);
                        if (r < 0)
                                return r;
                        if (!is_on(&res, c->option) && is_on(&res, alt)) {
                                c->alt = TAKE_PTR(alt);
                                break;
                        }
                }
                if (!c->alt && !members && (r = show_prompt(x, base, start, c, probe, &res)) < 0)
                        return r;
                if (!c->alt && !c->shown_by) {
                        _cleanup_strv_free_ char **sel = members ? NULL : kconfig_selectors(x->src, c->option);
                        _cleanup_free_ char *on = sel ? kconfig_names_on(sel, start) : NULL;
                        c->status = CUT_KEPT;
                        if (on && *on)
                                r = asprintf(&c->why, "kconfig keeps it on: selected by %s", on);
                        else
                                c->why = strdup(members ? "kconfig keeps it on: no other member of its choice can replace it"
                                                        : "kconfig keeps it on: it has no prompt, or what selects it is on");
                        return r < 0 ? -ENOMEM : 0;
                }
        }
        const char *unpack = x->initrd_known ? initrd_kconfig_lacks(&res, &x->initrd) : NULL;
        if (unpack) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "the appliance's initrd (%s) needs it (%s is not set)", x->initrd.name, unpack) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        char *need = machine_needs(&res, x->o->machine);
        if (need) {
                c->status = CUT_KEPT;
                c->why = need;
                return 0;
        }
        const char *guest_why = NULL, *guest = kconfig_guest_lacks(&res, &guest_why);
        if (guest) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "leanboot's guest needs it (%s is not set: %s)", guest, guest_why) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        /* Without a driver for the root, no candidate boots: that needs no build to find out. */
        const char *lacks = x->root_known ? extfs_kconfig_lacks(&res, &x->root_fs) : NULL;
        if (lacks) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "the appliance's root file system needs it (%s)", lacks) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        /* What goes with it: options set in the start (values too: BLK_DEV_LOOP_MIN_COUNT goes
         * with BLK_DEV_LOOP) that the resolved config lacks.  The fragment says them off, or a
         * fragment the start was made with, still asking for them, fails kernel build's check. */
        for (size_t i = 0; i < start->n; i++) {
                const char *n = start->opts[i].name;
                if (!streq(kconfig_value(start, n), "n") && streq(kconfig_value(&res, n), "n") && !streq(n, c->option) &&
                    strv_push(&c->also_off, n) < 0)
                        return -ENOMEM;
        }
        /* --keep is kept whichever cut would take it. */
        for (char **o = c->also_off; o && *o; o++)
                if (kept_by_hand(x, *o)) {
                        c->status = CUT_KEPT;
                        return asprintf(&c->why, "kconfig takes %s off with it, which --keep keeps", *o + 7) < 0 ? (c->why = NULL, -ENOMEM) : 0;
                }
        c->status = CUT_QUEUED;
        return 0;
}

static int propose_one(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c)
{
        int r = weigh_cut(x, base, start, c);
        /* what would have shown its prompt is no part of a cut that stays */
        if (c->status != CUT_QUEUED) {
                free(c->shown_by);
                c->shown_by = NULL;
        }
        return r;
}

/* A new cut of OPTION (queued until propose_one decides); ORIGIN (taken) says why it was
 * proposed when the map did not name it. */
static int add_cut(struct tailor_state *s, const char *option, long long cost_us, int initcalls, char *origin)
{
        struct cut *more = realloc(s->cuts, (s->ncuts + 1) * sizeof *more);
        if (!more) {
                free(origin);
                return -ENOMEM;
        }
        s->cuts = more;
        s->cuts[s->ncuts] = (struct cut){ .option = strdup(option), .cost_us = cost_us, .initcalls = initcalls, .origin = origin };
        if (!s->cuts[s->ncuts].option) {
                free(origin);
                return -ENOMEM;
        }
        s->ncuts++;
        return 0;
}

static ssize_t cut_index(const struct tailor_state *s, const char *option)
{
        for (size_t i = 0; i < s->ncuts; i++)
                if (streq(s->cuts[i].option, option))
                        return (ssize_t)i;
        return -1;
}

/* " (with EXPERT on, which shows its prompt)" for a cut C shown by EXPERT, else "" (for the
 * log; NULL without memory). */
static char *shown_by_note(const struct cut *c)
{
        char *note = NULL;
        if (!c->shown_by)
                return strdup("");
        return asprintf(&note, " (with %s on, which shows its prompt)", c->shown_by + 7) < 0 ? NULL : note;
}

/* --keep, or propose_one: the cut S->cuts[I] gets its status. */
static int propose_or_keep(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t i)
{
        struct cut *c = &x->s.cuts[i];
        int r = 0;
        if (kept_by_hand(x, c->option)) {
                c->status = CUT_KEPT;
                c->why = strdup("kept by --keep");
        } else {
                r = propose_one(x, base, ref, c);
        }
        _cleanup_free_ char *shown = shown_by_note(c);
        log_info("  %-28s %8.3f ms  %s%s%s%s%s%s", c->option, (double)c->cost_us / 1000, c->status == CUT_QUEUED ? "to try" : "kept: ",
                 c->why ? c->why : "", c->alt ? " (its choice's other member instead)" : "", shown ? shown : "",
                 c->origin ? "; proposed as it " : "", c->origin ? c->origin : "");
        return r;
}

/* Forget the last cut (a selector that proved useless: see follow_selectors). */
static void pop_cut(struct tailor_state *s)
{
        tailor_cut_free(&s->cuts[--s->ncuts]);
}

/* How many tries of what keeps an option on one option may resolve, and one map in all: each is
 * a run of olddefconfig, and the crypto API's selectors fan out by the dozen.  Each option has
 * its own allowance, so that one fan-out does not leave the next option none. */
#define MAX_KEEPER_TRIES 24
#define MAX_KEEPER_TRIES_PER_MAP 96

static const char kept_select_why[] = "kconfig keeps it on: selected by ";
static const char kept_no_prompt_why[] = "kconfig keeps it on: it has no prompt, or what selects it is on";

static bool kept_by_select(const struct cut *c)
{
        return c->status == CUT_KEPT && c->why && strncmp(c->why, kept_select_why, sizeof kept_select_why - 1) == 0;
}

static bool kept_without_prompt(const struct cut *c)
{
        return c->status == CUT_KEPT && c->why && streq(c->why, kept_no_prompt_why);
}

/* What keeps the kept cut C on, that cutting could take off ("CONFIG_X" names that are y in REF,
 * not --keep; a strv): the entries that select it; for an entry without a prompt that nothing
 * on selects (CRYPTO_DRBG: "default CRYPTO_DRBG_MENU" inside "if CRYPTO_DRBG_MENU"), the symbols
 * its dependencies need on, the innermost first. */
static int keepers_of(const struct tailor_ctx *x, const struct cut *c, const struct kconfig *ref, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL;
        if (kept_by_select(c)) {
                names = kconfig_selectors(x->src, c->option);
        } else if (kept_without_prompt(c)) {
                _cleanup_free_ char *deps = kconfig_depends(x->src, c->option);
                _cleanup_strv_free_ char **terms = deps ? kconfig_conjuncts(deps) : NULL;
                for (size_t n = strv_length(terms); n > 0; n--)
                        if (strv_push(&names, terms[n - 1]) < 0)
                                return -ENOMEM;
        }
        for (char **p = names; p && *p; p++) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "CONFIG_%s", *p) < 0)
                        return -ENOMEM;
                if (streq(kconfig_value(ref, full), "y") && !kept_by_hand(x, full) && !strv_contains(*ret, full) &&
                    strv_consume(ret, TAKE_PTR(full)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Why a cut of NAMES together with PATH (the map's option, down to the one NAMES keep on) was
 * proposed: "selects SUNRPC, which kconfig keeps on"; "keeps CRYPTO_JITTERENTROPY on (through
 * CRYPTO_RNG_DEFAULT, CRYPTO_DRBG_MENU, CRYPTO_DRBG), with CRYPTO_ECHAINIV". */
static char *keeper_origin(char *const *path, char *const *names)
{
        size_t np = strv_length(path), nn = strv_length(names);
        char *o = NULL;
        if (np == 1 && nn == 1)
                return asprintf(&o, "selects %s, which kconfig keeps on", path[0] + 7) < 0 ? NULL : o;
        _cleanup_strv_free_ char **through = NULL, **with = NULL;
        for (size_t i = np; i > 1; i--)
                if (strv_push(&through, path[i - 1] + 7) < 0)
                        return NULL;
        for (size_t i = 1; i < nn; i++)
                if (strv_push(&with, names[i] + 7) < 0)
                        return NULL;
        _cleanup_free_ char *t = through ? strv_join(through, ", ") : NULL, *w = with ? strv_join(with, ", ") : NULL;
        if (asprintf(&o, "keeps %s on%s%s%s%s%s", path[0] + 7, t ? " (through " : "", t ? t : "", t ? ")" : "", w ? ", with " : "",
                     w ? w : "") < 0)
                return NULL;
        return o;
}

/* A cut of NAMES[0], with the other NAMES and PATH (the map's option ROOT first, then what keeps
 * it on, down to the one NAMES keep on) cut together: proposed when kconfig then takes ROOT off
 * (*FOUND), with ROOT's cost; otherwise forgotten, its verdict moved to RET_KEPT (when not NULL)
 * for follow_keepers to go on from. */
static int try_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t root, char *const *path,
                       char *const *names, struct cut *ret_kept, bool *found)
{
        struct tailor_state *s = &x->s;
        char *origin = keeper_origin(path, names);
        if (!origin)
                return -ENOMEM;
        int r = add_cut(s, names[0], s->cuts[root].cost_us, s->cuts[root].initcalls, origin);
        if (r < 0)
                return r;
        struct cut *c = &s->cuts[s->ncuts - 1];
        for (char *const *p = path; r >= 0 && p && *p; p++)
                r = strv_push(&c->with, *p);
        for (char *const *p = names + 1; r >= 0 && *p; p++)
                r = strv_push(&c->with, *p);
        r = r ?: propose_one(x, base, ref, c);
        if (r < 0)
                return r;
        if (c->status == CUT_QUEUED && strv_contains(c->also_off, path[0])) {
                _cleanup_free_ char *shown = shown_by_note(c);
                log_info("  %-28s %8.3f ms  to try%s; proposed as it %s", c->option, (double)c->cost_us / 1000, shown ? shown : "",
                         c->origin);
                *found = true;
                return 0;
        }
        if (ret_kept) {
                *ret_kept = (struct cut){ .option = TAKE_PTR(c->option), .status = c->status, .why = TAKE_PTR(c->why) };
        }
        pop_cut(s);
        return 0;
}

/* Take the map's option ROOT off by cutting what keeps it on (keepers_of KEPT, the cut of PATH's
 * last option; PATH starts at ROOT): each alone, and one that kconfig keeps on in turn is followed
 * the same way (DEPTH levels at most); then, when several select it and none takes it off alone,
 * all of them together.  The first that takes ROOT off is proposed (NFS_FS for SUNRPC; CRYPTO_SEQIV
 * and CRYPTO_ECHAINIV, through CRYPTO_RNG_DEFAULT, CRYPTO_DRBG_MENU and CRYPTO_DRBG, for
 * CRYPTO_JITTERENTROPY); the others are forgotten.  An option that is not y (built in) is left. */
static int follow_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t root, char ***path,
                          const struct cut *kept, int depth, int *tries, bool *found)
{
        struct tailor_state *s = &x->s;
        _cleanup_strv_free_ char **keepers = NULL;
        int r = keepers_of(x, kept, ref, &keepers);
        bool any_cut = false;
        for (char **p = keepers; r >= 0 && p && *p && !*found && *tries < MAX_KEEPER_TRIES; p++) {
                if (cut_index(s, *p) >= 0 || strv_contains(*path, *p)) {
                        any_cut = true;
                        continue;
                }
                (*tries)++;
                struct cut next = { 0 };
                char *one[] = { *p, NULL };
                r = try_keepers(x, base, ref, root, *path, one, &next, found);
                if (r >= 0 && !*found && depth > 1 && (kept_by_select(&next) || kept_without_prompt(&next))) {
                        size_t n = strv_length(*path);
                        r = strv_push(path, next.option);
                        r = r ?: follow_keepers(x, base, ref, root, path, &next, depth - 1, tries, found);
                        free((*path)[n]);
                        (*path)[n] = NULL;
                }
                tailor_cut_free(&next);
        }
        /* Selected by several that are on, none of which takes it off alone (CRYPTO_RNG_DEFAULT,
         * by CRYPTO_SEQIV and CRYPTO_ECHAINIV): all of them together, unless one is a cut already. */
        if (r >= 0 && !*found && !any_cut && kept_by_select(kept) && strv_length(keepers) > 1 && *tries < MAX_KEEPER_TRIES) {
                (*tries)++;
                r = try_keepers(x, base, ref, root, *path, keepers, NULL, found);
        }
        return r;
}

static bool in_indexes(const int *v, size_t n, ssize_t i)
{
        for (size_t k = 0; k < n; k++)
                if (v[k] == i)
                        return true;
        return false;
}

/* An option kconfig keeps on (others select it, or it has no prompt) goes only with what keeps
 * it on: for each such cut of this map (the N indexes MAPPED), the cut follow_keepers finds
 * carries its cost (NFS_FS for SUNRPC).  Those in LATE (NLATE indexes) come after all the
 * others: options an initcall reaches whose own option is searched too (propose_callee_options). */
static int propose_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, const int *mapped, size_t n,
                           const int *late, size_t nlate)
{
        struct tailor_state *s = &x->s;
        int total = 0, r = 0;
        /* The costliest first, while the map's allowance lasts (HW_CONSOLE, for chr_dev_init's
         * 3 ms, is proposed after the map's own cuts); those in LATE after all the others. */
        _cleanup_free_ int *order = n ? malloc(n * sizeof *order) : NULL;
        if (n && !order)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                bool is_late = in_indexes(late, nlate, mapped[k]);
                size_t j = k;
                for (; j > 0; j--) {
                        const struct cut *before = &s->cuts[order[j - 1]];
                        bool before_late = in_indexes(late, nlate, order[j - 1]);
                        if (before_late == is_late ? before->cost_us >= s->cuts[mapped[k]].cost_us : !before_late)
                                break;
                        order[j] = order[j - 1];
                }
                order[j] = mapped[k];
        }
        for (size_t k = 0; r >= 0 && k < n && total < MAX_KEEPER_TRIES_PER_MAP; k++) {
                size_t i = (size_t)order[k];
                if (!kept_by_select(&s->cuts[i]) && !kept_without_prompt(&s->cuts[i]))
                        continue;
                _cleanup_strv_free_ char **path = NULL;
                bool found = false;
                int tries = 0;
                r = strv_push(&path, s->cuts[i].option);
                /* a copy: the cuts it adds may move s->cuts */
                struct cut kept = { .option = strdup(s->cuts[i].option), .status = s->cuts[i].status, .why = strdup(s->cuts[i].why) };
                if (!kept.option || !kept.why)
                        r = -ENOMEM;
                r = r ?: follow_keepers(x, base, ref, i, &path, &kept, 4, &tries, &found);
                tailor_cut_free(&kept);
                total += tries;
        }
        return r;
}

/* Cuts dropped so far (a new map is due when a round changed this). */
static int dropped_count(const struct tailor_state *s)
{
        int n = 0;
        for (size_t i = 0; i < s->ncuts; i++)
                n += s->cuts[i].status == CUT_DROPPED;
        return n;
}

static int propose_shapers(struct tailor_ctx *x, const char *owner, const char *object, const char *initcall, const char *what,
                           long long cost_us, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh);

/* The cuts of this map (the N indexes MAPPED) that stay (the machine needs them, or kconfig
 * keeps them; not --keep), each initcall of theirs in L costing MIN_COST or more: what shapes its
 * object is proposed (propose_shapers).  Appended to the cuts; the batch takes them. */
static int propose_kept_shapers(struct tailor_ctx *x, const struct initcall_log *l, char *const *base, const struct kconfig *ref,
                                const int *mapped, size_t n, long long min_cost)
{
        struct tailor_state *s = &x->s;
        bool any = false;
        for (size_t k = 0; k < n; k++) {
                const struct cut *c = &s->cuts[mapped[k]];
                any = any || (c->status == CUT_KEPT && c->cost_us >= min_cost && !kept_by_hand(x, c->option));
        }
        if (!any)
                return 0;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, l, &orig);
        if (r < 0)
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        _cleanup_free_ int *fresh = NULL;
        size_t nfresh = 0;
        for (size_t k = 0; r >= 0 && k < l->n; k++) {
                const struct initcall *ic = &l->calls[k];
                const char *owner = orig[k].options ? orig[k].options[0] : NULL;
                ssize_t ci = owner && orig[k].object && ic->usecs >= min_cost ? cut_index(s, owner) : -1;
                bool mine = false;
                for (size_t m = 0; ci >= 0 && m < n; m++)
                        mine = mine || mapped[m] == ci;
                if (!mine || s->cuts[ci].status != CUT_KEPT || kept_by_hand(x, owner))
                        continue;
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "costs %.3f ms", (double)ic->usecs / 1000) < 0)
                        r = -ENOMEM;
                else
                        r = propose_shapers(x, owner, orig[k].object, ic->name, what, ic->usecs, base, ref, &fresh, &nfresh);
        }
        kmap_origins_free(orig, l->n);
        return r;
}

/* An initcall every kernel builds (chr_dev_init), or one whose owner stays, still spends its
 * time in objects that options build: vty_init, in drivers/tty/vt/vt.o, reached through tty_init.
 * For each initcall of L costing MIN_COST or more of those kinds, the options naming the objects
 * it reaches (callees.h) are proposed, each with the initcall's cost, the most its cut can save.
 * Those kconfig keeps on join *MAPPED, for propose_keepers to find what keeps them (vt.o's
 * option, HW_CONSOLE, has no prompt: VT keeps it); those the machine or the guest keeps are
 * forgotten, as noise in the report.  An initcall whose own option kconfig keeps on is searched
 * for through that option first: cutting it saves the whole initcall, while what the initcall
 * reaches is mostly infrastructure it selects or depends on (jent_mod_init, 22 ms of defconfig's
 * boot, reaches CRYPTO, CRYPTO_HASH2, CRYPTO_RNG2 and CRYPTO_ALGAPI2, which its search would
 * otherwise take the map's whole allowance on).  Such options join *LATE, searched after the
 * rest; one the map named keeps its own cost, one it did not gets the initcall's (the most its
 * cut can save), which orders it only among the late. */
static bool decided_without_build(const struct tailor_ctx *x, const struct cut *c);
static void reset_verdict(struct cut *c);

/* Takes I out of the N indexes V, if there. */
static void forget_index(int *v, size_t n, ssize_t i)
{
        for (size_t k = 0; k < n; k++)
                if (v[k] == i)
                        v[k] = -2; /* no cut's index, and not the list's end */
}

static int propose_callee_options(struct tailor_ctx *x, const struct initcall_log *l, const struct objsyms *idx, char *const *base,
                                  const struct kconfig *ref, int **mapped, size_t *nmapped, int **late, size_t *nlate,
                                  long long min_cost)
{
        struct tailor_state *s = &x->s;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, l, &orig);
        if (r < 0) {
                kmap_origins_free(orig, l->n);
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        }
        _cleanup_strv_free_ char **weighed = NULL;
        for (size_t k = 0; r >= 0 && k < l->n; k++) {
                const struct initcall *ic = &l->calls[k];
                const char *owner = orig[k].options ? orig[k].options[0] : NULL;
                ssize_t oi = owner ? cut_index(s, owner) : -1;
                bool stays = oi >= 0 && s->cuts[oi].status == CUT_KEPT && !kept_by_hand(x, owner);
                if (!orig[k].object || ic->usecs < min_cost || (owner && !stays))
                        continue;
                bool owner_searched = oi >= 0 && in_indexes(*mapped, *nmapped, oi) &&
                                      (kept_by_select(&s->cuts[oi]) || kept_without_prompt(&s->cuts[oi]));
                _cleanup_strv_free_ char **options = NULL, **paths = NULL;
                r = callees_options(idx, x->tree.obj, x->src, orig[k].object, ic->name, CALLEE_DEPTH, MAX_CALLEES, &options, &paths);
                if (r < 0 && r != -ENOMEM) {
                        r = 0; /* its object is gone from the tree: nothing to read */
                        continue;
                }
                for (size_t j = 0; r >= 0 && options && options[j]; j++) {
                        const char *o = options[j];
                        ssize_t i = cut_index(s, o);
                        bool fresh = i < 0;
                        /* Each option once a call (each weighing is an olddefconfig); one a
                         * rule kept before is weighed again: what kept it may be gone. */
                        if (!owner_searched && i >= 0 && in_indexes(*mapped, *nmapped, i) && s->cuts[i].cost_us < ic->usecs &&
                            (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i]))) {
                                /* The map weighed it first, by its own initcalls (HW_CONSOLE: 0.037
                                 * ms of vtconsole_class_init); what keeps it on is worth as much as
                                 * the initcall that reaches it, and propose_keepers goes by cost. */
                                s->cuts[i].cost_us = ic->usecs;
                                if (!s->cuts[i].origin &&
                                    asprintf(&s->cuts[i].origin, "builds what %s reaches (%s), which costs %.3f ms", ic->name,
                                             paths[j], (double)ic->usecs / 1000) < 0)
                                        s->cuts[i].origin = NULL;
                        }
                        /* reached again, from a costlier initcall of the log: worth that; and
                         * from one no other search covers: not late */
                        if (!owner_searched && i >= 0 && strv_contains(weighed, o)) {
                                if (s->cuts[i].cost_us < ic->usecs)
                                        s->cuts[i].cost_us = ic->usecs;
                                forget_index(*late, *nlate, i);
                        }
                        if (strv_contains(weighed, o) || !streq(kconfig_value(ref, o), "y") || kept_by_hand(x, o) ||
                            (i >= 0 && (!decided_without_build(x, &s->cuts[i]) || in_indexes(*mapped, *nmapped, i))))
                                continue;
                        r = strv_push(&weighed, o);
                        if (r < 0)
                                break;
                        if (i >= 0) {
                                reset_verdict(&s->cuts[i]);
                                /* weighed by what reaches it now (a 3 ms initcall), not by what it
                                 * cost when a rule kept it */
                                if (s->cuts[i].cost_us < ic->usecs && !owner_searched)
                                        s->cuts[i].cost_us = ic->usecs;
                        } else {
                                char *origin = NULL;
                                if (asprintf(&origin, "builds what %s reaches (%s), which costs %.3f ms%s%s%s", ic->name, paths[j],
                                             (double)ic->usecs / 1000, owner ? " (" : "", owner ? owner + 7 : "",
                                             owner ? " stays)" : "") < 0)
                                        return kmap_origins_free(orig, l->n), -ENOMEM;
                                r = add_cut(s, o, ic->usecs, 0, origin);
                                i = (ssize_t)s->ncuts - 1;
                        }
                        r = r ?: propose_or_keep(x, base, ref, (size_t)i);
                        if (r < 0)
                                break;
                        if (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i])) {
                                r = push_index(mapped, nmapped, (int)i);
                                if (r >= 0 && owner_searched)
                                        r = push_index(late, nlate, (int)i);
                        } else if (s->cuts[i].status != CUT_QUEUED && fresh)
                                pop_cut(s);
                }
        }
        kmap_origins_free(orig, l->n);
        return r;
}

/* param_sysfs_init (no option builds it) costs what the built-in module parameters make it do
 * (paramcost.h): each option declaring them is proposed with its estimated share of L's
 * param_sysfs_init, when that is MIN_COST or more.  A cut of the map's own (queued now) takes its
 * share on top of its initcalls' cost; one kconfig keeps on joins *MAPPED, as the callees' do. */
static int propose_param_options(struct tailor_ctx *x, const struct initcall_log *l, const struct objsyms *idx, char *const *base,
                                 const struct kconfig *ref, int **mapped, size_t *nmapped, long long min_cost)
{
        struct tailor_state *s = &x->s;
        /* built in: the parser's module is "" (kernel/params.o is always built in) */
        ssize_t at = initcall_find(l, "param_sysfs_init", "", 0);
        const struct initcall *ic = at >= 0 ? &l->calls[at] : NULL;
        if (!ic || ic->usecs < min_cost)
                return 0;
        struct param_share *v = NULL;
        size_t n = 0;
        int r = param_shares(idx, x->src, ref, &v, &n);
        if (r < 0)
                return log_error_errno(r, "cannot read the module parameters of the build tree %s", x->tree.obj);
        /* The rule's own line: what the shares are, also when each is under the floor or its
         * option is decided already (and so not listed again below). */
        if (n)
                log_info("  param_sysfs_init %.3f ms: the module parameters of %zu option(s); the largest share, %s's "
                         "(%u in %s), about %.3f ms",
                         (double)ic->usecs / 1000, n, v[0].option, v[0].params, v[0].object, v[0].share * (double)ic->usecs / 1000);
        for (size_t j = 0; r >= 0 && j < n; j++) {
                long long cost = (long long)(v[j].share * (double)ic->usecs);
                const char *o = v[j].option;
                ssize_t i = cut_index(s, o);
                bool fresh = i < 0;
                if (cost < min_cost || kept_by_hand(x, o))
                        continue;
                /* proposed by this map already (every queued cut is: a round starts with no group
                 * left), or kept on by what the keepers' search will cut: worth its share more */
                bool keepers_due = i >= 0 && in_indexes(*mapped, *nmapped, i) &&
                                   (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i]));
                if (i >= 0 && (s->cuts[i].status == CUT_QUEUED || keepers_due)) {
                        s->cuts[i].cost_us += cost;
                        continue;
                }
                if (i >= 0 && in_indexes(*mapped, *nmapped, i))
                        continue;
                if (i >= 0 && !decided_without_build(x, &s->cuts[i]))
                        continue;
                if (i >= 0) {
                        reset_verdict(&s->cuts[i]);
                        s->cuts[i].cost_us = cost;
                } else {
                        char *origin = NULL;
                        if (asprintf(&origin,
                                     "declares %u module parameter(s) (%s), which param_sysfs_init puts in sysfs: "
                                     "about %.3f of its %.3f ms",
                                     v[j].params, v[j].object, (double)cost / 1000, (double)ic->usecs / 1000) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        r = add_cut(s, o, cost, 0, origin);
                        i = (ssize_t)s->ncuts - 1;
                }
                r = r ?: propose_or_keep(x, base, ref, (size_t)i);
                if (r >= 0 && (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i])))
                        r = push_index(mapped, nmapped, (int)i);
                else if (r >= 0 && s->cuts[i].status != CUT_QUEUED && fresh)
                        pop_cut(s); /* the machine or the guest keeps it: noise in the report */
        }
        param_shares_free(v, n);
        return r;
}

/* A kept cut whose verdict came from kconfig or the machine, without a build (not --keep). */
static bool decided_without_build(const struct tailor_ctx *x, const struct cut *c)
{
        return c->status == CUT_KEPT && c->build == 0 && !kept_by_hand(x, c->option);
}

/* Forget what propose_one decided about C, to weigh it again. */
static void reset_verdict(struct cut *c)
{
        free(c->alt);
        free(c->shown_by);
        free(c->why);
        strv_free(c->also_off);
        c->alt = c->shown_by = c->why = NULL;
        c->also_off = NULL;
        c->status = CUT_QUEUED;
}

/* --min-cost, or by default 0.2% of TOTAL, the initcall time of the kernel mapped. */
static long long min_cost_us(const struct tailor_ctx *x, long long total)
{
        return x->o->min_cost_us >= 0 ? x->o->min_cost_us : total / 500;
}

/* The map of a boot (LOGS/A-01.log) of the best kernel so far, and the proposals it brings: the
 * options not yet decided whose initcalls cost more than --min-cost (default 0.2% of this boot's
 * initcall time), pushed as one group.  The tree holds every object of the start (kbuild keeps the
 * objects of options cut since), so it maps any later kernel's functions too. */
static int map_and_propose(struct tailor_ctx *x, const char *logs, const char *what)
{
        struct tailor_state *s = &x->s;
        _cleanup_free_ char *logp = path_join(logs, "A-01.log"), *text = NULL;
        int r = read_full_file(logp, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "no kernel log of %s (%s)", what, logp);
        _cleanup_(initcall_log_free) struct initcall_log l = { .run_init_us = -1 };
        if ((r = initcall_parse(text, &l)) < 0 || l.n == 0)
                return log_error_status(-EINVAL, "no initcalls in the log of %s, %s (initcall_debug)", what, logp);
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        r = best_changes(s, &base);
        r = r ?: resolve_changes(x, base, refp, &ref);
        if (r < 0)
                return r;
        struct kmap_cost *costs = NULL;
        size_t ncost = 0;
        if ((r = kmap_option_costs(x->tree.obj, x->src, &l, &costs, &ncost)) < 0)
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        long long total = initcall_total_us(&l);
        long long min_cost = min_cost_us(x, total);
        log_info("the map of %s: %zu options build its initcalls (%.3f ms); proposing those over %.3f ms", what, ncost,
                 (double)total / 1000, (double)min_cost / 1000);
        size_t first_new = s->ncuts;
        _cleanup_free_ int *mapped = NULL, *late = NULL;
        size_t nmapped = 0, nlate = 0;
        for (size_t i = 0; r >= 0 && i < ncost; i++) {
                const struct kmap_cost *k = &costs[i];
                /* "(always built)", and "A|B": objects of two options, cut by neither alone.  An
                 * option a build decided stays decided; one kconfig or the machine kept is weighed
                 * again: what kept it on may be gone (CRYPTO_SEQIV, once networking is). */
                ssize_t j = cut_index(s, k->option);
                if ((j >= 0 && !decided_without_build(x, &s->cuts[j])) || k->usecs < min_cost ||
                    strncmp(k->option, "CONFIG_", 7) != 0 || strchr(k->option, '|') || !streq(kconfig_value(&ref, k->option), "y"))
                        continue;
                if (j >= 0) {
                        reset_verdict(&s->cuts[j]);
                        s->cuts[j].cost_us = k->usecs;
                        s->cuts[j].initcalls = (int)k->count;
                } else {
                        r = add_cut(s, k->option, k->usecs, (int)k->count, NULL);
                        j = (ssize_t)s->ncuts - 1;
                }
                r = r ?: push_index(&mapped, &nmapped, (int)j);
                r = r ?: propose_or_keep(x, base, &ref, (size_t)j);
        }
        kmap_costs_free(costs, ncost);
        _cleanup_(objsyms_free) struct objsyms objs = { 0 };
        if (r >= 0 && (r = objsyms_index(x->tree.obj, x->src, &objs)) < 0)
                return log_error_errno(r, "cannot index the build tree %s", x->tree.obj);
        r = r ?: propose_callee_options(x, &l, &objs, base, &ref, &mapped, &nmapped, &late, &nlate, min_cost);
        r = r ?: propose_param_options(x, &l, &objs, base, &ref, &mapped, &nmapped, min_cost);
        r = r ?: propose_keepers(x, base, &ref, mapped, nmapped, late, nlate);
        r = r ?: propose_kept_shapers(x, &l, base, &ref, mapped, nmapped, min_cost);
        if (r < 0)
                return r;
        /* One batch of every proposal first: the fewest builds when most can go; a batch that
         * breaks the payload is bisected.  (A round starts with no group left: every queued cut
         * is this map's.) */
        _cleanup_free_ int *idx = calloc(s->ncuts + 1, sizeof *idx);
        size_t n = 0;
        for (size_t i = 0; idx && i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_QUEUED && (i >= first_new || s->cuts[i].build == 0))
                        idx[n++] = (int)i;
        if (!idx || (n && tailor_push_group(s, idx, n) < 0))
                return -ENOMEM;
        s->mapped = true;
        s->rounds++;
        s->dropped_at_map = dropped_count(s);
        return 0;
}

/* A resumed run's groups were proposed by the leanboot that saved them: this one may know more
 * (the initrd's rule kept BLK_DEV_INITRD without a build; session 12's run had queued it).  Each
 * queued cut is weighed again on the best kernel; one now kept leaves its group, and a group
 * left empty goes. */
static int weigh_queued_again(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        int r = best_changes(s, &base);
        r = r ?: resolve_changes(x, base, refp, &ref);
        size_t kept = 0;
        /* Every entry is kept but those weighed now and kept: after an error, the rest stay
         * queued, unweighed, as they were saved. */
        for (size_t g = 0; g < s->nstack; g++) {
                size_t k = 0;
                for (size_t j = 0; s->stack[g][j] >= 0; j++) {
                        struct cut *c = &s->cuts[s->stack[g][j]];
                        bool weighed = r >= 0 && c->status == CUT_QUEUED;
                        if (weighed) {
                                reset_verdict(c);
                                r = propose_or_keep(x, base, &ref, (size_t)s->stack[g][j]);
                        }
                        if (weighed && c->status != CUT_QUEUED)
                                kept++;
                        else
                                s->stack[g][k++] = s->stack[g][j];
                }
                s->stack[g][k] = -1;
        }
        size_t n = 0;
        for (size_t g = 0; g < s->nstack; g++) {
                if (s->stack[g][0] >= 0)
                        s->stack[n++] = s->stack[g];
                else
                        free(s->stack[g]);
        }
        s->nstack = n;
        if (r >= 0 && kept)
                log_info("%zu queued cut(s) kept now, weighed again by this leanboot; %zu group(s) left", kept, n);
        return r;
}

static int measure_start(struct tailor_ctx *x)
{
        const struct tailor_opts *o = x->o;
        struct tailor_state *s = &x->s;
        _cleanup_free_ char *kdir = build_path(x, 1, ""), *img = build_path(x, 1, "bzImage"), *logs = build_path(x, 1, "logs");
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
        r = make_appliance(x, 1);
        if (r < 0)
                return r;
        const char *what;
        int st = run_checks(x, 1, &what);
        if (st != 0)
                return log_error_status(-EINVAL, "%s fails on the starting kernel (exit status %d): nothing to tailor "
                                        "against", what, st);
        struct measure none = { 0 };
        bool faster;
        r = bench(x, 1, 0, logs, &s->start, &none, &faster, 0, NULL);
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

        return map_and_propose(x, logs, "the starting kernel");
}

/* ---- the loop --------------------------------------------------------------------------------- */

/* The kconfig changes of one cut: the option off, what is cut together with it, and the choice
 * member that takes its place. */
static int push_cut(const struct cut *c, char ***changes)
{
        int r = c->shown_by ? strv_pushf(changes, "%s=y", c->shown_by) : 0;
        r = r ?: strv_pushf(changes, "%s=n", c->option);
        for (char **w = c->with; r >= 0 && w && *w; w++)
                r = strv_pushf(changes, "%s=n", *w);
        return r < 0 || !c->alt ? r : strv_pushf(changes, "%s=y", c->alt);
}

/* The changes that make the best kernel from the start: every dropped cut (and its alternative). */
static int best_changes(const struct tailor_state *s, char ***ret)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_DROPPED)
                        r = push_cut(&s->cuts[i], ret);
        return r;
}

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

/* A failed build of the same resolved config: its verdict stands without a build.  Bisection
 * meets this often: when a batch failed and its first half passed, the second half on top of the
 * first is the batch again. */
static const struct trial *same_config_failed(const struct tailor_state *s, const char *hash)
{
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                if (t->config_hash && streq(t->config_hash, hash) && t->result && !streq(t->result, "faster") &&
                    !streq(t->result, "start") && !streq(t->result, "not faster"))
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
                if (decided_without_build(x, c) && !is_on(res, c->option))
                        mark_gone(c, build, by);
        }
}

/* The initcall time a moved cost is measured against: --min-cost, and 1% of the best kernel's. */
static long long grow_threshold(const struct tailor_ctx *x)
{
        long long best = x->s.best.initcalls_us, min_cost = min_cost_us(x, best);
        return best / 100 > min_cost ? best / 100 : min_cost;
}

/* Append I to the -1 ended list *V of *N indexes. */
static int push_index(int **v, size_t *n, int i)
{
        int *more = realloc(*v, (*n + 2) * sizeof *more);
        if (!more)
                return -ENOMEM;
        more[(*n)++] = i;
        more[*n] = -1;
        *v = more;
        return 0;
}

/* Propose OPTION for a cost that moved (ORIGIN taken), unless it is known or off in REF; the
 * index of a queued cut goes to *V.  One that kconfig or the machine keeps is forgotten (a
 * guess that cannot be tried is noise in the report), unless it is the owner (REMEMBER_KEPT):
 * the report says why the cost stays where it moved. */
static int propose_moved_option(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, const char *option,
                                long long cost_us, char *origin, bool remember_kept, int **v, size_t *n)
{
        struct tailor_state *s = &x->s;
        if (!streq(kconfig_value(ref, option), "y") || cut_index(s, option) >= 0 || kept_by_hand(x, option)) {
                free(origin);
                return 0;
        }
        int r = add_cut(s, option, cost_us, 0, origin);
        r = r ?: propose_one(x, base, ref, &s->cuts[s->ncuts - 1]);
        if (r < 0)
                return r;
        struct cut *c = &s->cuts[s->ncuts - 1];
        if (c->status != CUT_QUEUED && !remember_kept) {
                pop_cut(s);
                return 0;
        }
        log_info("  %-28s %8.3f ms  %s%s; proposed as it %s", c->option, (double)c->cost_us / 1000,
                 c->status == CUT_QUEUED ? "to try" : "kept: ", c->why ? c->why : "", c->origin);
        return c->status == CUT_QUEUED ? push_index(v, n, (int)s->ncuts - 1) : 0;
}

/* What a cut C of the group and the owner of a slower initcall both need on: the symbols both
 * their Kconfig entries require (their "depends on" and enclosing "if"s), into *cands, with the
 * reason in *why at the same index. */
static int shared_needs(const struct tailor_ctx *x, const char *cut, const char *owner, char *const *owner_needs, char ***cands,
                        char ***why)
{
        _cleanup_free_ char *deps = kconfig_depends(x->src, cut);
        _cleanup_strv_free_ char **needs = deps ? kconfig_conjuncts(deps) : NULL;
        int r = 0;
        for (char **a = needs; r >= 0 && a && *a; a++)
                if (strv_contains(owner_needs, *a) && !strv_contains(*cands, *a)) {
                        r = strv_push(cands, *a);
                        r = r ?: strv_pushf(why, "needed by %s and %s", cut + 7, owner + 7);
                }
        return r;
}

/* Whether OPTION ("CONFIG_X") needs OWNER ("SERIAL_8250") on, directly or through one of its
 * own needs, HOPS deep (SERIAL_8250_DETECT_IRQ needs SERIAL_8250_EXTENDED, which needs
 * SERIAL_8250): an option of the owner's own, not one its Kconfig file merely also declares
 * (init/Kconfig declares PERF_EVENTS and PRINTK). */
static bool needs_owner(const struct tailor_ctx *x, const char *option, const char *owner, int hops)
{
        _cleanup_free_ char *deps = kconfig_depends(x->src, option);
        _cleanup_strv_free_ char **needs = deps ? kconfig_conjuncts(deps) : NULL;
        if (strv_contains(needs, owner))
                return true;
        for (char **n = needs; hops > 1 && n && *n; n++)
                if (needs_owner(x, *n, owner, hops - 1))
                        return true;
        return false;
}

/* An option that must stay (the machine's console driver) can still be made cheaper: the options
 * of its own (declared in its Kconfig file, and needing it on) that its OBJECT's compile tested
 * (fixdep's list: SERIAL_8250_DETECT_IRQ for 8250_core.o, whose legacy ports then probe their
 * interrupts, 120 ms each) are proposed, each with COST_US; INITCALL and WHAT say why. */
static int propose_shapers(struct tailor_ctx *x, const char *owner, const char *object, const char *initcall, const char *what,
                           long long cost_us, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh)
{
        _cleanup_strv_free_ char **tested = NULL, **siblings = kconfig_file_siblings(x->src, owner);
        if (kbuild_object_tested(x->tree.obj, object, &tested) < 0)
                return 0;
        int r = 0;
        for (char **t = tested; r >= 0 && t && *t; t++) {
                char *origin = NULL;
                if (streq(*t, owner) || !strv_contains(siblings, *t + 7) || !needs_owner(x, *t, owner + 7, 2))
                        continue;
                if (asprintf(&origin, "shapes %s (%s stays), whose %s %s", object, owner + 7, initcall, what) < 0)
                        r = -ENOMEM;
                else
                        r = propose_moved_option(x, base, ref, *t, cost_us, origin, false, fresh, nfresh);
        }
        return r;
}

/* propose_moved's proposals for one owner OWNER ("CONFIG_X") of initcall IC, defined in OBJECT
 * (or NULL); the queued ones appended to *FRESH. */
static int propose_for_owner(struct tailor_ctx *x, const int *g, const struct initcall *ic, const char *owner, const char *object,
                             int build, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh)
{
        struct tailor_state *s = &x->s;
        int r = 0;
        log_info("build %d: %s (%s) is %.3f ms slower: proposing what takes it", build, ic->name, owner + 7,
                 (double)ic->usecs / 1000);
        _cleanup_free_ char *odeps = kconfig_depends(x->src, owner);
        _cleanup_strv_free_ char **oneeds = odeps ? kconfig_conjuncts(odeps) : NULL, **cands = NULL, **why = NULL;
        for (const int *p = g; r >= 0 && *p >= 0; p++)
                r = shared_needs(x, s->cuts[*p].option, owner, oneeds, &cands, &why);
        if (r >= 0 && !strv_contains(cands, owner + 7)) {
                r = strv_push(&cands, owner + 7);
                r = r ?: strv_push(&why, "its owner");
        }
        for (size_t k = 0; r >= 0 && cands && cands[k]; k++) {
                _cleanup_free_ char *name = NULL;
                char *origin = NULL;
                if (asprintf(&name, "CONFIG_%s", cands[k]) < 0 ||
                    asprintf(&origin, "takes %s's %.3f ms, moved there in build %d (%s)", ic->name,
                             (double)ic->usecs / 1000, build, why[k]) < 0)
                        r = -ENOMEM;
                else
                        r = propose_moved_option(x, base, ref, name, ic->usecs, origin, streq(name, owner), fresh, nfresh);
        }
        ssize_t oi = r >= 0 ? cut_index(s, owner) : -1;
        if (oi < 0 || s->cuts[oi].status != CUT_KEPT || !object)
                return r;
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "took %.3f ms more in build %d", (double)ic->usecs / 1000, build) < 0)
                return -ENOMEM;
        return propose_shapers(x, owner, object, ic->name, what, ic->usecs, base, ref, fresh, nfresh);
}

/* A cut's saving can reappear as another initcall's cost: without KPROBE_EVENTS, tracing's event
 * files are made under init_blk_tracer instead (669 ms, TCG); without ACPI, serial8250_init
 * probes the legacy ports' IRQs (514 ms).  For each initcall that candidate BUILD made slower
 * (GROWN), the map names the option O owning it, and new cuts are proposed:
 *   - what both O and a cut of G need on (FTRACE, for KPROBE_EVENTS and BLK_DEV_IO_TRACE): it
 *     takes the cost wherever it moves;
 *   - O itself;
 *   - when O must stay (SERIAL_8250: the machine's console), the options of O's own Kconfig file
 *     that its object's compile tested (fixdep's list: SERIAL_8250_DETECT_IRQ).
 * Each goes through propose_one as any cut does.  *RET_NEW (malloc'd, -1 ended; NULL when none):
 * the queued ones. */
static int propose_moved(struct tailor_ctx *x, const int *g, const struct initcall_log *grown, int build, int **ret_new)
{
        struct tailor_state *s = &x->s;
        *ret_new = NULL;
        if (grown->n == 0)
                return 0;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, grown, &orig);
        if (r < 0)
                return log_error_errno(r, "cannot map build %d's slower initcalls", build);
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        _cleanup_free_ int *fresh = NULL;
        size_t n = 0;
        r = best_changes(s, &base);
        r = r ?: resolve_changes(x, base, refp, &ref);
        for (size_t i = 0; r >= 0 && i < grown->n; i++) {
                /* "A|B": an object either option builds; each is an owner. */
                const char *owners = orig[i].options ? orig[i].options[0] : "";
                for (const char *o = owners; r >= 0 && *o; o += strcspn(o, "|"), o += *o == '|') {
                        _cleanup_free_ char *one = strndup(o, strcspn(o, "|"));
                        if (!one)
                                r = -ENOMEM;
                        else if (strncmp(one, "CONFIG_", 7) == 0)
                                r = propose_for_owner(x, g, &grown->calls[i], one, orig[i].object, build, base, &ref, &fresh, &n);
                }
        }
        kmap_origins_free(orig, grown->n);
        if (r < 0)
                return r;
        *ret_new = TAKE_PTR(fresh);
        return 0;
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
        long long group_cost = 0, floor_us = (long long)min_effect_us(x, s->best.initcalls_us);
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
        _cleanup_free_ char *kdir = build_path(x, build, ""), *img = build_path(x, build, "bzImage"),
                            *cfg = build_path(x, build, "candidate.config");
        if (!kdir || !img || !cfg || mkdir_p(kdir, 0755) < 0)
                return -ENOMEM;
        _cleanup_strv_free_ char **changes = NULL, **names = NULL;
        int r = best_changes(s, &changes);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = push_cut(&s->cuts[g[i]], &changes);
                r = r ?: strv_push(&names, s->cuts[g[i]].option);
        }
        _cleanup_(kconfig_free) struct kconfig res = { 0 };
        _cleanup_free_ char *hash = NULL;
        r = r ?: resolve_changes(x, changes, cfg, &res);
        r = r ?: config_hash(cfg, &hash);
        if (r < 0)
                return r;
        _cleanup_free_ char *list = strv_join(names, " ");
        const struct trial *seen = same_config_failed(s, hash);
        if (seen) {
                int was = seen->build;
                _cleanup_free_ char *result = strdup(seen->result ? seen->result : "failed");
                char why[160];
                snprintf(why, sizeof why, "%s without it (build %d had the same config)", result, was);
                log_info("%s: the config of build %d, which failed (%s): no build", list ? list : "", was, result);
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
        } else if ((r = make_appliance(x, build)) < 0) {
                strv_free(t.dropped);
                free(t.config_hash);
                return r;
        } else {
                const char *what;
                int st = run_checks(x, build, &what);
                if (st != 0) {
                        snprintf(why, sizeof why, "%s fails without it (exit status %d)", what, st);
                        t.result = strdup(streq(what, "the host check") ? "host check failed" : "payload failed");
                } else {
                        struct measure best;
                        r = bench(x, s->best_build, build, NULL, &best, &t.m, &faster, grow_threshold(x), &grown);
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
        drop_appliance(x, pass && faster ? s->best_build : build);
        if (pass && faster) {
                s->best = m;
                s->best_build = build;
                log_info("build %d: faster (initcalls %.3f ms), kept as the best", build, (double)m.initcalls_us / 1000);
        }
        /* Costs that moved: proposals that take them.  When the group was not faster, they are
         * tried with it (where the cost moved to), before any bisection; when it was, next. */
        _cleanup_free_ int *moved = NULL;
        if (pass && (r = propose_moved(x, g, &grown, build, &moved)) < 0)
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
        _cleanup_free_ char *logs = build_path(x, s->best_build, name), *what = NULL;
        if (!logs || asprintf(&what, "build %d (round %d)", s->best_build, s->rounds + 1) < 0)
                return -ENOMEM;
        log_info("round %d: %d cut(s) dropped since the last map; mapping build %d", s->rounds + 1, dropped_count(s) - s->dropped_at_map,
                 s->best_build);
        rm_rf(logs);
        struct measure m = { 0 }, none = { 0 };
        bool faster;
        int r = bench(x, s->best_build, 0, logs, &m, &none, &faster, 0, NULL);
        if (r < 0)
                return r;
        return map_and_propose(x, logs, what);
}

static int tailor_loop(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        for (;;) {
                /* No group left: a round ended.  When it dropped something the best kernel is
                 * mapped again (no build, but a bench: a budget in minutes counts it). */
                bool round_due = s->nstack == 0 && dropped_count(s) != s->dropped_at_map;
                if (s->nstack == 0 && !round_due)
                        break;
                if (!(round_due ? minutes_left(x) : budget_left(x))) {
                        log_info("budget spent (%d build(s)); the same command resumes from %s", s->builds, x->state_path);
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
                "                              [--min-cost USEC] [--min-effect PCT]\n"
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
                "a report.  --budget N stops after N builds (the start's included), Nm after N minutes; the\n"
                "same command resumes from its state file (--fresh starts over).\n"
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
        hasher_add_str(h, "clock", clock_name(o));
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

static int open_state(struct tailor_ctx *x)
{
        const struct tailor_opts *o = x->o;
        if (!o->fresh && file_exists(x->state_path)) {
                int r = tailor_state_load(x->state_path, &x->s);
                if (r < 0)
                        return log_error_errno(r, "the state file %s cannot be read (--fresh starts over)", x->state_path);
                log_info("resuming from %s: %d build(s) done, %zu group(s) left", x->state_path, x->s.builds, x->s.nstack);
                /* Each decided candidate's appliance is removed (drop_appliance), the old best's
                 * too, before the state that names the new best is saved: a run stopped between
                 * the two finds its best without one, and makes it again from its kernel. */
                _cleanup_free_ char *app = x->s.best_build > 0 ? build_path(x, x->s.best_build, "app") : NULL;
                if (app && !file_exists(app) && !x->s.done) {
                        log_info("build %d, the best: its appliance again", x->s.best_build);
                        return make_appliance(x, x->s.best_build);
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
        s->clock = strdup(clock_name(o));
        return s->from && s->check && s->machine && s->clock ? 0 : -ENOMEM;
}

static int finish(struct tailor_ctx *x)
{
        const struct tailor_opts *o = x->o;
        double seconds = x->s.seconds + (now_sec() - x->t0);
        int r = tailor_write_fragment(&x->s, o->output);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", o->output);
        tailor_print_report(&x->s, seconds);
        if (o->json && (r = tailor_write_json(&x->s, seconds, o->json)) < 0)
                return log_error_errno(r, "cannot write %s", o->json);
        if (o->html && (r = tailor_write_html(&x->s, seconds, o->html)) < 0)
                return log_error_errno(r, "cannot write %s", o->html);
        printf("fragment: %s%s\n", o->output, x->s.done ? "" : " (so far: the budget ran out; the same command resumes)");
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
        if (r >= 0)
                r = tree_lock = cachedir_lock(tree_dir, "tree");
        if (r >= 0)
                r = run_lock = cachedir_lock(x.rundir, "run");
        if (r >= 0)
                r = mkdir_p(x.rundir, 0755);
        if (r >= 0)
                cachedir_mark_used(x.rundir);
        r = r < 0 ? r : ktree_open(&x.tree, tree_dir, x.src, o.wrapper, o.ccache, o.jobs);
        if (r < 0) {
                ktree_close(&x.tree);
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel tailor: cannot set up %s", tree_dir);
        }
        log_info("tailor: tree %s, state %s", tree_dir, x.state_path);
        cachedir_prune(tailor_dir, "tree-", TAILOR_TREES_KEPT, "tailor tree");
        cachedir_prune(tailor_dir, "run-", TAILOR_RUNS_KEPT, "tailor run");
        r = open_state(&x);
        if (r >= 0 && x.s.mapped && !x.s.done && x.s.nstack)
                r = weigh_queued_again(&x);
        if (r >= 0 && !x.s.mapped) {
                r = measure_start(&x);
                if (r >= 0)
                        r = save(&x);
        }
        if (r >= 0)
                r = tailor_loop(&x);
        if (r >= 0)
                r = finish(&x);
        else
                (void)save(&x);
        tailor_state_free(&x.s);
        free(x.guestfs_settings);
        ktree_close(&x.tree);
        if (r == -EINVAL)
                return EXIT_FAILURE; /* the payload fails on the start: said */
        return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
