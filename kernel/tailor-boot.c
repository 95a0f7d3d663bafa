/* The tailor's boots: a candidate kernel put into the user's appliance, the payload and the host
 * check run on it, and the bench that measures it against the best; every step is this same
 * program's own command (run_self), as a user would type it.  See tailor-ctx.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bgwork.h"
#include "tailor-ctx.h"
#include "../common/clock.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/spawn.h"
#include "../common/strv.h"

const char *tailor_clock_name(const struct tailor_opts *o)
{
        return o->clock == CLOCK_INSN ? "insn" : "wall";
}

/* rundir/kN: the Nth build's kernel, config and appliance. */
char *tailor_build_path(const struct tailor_ctx *x, int build, const char *what)
{
        char *p = NULL;
        if (asprintf(&p, "%s/k%d/%s", x->rundir, build, what) < 0)
                return NULL;
        return p;
}


int tailor_make_appliance(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *img = tailor_build_path(x, build, "bzImage"), *app = tailor_build_path(x, build, "app");
        if (!img || !app)
                return -ENOMEM;
        char *argv[] = { "-q", "build", "--kernel", img, "--like", x->o->check, "-o", app, NULL };
        return run_self(argv) == 0 ? 0 : log_error_status(-EIO, "cannot make the appliance for build %d", build);
}

/* A candidate's appliance, once nothing boots it again; its kernel, config and logs stay. */
void tailor_drop_appliance(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *app = tailor_build_path(x, build, "app");
        if (app)
                rm_rf(app);
}

/* How every boot of the tailor is made: its clock, machine and time limit (run and bench). */
static int push_boot_args(const struct tailor_ctx *x, char ***argv)
{
        char timeout[16];
        snprintf(timeout, sizeof timeout, "%d", x->o->timeout_s);
        int r = strv_push(argv, "--clock");
        r = r ?: strv_push(argv, tailor_clock_name(x->o));
        r = r ?: strv_push(argv, "--machine");
        r = r ?: strv_push(argv, machine_name(x->o->machine));
        r = r ?: strv_push(argv, "--timeout");
        return r ?: strv_push(argv, timeout);
}

/* The payload on build BUILD's appliance: its exit status (0 passes). */
static int run_payload(const struct tailor_ctx *x, int build)
{
        _cleanup_free_ char *app = tailor_build_path(x, build, "app");
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
        _cleanup_free_ char *logp = tailor_build_path(x, build, "payload.log");
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
        _cleanup_free_ char *app = tailor_build_path(x, build, "app"), *img = tailor_build_path(x, build, "bzImage"),
                            *logp = tailor_build_path(x, build, "host.log");
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
int tailor_run_checks(struct tailor_ctx *x, int build, const char **ret_what)
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
double tailor_min_effect_us(const struct tailor_ctx *x, long long initcalls_us)
{
        return (double)initcalls_us * x->o->min_effect_pct / 100.0;
}

/* Bench build A's appliance (and B's): medians into *ma and *mb; *ret_faster: B's initcalls are
 * less than A's (instruction clock: by its exact figure; wall clock: at p < 0.01).  LOGS (or NULL)
 * keeps the kernel logs.  RET_GROWN (or NULL): the initcalls B made slower by GROW_US or more.
 * -EIO when a boot failed. */
int tailor_bench(const struct tailor_ctx *x, int a, int b, const char *logs, struct measure *ma, struct measure *mb,
                 bool *ret_faster, long long grow_us, struct initcall_log *ret_grown)
{
        _cleanup_free_ char *appa = tailor_build_path(x, a, "app"), *appb = b ? tailor_build_path(x, b, "app") : NULL,
                            *json = tailor_build_path(x, b ? b : a, "bench.json");
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
        double floor_us = tailor_min_effect_us(x, ma->initcalls_us);
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

/* Boot build BUILD with ftrace's events printed into its log (BGWORK_TRACE_ARGS), to see the
 * background work its initcalls wait on: the bench's two boots (its least), their logs in DIR
 * (DIR/A-01.log), what the bench says in DIR/bench.txt.  The events slow that boot down: it is
 * read for who ran when, never timed. */
int tailor_trace_background(const struct tailor_ctx *x, int build, const char *dir)
{
        _cleanup_free_ char *app = tailor_build_path(x, build, "app"), *json = path_join(dir, "bench.json"),
                            *outp = path_join(dir, "bench.txt");
        if (!app || !json || !outp)
                return -ENOMEM;
        rm_rf(dir);
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **argv = NULL;
        r = strv_push(&argv, "bench");
        r = r ?: strv_push(&argv, app);
        r = r ?: strv_push(&argv, "--runs");
        r = r ?: strv_push(&argv, "2");
        r = r ?: strv_push(&argv, "--warmup");
        r = r ?: strv_push(&argv, "0");
        r = r ?: push_boot_args(x, &argv);
        r = r ?: strv_push(&argv, "--append-a");
        r = r ?: strv_push(&argv, BGWORK_TRACE_ARGS);
        r = r ?: strv_push(&argv, "--json");
        r = r ?: strv_push(&argv, json);
        r = r ?: strv_push(&argv, "--logs");
        r = r ?: strv_push(&argv, dir);
        if (r < 0)
                return r;
        _cleanup_close_ int outfd = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (outfd < 0)
                return -errno;
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = outfd;
        so.stderr_fd = outfd;
        return run_self_opts(argv, &so) == 0 ? 0 : -EIO; /* the caller says so, and goes on without it */
}
