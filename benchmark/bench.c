/* leanboot bench: boot variants repeatedly, interleaved (A B and B A blocks, in random order), and compare them honestly.
 *
 * Each boot is `quiet`.  The host timestamps QEMU's start, the first console byte, every stage
 * marker and QEMU's exit (CLOCK_MONOTONIC); the guest reports CLOCK_BOOTTIME per marker.  The
 * kernel's initcall_debug records stay in the ring buffer during the boot; the init copies them
 * to the tail of the boot's root overlay after the payload, and they are parsed here after QEMU exits. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bench.h"
#include "boot.h"
#include "chart.h"
#include "initcall.h"
#include "peer.h"
#include "stages.h"
#include "qcow2.h"
#include "run.h"
#include "../common/appliance.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/paths.h"
#include "../common/manifest.h"
#include "../common/spawn.h"
#include "../common/stats.h"
#include "../common/strv.h"

/* The root overlay's tail, past the root file system, where the init writes the kernel log. */
#define DATA_TAIL_BYTES (16 << 20)
/* The ring buffer must hold the whole initcall_debug log, but a buffer larger than the
 * kernel's static one is allocated and zeroed at boot, with its record descriptors: a cost
 * inside the measured boot (8 MiB: +181 ms, +19%, on the cut-down kernel under TCG).  Warm-up
 * boots run with 1 MiB, which holds a stock Debian kernel's log (about 120 KB) many times over;
 * the timed boots then get twice the largest log a warm-up returned, rounded up to a power of
 * two.  A size the kernel's own buffer already has (128 KiB by default) costs nothing: the
 * kernel keeps its static buffer, and that is what the cut-down kernel's ~60 KB log gets. */
#define LOG_BUF_WARMUP (1u << 20)
#define LOG_BUF_MIN (64u << 10)

struct sample {
        double st[N_STAGES]; /* ms; NAN when this boot could not tell */
        struct initcall_log ic;
};

struct failure_reason {
        char *text;
        size_t count;
};

struct variant {
        const char *name, *appliance;
        bool peer;              /* measured through libguestfs: launch + shutdown */
        const char *guestfs_path; /* NULL: libguestfs's own appliance */
        char *append, *cmdline, *kernel;
        bool collect;          /* the init copies the kernel log into the overlay's tail */
        unsigned log_buf_len;  /* the ring buffer asked for (log_buf_len=) */
        size_t log_bytes_max;  /* the largest kernel log that came back */
        int run_no;            /* the timed run being booted, 1-based; 0 for a warm-up */
        uint64_t root_size;    /* where that tail starts */
        char *overlay_dir, *overlay_template, *overlay; /* qcow2 on the appliance's root, each boot's copy */
        struct sample *samples;
        size_t n, failed;
        size_t tried;          /* boots tried, warm-up included */
        struct failure_reason *reasons; /* the distinct reasons boots failed, with their counts */
        size_t n_reasons;
        struct summary sum[N_STAGES];
        bool has[N_STAGES];
};

static double mono_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --logs DIR: the kernel log as it came back, for `leanboot analyze` or a reader. */
static void keep_log(const struct variant *v, const char *dir, const char *text, size_t len)
{
        char name[64];
        snprintf(name, sizeof name, "%s-%02d.log", v->name, v->run_no);
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_close_ int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (fd < 0 || write_full(fd, text, len) < 0)
                log_warn("cannot keep the kernel log in %s/%s", dir, name);
}

static int read_log_tail(struct variant *v, const char *logs_dir, struct initcall_log *ret)
{
        char head[64] = { 0 };
        int r = qcow2_read(v->overlay, v->root_size, head, sizeof head - 1);
        if (r < 0)
                return r;
        int n;
        if (sscanf(head, KLOG_HEADER_FORMAT, &n) != 1 || n < 0 || n > DATA_TAIL_BYTES - 64)
                return -ENODATA;
        size_t off = strcspn(head, "\n") + 1;
        _cleanup_free_ char *buf = malloc((size_t)n + 1);
        if (!buf)
                return -ENOMEM;
        if ((r = qcow2_read(v->overlay, v->root_size + off, buf, (size_t)n)) < 0)
                return r;
        buf[n] = '\0';
        if ((size_t)n > v->log_bytes_max)
                v->log_bytes_max = (size_t)n;
        if (logs_dir && v->run_no > 0)
                keep_log(v, logs_dir, buf, (size_t)n);
        /* A ring buffer that wrapped has lost the boot's first records, and with them initcalls. */
        if (!strstr(buf, "Linux version"))
                log_warn("%s: the kernel's ring buffer wrapped: early initcall records are missing "
                         "(the bench passed log_buf_len=%uK; the guest logged more)", v->name, v->log_buf_len >> 10);
        return initcall_parse(buf, ret);
}

/* One boot; on success fills *s and returns 0, else returns -1 with *why set. */
static int boot_once(struct variant *v, const struct bench_request *q, struct accel_choice *accel,
                     struct sample *s, char **why)
{
        if (v->peer) {
                double launch, shut;
                s->ic = (struct initcall_log){ .run_init_us = -1 };
                struct peer_mark pm[PEER_MAX_MARKS];
                size_t npm = PEER_MAX_MARKS;
                if (peer_libguestfs_once(v->guestfs_path, accel->accel == ACCEL_TCG, &launch, &shut, pm, &npm, why) < 0)
                        return -1;
                /* A leanboot appliance's init prints its markers on the console even under
                 * libguestfs: its stages come out as in a plain bench, timed from launch start. */
                struct stage_mark sm[PEER_MAX_MARKS];
                for (size_t i = 0; i < npm; i++)
                        sm[i] = (struct stage_mark){ pm[i].name, pm[i].host_us, pm[i].guest_us };
                struct boot_result r = { .marks = sm, .n_marks = npm };
                derive_peer_stages(&r, launch, shut, s->st);
                return 0;
        }
        /* A fresh overlay each boot, as snapshot=on would give. */
        int cr = copy_file(v->overlay_template, v->overlay);
        if (cr < 0)
                return asprintf(why, "cannot copy the root overlay: %s", strerror(-cr)) < 0 ? -1 : -1;
        struct boot_config bc = {
                .appliance = v->appliance, .cmdline = v->cmdline, .accel = accel,
                .memory_mb = q->memory_mb, .smp = 1, .timeout_s = q->timeout_s,
                .root_overlay = v->overlay,
        };
        struct boot_result r;
        int e = boot_appliance(&bc, &r);
        if (e < 0)
                return asprintf(why, "QEMU could not start: %s", strerror(-e)) < 0 ? -1 : -1;
        int ret = 0;
        if (r.timed_out)
                ret = asprintf(why, "timed out after %d s at stage %s", q->timeout_s, boot_last_stage(&r));
        else if (r.panic_line)
                ret = asprintf(why, "kernel panic at stage %s: %s", boot_last_stage(&r), r.panic_line);
        else if (r.accel_failure)
                ret = asprintf(why, "KVM ended the boot (QEMU: %s; last stage %s)", r.accel_failure,
                               boot_last_stage(&r));
        else if (r.exit_status != 0)
                ret = asprintf(why, "%s (last stage %s)",
                               r.exit_status < 0 ? "no exit status from the guest" : "payload failed",
                               boot_last_stage(&r));
        if (ret != 0) {
                boot_result_free(&r);
                return -1;
        }
        s->ic = (struct initcall_log){ .run_init_us = -1 };
        if (v->collect && read_log_tail(v, q->logs_dir, &s->ic) < 0)
                log_warn("%s: no kernel log came back in the root overlay's tail", v->name);
        derive_stages(&r, v->collect ? &s->ic : NULL, s->st);
        boot_result_free(&r);
        return 0;
}

static char *first_line_of(char *const *argv)
{
        _cleanup_free_ char *out = NULL, *err = NULL;
        if (run_capture(argv, &out, &err) != 0)
                return strdup("unknown");
        out[strcspn(out, "\n")] = '\0';
        return strdup(out);
}

static char *cpu_model(void)
{
        _cleanup_free_ char *info = NULL;
        if (read_full_file("/proc/cpuinfo", &info, NULL) < 0)
                return strdup("unknown");
        char *m = strstr(info, "model name");
        if (!m || !(m = strchr(m, ':')))
                return strdup("unknown");
        m += 2;
        return strndup(m, strcspn(m, "\n"));
}

static void summarize_variant(struct variant *v)
{
        double *x = calloc(v->n + 1, sizeof *x);
        for (int s = 0; s < N_STAGES && x; s++) {
                size_t k = 0;
                for (size_t i = 0; i < v->n; i++)
                        if (!isnan(v->samples[i].st[s]))
                                x[k++] = v->samples[i].st[s];
                v->has[s] = k > 0;
                if (k)
                        summarize(x, k, &v->sum[s]);
        }
        free(x);
}

static void stage_values(const struct variant *v, enum stage s, double **ret, size_t *ret_n)
{
        double *x = calloc(v->n + 1, sizeof *x);
        size_t k = 0;
        for (size_t i = 0; x && i < v->n; i++)
                if (!isnan(v->samples[i].st[s]))
                        x[k++] = v->samples[i].st[s];
        *ret = x;
        *ret_n = k;
}

/* Per-initcall medians, keyed by (name, module, occurrence). */
struct ic_key {
        const char *name, *module;
        unsigned occ;
        double med_a, med_b; /* ms; NAN when absent */
};

static double initcall_median(const struct variant *v, const char *name, const char *module, unsigned occ)
{
        double *x = calloc(v->n + 1, sizeof *x);
        size_t k = 0;
        for (size_t i = 0; x && i < v->n; i++) {
                ssize_t j = initcall_find(&v->samples[i].ic, name, module, occ);
                if (j >= 0)
                        x[k++] = (double)v->samples[i].ic.calls[j].usecs / 1000.0;
        }
        struct summary s = { 0 };
        double m = k ? (summarize(x, k, &s), s.median) : NAN;
        free(x);
        return m;
}

static void collect_keys(const struct variant *v, struct ic_key **keys, size_t *n)
{
        for (size_t i = 0; i < v->n; i++) {
                const struct initcall_log *l = &v->samples[i].ic;
                for (size_t j = 0; j < l->n; j++) {
                        const struct initcall *c = &l->calls[j];
                        bool seen = false;
                        for (size_t k = 0; k < *n && !seen; k++)
                                seen = (*keys)[k].occ == c->occurrence && streq((*keys)[k].name, c->name) &&
                                       streq((*keys)[k].module, c->module);
                        if (seen)
                                continue;
                        struct ic_key *nk = realloc(*keys, (*n + 1) * sizeof *nk);
                        if (!nk)
                                return;
                        *keys = nk;
                        nk[(*n)++] = (struct ic_key){ c->name, c->module, c->occurrence, NAN, NAN };
                }
        }
}

static double absdiff(const struct ic_key *k)
{
        double a = isnan(k->med_a) ? 0 : k->med_a, b = isnan(k->med_b) ? 0 : k->med_b;
        return fabs(b - a);
}

static int by_absdiff(const void *x, const void *y)
{
        double a = absdiff(x), b = absdiff(y);
        return (b > a) - (b < a);
}

static int by_med_a(const void *x, const void *y)
{
        const struct ic_key *a = x, *b = y;
        return (b->med_a > a->med_a) - (b->med_a < a->med_a);
}

static json_object *num_or_null(double v)
{
        return isnan(v) ? NULL : json_object_new_double(round(v * 1000) / 1000);
}

static json_object *summary_json(const struct summary *s)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "median", num_or_null(s->median));
        json_object_object_add(o, "mean", num_or_null(s->mean));
        json_object_object_add(o, "sd", num_or_null(s->sd));
        json_object_object_add(o, "min", num_or_null(s->min));
        json_object_object_add(o, "max", num_or_null(s->max));
        return o;
}

/* Count a failed boot under its reason; true when the reason is new (worth printing now). */
static bool note_failure(struct variant *v, char *why)
{
        for (size_t k = 0; k < v->n_reasons; k++)
                if (streq(v->reasons[k].text, why)) {
                        v->reasons[k].count++;
                        free(why);
                        return false;
                }
        struct failure_reason *r = realloc(v->reasons, (v->n_reasons + 1) * sizeof *r);
        if (!r) {
                free(why);
                return false;
        }
        v->reasons = r;
        r[v->n_reasons++] = (struct failure_reason){ why, 1 };
        return true;
}

/* Did KVM end this variant's failed boots (so that --accel tcg is the advice)? */
static bool variant_accel_suspect(const struct variant *v)
{
        for (size_t k = 0; k < v->n_reasons; k++)
                if (strstr(v->reasons[k].text, "KVM ended the boot"))
                        return true;
        return false;
}

/* One line per variant with failures: how many, and each distinct reason once with its count. */
static void print_failures(const struct variant *v)
{
        if (!v->n_reasons)
                return;
        size_t failed = 0;
        for (size_t k = 0; k < v->n_reasons; k++)
                failed += v->reasons[k].count;
        printf("%s: %zu of %zu boots failed%s:", v->name, failed, v->tried, v->n ? "" : " (no successful boot)");
        for (size_t k = 0; k < v->n_reasons; k++)
                printf("%s %zux %s", k ? ";" : "", v->reasons[k].count, v->reasons[k].text);
        printf("%s\n", variant_accel_suspect(v) ? "; KVM ended them: try --accel tcg" : "");
}

struct report {
        const struct bench_request *q;
        const struct accel_choice *accel;
        char *qemu, *cpu;
        struct variant *v;
        size_t nv;
        struct comparison cmp[N_STAGES];
        char *verdict[N_STAGES];
        struct ic_key *keys;
        size_t nkeys;
};

static int write_json(const struct report *rp, const char *path)
{
        json_object *o = json_object_new_object(), *h = json_object_new_object();
        json_object_object_add(h, "accel", json_object_new_string(accel_name(rp->accel->accel)));
        json_object_object_add(h, "accel_reason", json_object_new_string(rp->accel->reason));
        json_object_object_add(h, "qemu", json_object_new_string(rp->qemu));
        json_object_object_add(h, "cpu", json_object_new_string(rp->cpu));
        json_object_object_add(h, "smp", json_object_new_int(1));
        json_object_object_add(h, "memory_mb", json_object_new_int(rp->q->memory_mb));
        json_object_object_add(o, "host", h);
        json_object *vs = json_object_new_array();
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                json_object *j = json_object_new_object(), *st = json_object_new_object();
                json_object_object_add(j, "name", json_object_new_string(v->name));
                json_object_object_add(j, "appliance", json_object_new_string(v->appliance));
                json_object_object_add(j, "kernel", json_object_new_string(v->kernel));
                json_object_object_add(j, "append", json_object_new_string(v->append ? v->append : ""));
                json_object_object_add(j, "runs", json_object_new_int((int)v->n));
                json_object_object_add(j, "failed", json_object_new_int((int)v->failed));
                json_object *fl = json_object_new_array();
                for (size_t k = 0; k < v->n_reasons; k++) {
                        json_object *e = json_object_new_object();
                        json_object_object_add(e, "reason", json_object_new_string(v->reasons[k].text));
                        json_object_object_add(e, "count", json_object_new_int((int)v->reasons[k].count));
                        json_object_array_add(fl, e);
                }
                json_object_object_add(j, "failures", fl);
                for (int s = 0; s < N_STAGES; s++)
                        if (v->has[s])
                                json_object_object_add(st, stage_names[s], summary_json(&v->sum[s]));
                json_object_object_add(j, "stages", st);
                /* Initcalls: count (median over boots) and the slowest by median. */
                json_object *ic = json_object_new_object(), *top = json_object_new_array();
                double *counts = calloc(v->n + 1, sizeof *counts);
                for (size_t k = 0; counts && k < v->n; k++)
                        counts[k] = (double)v->samples[k].ic.n;
                struct summary cs = { 0 };
                if (counts && v->n)
                        summarize(counts, v->n, &cs);
                free(counts);
                json_object_object_add(ic, "count", json_object_new_int((int)cs.median));
                struct ic_key *keys = NULL;
                size_t nk = 0;
                collect_keys(v, &keys, &nk);
                for (size_t k = 0; k < nk; k++)
                        keys[k].med_a = initcall_median(v, keys[k].name, keys[k].module, keys[k].occ);
                qsort(keys, nk, sizeof *keys, by_med_a);
                for (size_t k = 0; k < nk && k < 20; k++) {
                        json_object *e = json_object_new_object();
                        json_object_object_add(e, "name", json_object_new_string(keys[k].name));
                        json_object_object_add(e, "module", json_object_new_string(keys[k].module));
                        json_object_object_add(e, "median", num_or_null(keys[k].med_a));
                        json_object_array_add(top, e);
                }
                free(keys);
                json_object_object_add(ic, "top", top);
                json_object_object_add(j, "initcalls", ic);
                json_object *samples = json_object_new_array();
                for (size_t k = 0; k < v->n; k++) {
                        json_object *e = json_object_new_object();
                        for (int s = 0; s < N_STAGES; s++)
                                if (v->has[s])
                                        json_object_object_add(e, stage_names[s], num_or_null(v->samples[k].st[s]));
                        json_object_array_add(samples, e);
                }
                json_object_object_add(j, "samples", samples);
                json_object_array_add(vs, j);
        }
        json_object_object_add(o, "variants", vs);
        if (rp->nv == 2) {
                json_object *c = json_object_new_object();
                for (int s = 0; s < N_STAGES; s++) {
                        if (!rp->verdict[s])
                                continue;
                        const struct comparison *m = &rp->cmp[s];
                        json_object *e = json_object_new_object(), *ci = json_object_new_array();
                        json_object_object_add(e, "ratio", num_or_null(m->ratio));
                        json_object_object_add(e, "diff", num_or_null(m->diff));
                        json_object_array_add(ci, num_or_null(m->ci_lo));
                        json_object_array_add(ci, num_or_null(m->ci_hi));
                        json_object_object_add(e, "ci95", ci);
                        json_object_object_add(e, "p_value", isnan(m->p_value) ? NULL : json_object_new_double(m->p_value));
                        json_object_object_add(e, "verdict", json_object_new_string(rp->verdict[s]));
                        json_object_object_add(c, stage_names[s], e);
                }
                json_object *d = json_object_new_array();
                for (size_t k = 0; k < rp->nkeys; k++) {
                        const struct ic_key *key = &rp->keys[k];
                        json_object *e = json_object_new_object();
                        json_object_object_add(e, "name", json_object_new_string(key->name));
                        json_object_object_add(e, "module", json_object_new_string(key->module));
                        json_object_object_add(e, "a", num_or_null(key->med_a));
                        json_object_object_add(e, "b", num_or_null(key->med_b));
                        json_object_object_add(e, "diff", num_or_null((isnan(key->med_b) ? 0 : key->med_b) -
                                                                      (isnan(key->med_a) ? 0 : key->med_a)));
                        json_object_array_add(d, e);
                }
                json_object_object_add(c, "initcall_diff", d);
                json_object_object_add(o, "comparison", c);
        }
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        json_object_put(o);
        return r;
}

/* Is stage s measured in at least one variant (a row worth printing)? */
static bool any_variant_has(const struct report *rp, int s)
{
        for (size_t i = 0; i < rp->nv; i++)
                if (rp->v[i].has[s])
                        return true;
        return false;
}

static void print_report(const struct report *rp)
{
        printf("\nhost: accel %s, %s, CPU %s, %d MiB, smp 1\n", accel_name(rp->accel->accel), rp->qemu, rp->cpu,
               rp->q->memory_mb);
        printf("accel: %s\n", rp->accel->reason);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                printf("%s: %s (kernel %s)%s%s%s; %zu runs", v->name, v->appliance, v->kernel,
                       v->append ? ", append: " : "", v->append ? v->append : "",
                       rp->q->collection_cost ? (v->collect ? ", with initcall collection" : ", without collection") : "",
                       v->n);
                if (v->failed)
                        printf(", %zu FAILED", v->failed);
                printf("\n");
        }
        for (size_t i = 0; i < rp->nv; i++)
                print_failures(&rp->v[i]);
        printf("\n%-10s", "stage (ms)");
        for (size_t i = 0; i < rp->nv; i++)
                printf(" %9s %7s %9s", rp->v[i].name, "sd", "min-max");
        if (rp->nv == 2)
                printf(" %6s %8s %19s %9s", "B/A", "diff", "95% CI", "p");
        printf("\n");
        for (int s = 0; s < N_STAGES; s++) {
                if (!any_variant_has(rp, s))
                        continue;
                printf("%-10s", stage_names[s]);
                for (size_t i = 0; i < rp->nv; i++) {
                        const struct summary *m = &rp->v[i].sum[s];
                        if (!rp->v[i].has[s]) {
                                printf(" %9s %7s %9s", "-", "", "");
                                continue;
                        }
                        char range[32];
                        snprintf(range, sizeof range, "%.0f-%.0f", m->min, m->max);
                        printf(" %9.1f %7.1f %9s", m->median, m->sd, range);
                }
                if (rp->nv == 2 && rp->verdict[s]) {
                        struct comparison c = rp->cmp[s];
                        char p[32], ci[48];
                        format_p(c.p_value, p, sizeof p);
                        snprintf(ci, sizeof ci, "[%.1f, %.1f]", c.ci_lo, c.ci_hi);
                        printf(" %6.3f %8.1f %19s %9s", c.ratio, c.diff, ci, p + 2);
                }
                printf("\n");
        }
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (v->has[ST_INITCALLS])
                        printf("%s: %zu initcalls in the median boot's log, total %.1f ms (median)\n", v->name,
                               v->n ? v->samples[0].ic.n : 0, v->sum[ST_INITCALLS].median);
        }
        if (rp->nv == 2) {
                size_t dropped = 0, added = 0;
                for (size_t k = 0; k < rp->nkeys; k++) {
                        dropped += isnan(rp->keys[k].med_b);
                        added += isnan(rp->keys[k].med_a);
                }
                if (rp->nkeys) {
                        printf("\ninitcall diff (B vs A): %zu dropped, %zu added; largest changes:\n", dropped, added);
                        for (size_t k = 0; k < rp->nkeys && k < 12; k++) {
                                const struct ic_key *key = &rp->keys[k];
                                char a[24] = "-", b[24] = "-";
                                if (!isnan(key->med_a))
                                        snprintf(a, sizeof a, "%.2f ms", key->med_a);
                                if (!isnan(key->med_b))
                                        snprintf(b, sizeof b, "%.2f ms", key->med_b);
                                printf("  %-40.40s %-12.12s %11s -> %11s  %s\n", key->name, key->module, a, b,
                                       isnan(key->med_b) ? "dropped" : isnan(key->med_a) ? "added" : "");
                        }
                }
                if (!rp->verdict[ST_TOTAL]) {
                        printf("\nverdict: none (a variant has no successful boots)\n");
                        return;
                }
                printf("\nverdict (total): %s\n", rp->verdict[ST_TOTAL]);
                if (rp->verdict[ST_INITCALLS])
                        printf("verdict (initcalls): %s; B/A = %.3f\n", rp->verdict[ST_INITCALLS], rp->cmp[ST_INITCALLS].ratio);
                printf("(Welch's t-test on means; significant at p < %.2f; ratio of medians)\n", STATS_ALPHA);
        }
}

/* The boot whose total is closest to the median: the one drawn in the report. */
static const struct sample *median_sample(const struct variant *v)
{
        const struct sample *best = NULL;
        for (size_t i = 0; i < v->n; i++)
                if (!best || fabs(v->samples[i].st[ST_TOTAL] - v->sum[ST_TOTAL].median) <
                                     fabs(best->st[ST_TOTAL] - v->sum[ST_TOTAL].median))
                        best = &v->samples[i];
        return best;
}

static void html_summary_table(FILE *f, const struct report *rp)
{
        fputs("<table><tr><th>stage (ms)</th>", f);
        for (size_t i = 0; i < rp->nv; i++)
                fprintf(f, "<th>%s median</th><th>mean</th><th>sd</th><th>min</th><th>max</th>", rp->v[i].name);
        if (rp->nv == 2)
                fputs("<th>B/A</th><th>diff</th><th>95% CI</th><th>p</th>", f);
        fputs("</tr>\n", f);
        for (int s = 0; s < N_STAGES; s++) {
                if (!any_variant_has(rp, s))
                        continue;
                fprintf(f, "<tr><td>%s</td>", stage_names[s]);
                for (size_t i = 0; i < rp->nv; i++) {
                        const struct summary *m = &rp->v[i].sum[s];
                        if (rp->v[i].has[s])
                                fprintf(f, "<td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>", m->median,
                                        m->mean, m->sd, m->min, m->max);
                        else
                                fputs("<td>-</td><td></td><td></td><td></td><td></td>", f);
                }
                if (rp->nv == 2 && rp->verdict[s]) {
                        char p[32];
                        format_p(rp->cmp[s].p_value, p, sizeof p);
                        fprintf(f, "<td>%.3f</td><td>%.1f</td><td>[%.1f, %.1f]</td><td>%s</td>", rp->cmp[s].ratio,
                                rp->cmp[s].diff, rp->cmp[s].ci_lo, rp->cmp[s].ci_hi, p + 2);
                }
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

static int write_html(const struct report *rp, const char *path)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        FILE *f = fopen(tmp, "we");
        if (!f)
                return -errno;
        fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>leanboot bench</title>\n<style>"
              "body{font-family:sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:1em 0}"
              "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
              ".verdict{font-size:1.3em;font-weight:bold}.note{color:#555}"
              ".failed{border:2px solid #b00;background:#fee;padding:.8em;margin:1em 0}</style></head><body>\n", f);
        fputs("<h1>leanboot bench</h1>\n<p class=\"note\">", f);
        fprintf(f, "accel <b>%s</b> (", accel_name(rp->accel->accel));
        xml_escape(f, rp->accel->reason);
        fputs("), ", f);
        xml_escape(f, rp->qemu);
        fputs(", CPU ", f);
        xml_escape(f, rp->cpu);
        fprintf(f, ", %d MiB, smp 1; %d runs per variant after %d warm-up, interleaved in A B / B A blocks of random order.</p>\n<ul>",
                rp->q->memory_mb, rp->q->runs, rp->q->warmup);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                fprintf(f, "<li><b>%s</b>: ", v->name);
                xml_escape(f, v->appliance);
                fputs(" (kernel ", f);
                xml_escape(f, v->kernel);
                fputs(")", f);
                if (v->append) {
                        fputs(", append <code>", f);
                        xml_escape(f, v->append);
                        fputs("</code>", f);
                }
                fprintf(f, "; %zu boots%s</li>\n", v->n, v->failed ? ", some FAILED" : "");
                for (size_t k = 0; k < v->n_reasons; k++) {
                        fprintf(f, "<li class=\"note\">%zu failed boot%s: ", v->reasons[k].count,
                                v->reasons[k].count == 1 ? "" : "s");
                        xml_escape(f, v->reasons[k].text);
                        fputs("</li>\n", f);
                }
        }
        fputs("</ul>\n", f);
        bool all_ok = true;
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (v->n > 0)
                        continue;
                all_ok = false;
                fprintf(f, "<div class=\"failed\"><b>%s: no successful boots</b> (%zu tried).", v->name, v->tried);
                if (variant_accel_suspect(v))
                        fputs(" KVM ended them: rerun with <code>--accel tcg</code>.", f);
                fputs("</div>\n", f);
        }
        if (!all_ok) {
                fputs("<p class=\"note\">No statistics, chart or comparison without successful boots.</p></body></html>\n", f);
                if (fclose(f) != 0 || rename(tmp, path) < 0)
                        return -errno;
                return 0;
        }
        if (rp->nv == 2) {
                fputs("<p class=\"verdict\">total: ", f);
                xml_escape(f, rp->verdict[ST_TOTAL]);
                fputs("</p>\n", f);
                if (rp->verdict[ST_INITCALLS]) {
                        fputs("<p class=\"verdict\">initcalls: ", f);
                        xml_escape(f, rp->verdict[ST_INITCALLS]);
                        fprintf(f, " (B/A = %.3f)</p>\n", rp->cmp[ST_INITCALLS].ratio);
                }
                fprintf(f, "<p class=\"note\">Welch's t-test on means, significant at p &lt; %.2f; ratios are of medians.</p>\n",
                        STATS_ALPHA);
        }
        fputs("<h2>Boot chart (median boot of each variant)</h2>\n", f);
        const char *names[2];
        double ms[2 * ARRAY_SIZE(timeline)];
        const char *tl_names[ARRAY_SIZE(timeline)];
        for (size_t s = 0; s < ARRAY_SIZE(timeline); s++)
                tl_names[s] = stage_names[timeline[s]];
        for (size_t i = 0; i < rp->nv; i++) {
                const struct sample *m = median_sample(&rp->v[i]);
                names[i] = rp->v[i].name;
                for (size_t s = 0; s < ARRAY_SIZE(timeline); s++)
                        ms[i * ARRAY_SIZE(timeline) + s] = m ? m->st[timeline[s]] : NAN;
        }
        svg_stages(f, names, rp->nv, tl_names, ARRAY_SIZE(timeline), ms, 1200);
        fputs("<p class=\"note\">firmware = host arrival of the init's first marker minus the guest's own clock at it "
              "(time before the kernel ran); kernel = kernel start to the first userspace program; initrd = supermin's "
              "mini-init; init = the lean init up to the payload.</p>\n", f);
        fputs("<h2>Stages</h2>\n", f);
        html_summary_table(f, rp);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct sample *m = median_sample(&rp->v[i]);
                if (!m || !m->ic.n)
                        continue;
                fprintf(f, "<h2>Initcall timeline, %s (median boot: %zu initcalls, %.1f ms)</h2>\n", rp->v[i].name,
                        m->ic.n, (double)initcall_total_us(&m->ic) / 1000);
                svg_initcalls(f, &m->ic, initcall_total_us(&m->ic) / 400, 1200);
        }
        if (rp->nv == 2 && rp->nkeys) {
                fputs("<h2>Initcall diff (medians over boots; B dropped, added, slower, faster)</h2>\n<table>"
                      "<tr><th>initcall</th><th>module</th><th>A ms</th><th>B ms</th><th>B - A</th><th></th></tr>\n", f);
                for (size_t k = 0; k < rp->nkeys && k < 60; k++) {
                        const struct ic_key *key = &rp->keys[k];
                        fputs("<tr><td>", f);
                        xml_escape(f, key->name);
                        fputs("</td><td>", f);
                        xml_escape(f, key->module);
                        double a = isnan(key->med_a) ? 0 : key->med_a, b = isnan(key->med_b) ? 0 : key->med_b;
                        fprintf(f, "</td><td>%s%.3f</td><td>%s%.3f</td><td>%+.3f</td><td>%s</td></tr>\n",
                                isnan(key->med_a) ? "- " : "", a, isnan(key->med_b) ? "- " : "", b, b - a,
                                isnan(key->med_b) ? "dropped" : isnan(key->med_a) ? "added" : b > a ? "slower" : "faster");
                }
                fputs("</table>\n", f);
        }
        fputs("</body></html>\n", f);
        if (fclose(f) != 0 || rename(tmp, path) < 0)
                return -errno;
        return 0;
}

static void progress(bool tty, size_t done, size_t total, double t0, const char *what)
{
        if (!tty)
                return;
        double el = mono_s() - t0;
        double eta = done ? el / (double)done * (double)(total - done) : 0;
        fprintf(stderr, "\r\033[K[%zu/%zu] %s, elapsed %.0f s, ETA %dm%02ds", done, total, what, el, (int)eta / 60,
                (int)eta % 60);
        if (done == total)
                fputc('\n', stderr);
}

/* The kernel command line of a variant's boots: its --append, then, when collecting, the
 * initcall records kept in a ring buffer of log_buf_len bytes and where the init writes them. */
static int variant_set_cmdline(struct variant *v, unsigned log_buf_len)
{
        _cleanup_free_ char *full = NULL, *collect = NULL;
        if (v->collect && asprintf(&collect, "initcall_debug log_buf_len=%uK " CMDLINE_COLLECT "=root@%" PRIu64,
                                   log_buf_len >> 10, v->root_size) < 0)
                return -ENOMEM;
        const char *append = v->append;
        if (asprintf(&full, "%s%s%s", append ? append : "", append && collect ? " " : "", collect ? collect : "") < 0)
                return -ENOMEM;
        char *payload[] = { "true", NULL };
        char *cmdline = run_cmdline(v->appliance, false, full, payload);
        if (!cmdline)
                return -EINVAL;
        free(v->cmdline);
        v->cmdline = cmdline;
        v->log_buf_len = log_buf_len;
        return 0;
}

/* After the warm-up: twice the largest log seen, a power of two, at least LOG_BUF_MIN. */
static void variant_size_log_buffer(struct variant *v)
{
        if (!v->collect || v->log_bytes_max == 0)
                return; /* no warm-up log: keep the warm-up size */
        unsigned want = LOG_BUF_MIN;
        while (want < 2 * v->log_bytes_max && want < LOG_BUF_WARMUP)
                want <<= 1;
        if (want == v->log_buf_len || variant_set_cmdline(v, want) < 0)
                return;
        log_info("bench: %s's kernel log is %zu KB: log_buf_len=%uK for the timed boots", v->name,
                 (v->log_bytes_max + 1023) / 1024, want >> 10);
}

static int setup_variant(struct variant *v, const char *name, const char *dir, const char *append, bool initcalls)
{
        *v = (struct variant){ .name = name, .appliance = dir };
        const char *missing = NULL;
        if (appliance_check(dir, &missing) < 0)
                return log_error("bench: variant %s: '%s' is not a leanboot appliance (no %s)", name, dir,
                                 missing ? missing : "manifest.json"), -EINVAL;
        struct manifest m;
        if (manifest_load(dir, &m) == 0) {
                if (asprintf(&v->kernel, "%s %s", m.kernel_version, m.kernel_origin ? m.kernel_origin : "") < 0)
                        v->kernel = NULL;
                manifest_free(&m);
        }
        if (!v->kernel)
                v->kernel = strdup("unknown");
        v->append = append && *append ? strdup(append) : NULL;
        _cleanup_free_ char *root = path_join(dir, "root"), *abs_root = root ? realpath(root, NULL) : NULL;
        struct stat st;
        if (!abs_root || stat(abs_root, &st) < 0)
                return log_error("bench: variant %s: cannot read %s/root", name, dir), -EINVAL;
        v->root_size = ((uint64_t)st.st_size + 4095) & ~(uint64_t)4095; /* the init writes in 4 KiB blocks */
        v->collect = initcalls;
        int r = variant_set_cmdline(v, LOG_BUF_WARMUP);
        if (r < 0)
                return r;
        /* Every bench boot, with or without collection, boots the same kind of root: a qcow2
         * overlay with a 16 MiB tail (see qcow2.h). */
        char tmpl[] = "/tmp/leanboot-overlay-XXXXXX";
        if (!mkdtemp(tmpl))
                return log_error_errno(-errno, "bench: cannot create a directory for the root overlay");
        v->overlay_dir = strdup(tmpl);
        v->overlay_template = path_join(tmpl, "template.qcow2");
        v->overlay = path_join(tmpl, "boot.qcow2");
        if (!v->overlay_dir || !v->overlay_template || !v->overlay)
                return -ENOMEM;
        _cleanup_free_ char *err = NULL;
        r = qcow2_create_overlay(abs_root, v->root_size + DATA_TAIL_BYTES, v->overlay_template, &err);
        if (r < 0)
                return log_error("bench: variant %s: %s", name, err ? err : strerror(-r)), r;
        return 0;
}

static void variant_free(struct variant *v)
{
        for (size_t i = 0; i < v->n; i++)
                initcall_log_free(&v->samples[i].ic);
        free(v->samples);
        for (size_t k = 0; k < v->n_reasons; k++)
                free(v->reasons[k].text);
        free(v->reasons);
        if (v->overlay_dir)
                rm_rf(v->overlay_dir);
        free(v->overlay_dir);
        free(v->overlay_template);
        free(v->overlay);
        free(v->append);
        free(v->cmdline);
        free(v->kernel);
}

/* --peer libguestfs: A is libguestfs with its own appliance, B with the given fixed appliance. */
static int setup_peer(struct variant v[2], const char *appliance)
{
        if (!peer_libguestfs_available())
                return log_error("bench: --peer libguestfs: leanboot was built without libguestfs "
                                 "(apt-get install libguestfs-dev, then rebuild)"), -EINVAL;
        _cleanup_free_ char *fixed = path_join(appliance, "README.fixed");
        if (!fixed || access(fixed, R_OK) < 0)
                return log_error("bench: '%s' is not a libguestfs fixed appliance (no README.fixed; build one "
                                 "with leanboot build --from-supermin-d libguestfs -o DIR)", appliance), -EINVAL;
        v[0] = (struct variant){ .name = "A", .appliance = "libguestfs (its own appliance)", .peer = true,
                                 .kernel = strdup("libguestfs's choice (supermin)") };
        v[1] = (struct variant){ .name = "B", .appliance = appliance, .peer = true, .guestfs_path = appliance };
        struct manifest m;
        if (manifest_load(appliance, &m) == 0) {
                if (asprintf(&v[1].kernel, "%s %s", m.kernel_version, m.kernel_origin ? m.kernel_origin : "") < 0)
                        v[1].kernel = NULL;
                manifest_free(&m);
        }
        if (!v[1].kernel)
                v[1].kernel = strdup("unknown");
        return 0;
}

/* A variant whose first boots all failed will not get better: the bench stops there instead
 * of failing every remaining boot (each may wait for the timeout). */
#define HOPELESS_AFTER 3

static bool variant_hopeless(const struct variant *v)
{
        size_t failed = 0;
        for (size_t k = 0; k < v->n_reasons; k++)
                failed += v->reasons[k].count;
        return v->tried >= HOPELESS_AFTER && failed == v->tried;
}

/* boot_once, counted: a failure's reason is printed the first time it is seen, then counted. */
static int bench_boot(struct variant *v, const struct bench_request *q, struct accel_choice *accel,
                      struct sample *s, const char *what)
{
        char *why = NULL;
        v->tried++;
        if (boot_once(v, q, accel, s, &why) == 0) {
                free(why);
                return 0;
        }
        if (!why)
                why = strdup("unknown failure");
        _cleanup_free_ char *shown = why ? strdup(why) : NULL;
        if (why && note_failure(v, why))
                log_warn("%s failed: %s (more boots failing this way are counted, not shown)", what, shown);
        return -1;
}

/* One unpredictable bit for the run order (getrandom; the clock if that fails). */
static bool random_bit(void)
{
        unsigned char b;
        if (getrandom(&b, 1, GRND_NONBLOCK) == 1)
                return b & 1;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (ts.tv_nsec >> 10) & 1;
}

int bench_run(const struct bench_request *q)
{
        struct variant v[2];
        size_t nv = q->b || q->append_b || q->peer || q->collection_cost ? 2 : 1;
        memset(v, 0, sizeof v);
        int r = q->peer ? setup_peer(v, q->a)
                        : setup_variant(&v[0], "A", q->a, q->append_a, q->initcalls && !q->collection_cost);
        if (r >= 0 && nv == 2 && !q->peer) {
                _cleanup_free_ char *app_b = NULL;
                /* B without its own directory is A with extra arguments (after A's own). */
                if (!q->b && asprintf(&app_b, "%s%s%s", q->append_a ? q->append_a : "",
                                      q->append_a ? " " : "", q->append_b) < 0)
                        r = -ENOMEM;
                if (r >= 0 && q->collection_cost)
                        r = setup_variant(&v[1], "B", q->a, q->append_a, true);
                else if (r >= 0)
                        r = setup_variant(&v[1], "B", q->b ? q->b : q->a, q->b ? q->append_b : app_b, q->initcalls);
        }
        if (r < 0) {
                for (size_t i = 0; i < nv; i++)
                        variant_free(&v[i]);
                return 2;
        }
        /* Both sides of --peer libguestfs get the accelerator leanboot's own boots would. */
        struct accel_choice accel;
        if (accel_resolve_verbose(q->accel, &accel) < 0) {
                for (size_t i = 0; i < nv; i++)
                        variant_free(&v[i]);
                return 1;
        }
        bool tty = isatty(STDERR_FILENO);
        for (size_t i = 0; i < nv; i++)
                v[i].samples = calloc((size_t)q->runs, sizeof *v[i].samples);

        /* Warm-up boots (page cache, QEMU's own start-up) are not timed. */
        double t0 = mono_s();
        size_t total = (size_t)(q->warmup + q->runs) * nv, done = 0;
        bool hopeless = false;
        for (int w = 0; w < q->warmup && !hopeless; w++)
                for (size_t i = 0; i < nv && !hopeless; i++) {
                        struct sample s;
                        if (bench_boot(&v[i], q, &accel, &s, "warm-up") == 0)
                                initcall_log_free(&s.ic);
                        hopeless = variant_hopeless(&v[i]);
                        progress(tty, ++done, total, t0, "warm-up");
                }
        for (size_t i = 0; i < nv; i++)
                variant_size_log_buffer(&v[i]);
        /* Rounds come in blocks of two, A B then B A or B A then A B, the block's order drawn at
         * random.  Alternating, whatever favours the second boot of a pair (caches warmed by the
         * first) falls on both variants alike (A/A runs showed B, always second, about 3% faster
         * when the order was fixed).  Drawn, the pattern cannot lock onto periodic load on the
         * host: with a fixed A B B A A B..., A/A benches here gave p < 0.01 in 2 of 6, one
         * variant slow on nearly every run within a bench, which one changing between benches. */
        bool flip = false;
        /* KVM can fail a boot after the verdict said it works; then the rest run under TCG, and
         * timed boots from before the change cannot be compared with those after it. */
        enum accel timed_accel = accel.accel;
        size_t timed_before_change = 0;
        for (int k = 0; k < q->runs && !hopeless; k++)
                for (size_t j = 0; j < nv && !hopeless; j++) {
                        if (k % 2 == 0 && j == 0)
                                flip = random_bit();
                        size_t i = (k % 2 != 0) != flip ? nv - 1 - j : j;
                        char what[64];
                        snprintf(what, sizeof what, "%s run %d", v[i].name, k + 1);
                        v[i].run_no = k + 1;
                        if (accel.accel == timed_accel)
                                timed_before_change = v[0].n + (nv == 2 ? v[1].n : 0);
                        if (bench_boot(&v[i], q, &accel, &v[i].samples[v[i].n], what) == 0)
                                v[i].n++;
                        else
                                v[i].failed++;
                        hopeless = variant_hopeless(&v[i]);
                        progress(tty, ++done, total, t0, what);
                }
        if (hopeless)
                log_error("bench: stopped early: the first %d boots of a variant all failed", HOPELESS_AFTER);

        struct report rp = { .q = q, .accel = &accel, .v = v, .nv = nv };
        char *qv[] = { (char *)qemu_binary(), "--version", NULL };
        rp.qemu = first_line_of(qv);
        rp.cpu = cpu_model();
        for (size_t i = 0; i < nv; i++)
                summarize_variant(&v[i]);
        if (nv == 2 && v[0].n && v[1].n) {
                for (int s = 0; s < N_STAGES; s++) {
                        if (!v[0].has[s] || !v[1].has[s])
                                continue;
                        double *a, *b;
                        size_t na, nb;
                        stage_values(&v[0], s, &a, &na);
                        stage_values(&v[1], s, &b, &nb);
                        if (a && b && compare_welch(a, na, b, nb, &rp.cmp[s]) == 0)
                                rp.verdict[s] = verdict_text(&rp.cmp[s], v[0].sum[s].mean, "ms");
                        free(a);
                        free(b);
                }
                collect_keys(&v[0], &rp.keys, &rp.nkeys);
                collect_keys(&v[1], &rp.keys, &rp.nkeys);
                for (size_t k = 0; k < rp.nkeys; k++) {
                        rp.keys[k].med_a = initcall_median(&v[0], rp.keys[k].name, rp.keys[k].module, rp.keys[k].occ);
                        rp.keys[k].med_b = initcall_median(&v[1], rp.keys[k].name, rp.keys[k].module, rp.keys[k].occ);
                }
                qsort(rp.keys, rp.nkeys, sizeof *rp.keys, by_absdiff);
        }
        print_report(&rp);
        int status = 0;
        if (q->json && (r = write_json(&rp, q->json)) < 0)
                status = 1, log_error_errno(r, "bench: cannot write %s", q->json);
        if (q->html && (r = write_html(&rp, q->html)) < 0)
                status = 1, log_error_errno(r, "bench: cannot write %s", q->html);
        else if (q->html)
                printf("report: %s\n", q->html);
        if (accel.accel != timed_accel && timed_before_change > 0)
                status = 1, log_error("bench: the accelerator changed from %s to %s during the timed boots (%s), "
                                      "after %zu of them: the samples mix the two; run the bench again",
                                      accel_name(timed_accel), accel_name(accel.accel), accel.reason,
                                      timed_before_change);
        for (size_t i = 0; i < nv; i++)
                if (v[i].n == 0)
                        status = 1, log_error("bench: variant %s has no successful boot%s", v[i].name,
                                              variant_accel_suspect(&v[i]) ? " (KVM ended them: try --accel tcg)" : "");
        accel_choice_done(&accel);
        for (int s = 0; s < N_STAGES; s++)
                free(rp.verdict[s]);
        free(rp.keys);
        free(rp.qemu);
        free(rp.cpu);
        for (size_t i = 0; i < nv; i++)
                variant_free(&v[i]);
        return status;
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot bench A [B] [--runs N] [--warmup W] [--append-a ARGS] [--append-b ARGS]\n"
                "                      [--json FILE] [--html FILE] [--timeout SEC] [--memory MB] [--no-initcalls]\n"
                "                      [--accel auto|kvm|tcg]\n"
                "       leanboot bench A --collection-cost [--runs N] ...\n"
                "       (any of them: --logs DIR keeps each timed boot's kernel log as DIR/A-01.log ...)\n"
                "       leanboot bench --peer libguestfs [APPLIANCE] [--runs N] [--warmup W] [--json F] [--html F]\n"
                "                      [--accel auto|kvm|tcg]\n"
                "Boot appliance A (and B) --runs times each (default 10) after --warmup untimed boots\n"
                "(default 1), interleaved in A B / B A blocks of random order, and report per-stage\n"
                "median, mean, sd, min and max.\n"
                "With B (or --append-b alone: B is A with extra kernel arguments) it compares them:\n"
                "ratio of medians, difference of means with a 95%% confidence interval, Welch's p-value\n"
                "and a verdict, plus which initcalls B dropped, added, or made slower or faster.\n"
                "Initcall records come from the ring buffer (initcall_debug), copied by the init to a\n"
                "tail of the boot's root overlay after the payload; --no-initcalls leaves that out.\n"
                "--collection-cost measures what that collection costs: B is A with it, A without.\n"
                "--peer libguestfs [APPLIANCE]: A is libguestfs launch + shutdown with its own appliance,\n"
                "B the same with APPLIANCE (a fixed appliance from build --from-supermin-d; built into\n"
                "the cache when omitted), through libguestfs's C API, direct backend.\n"
                "--accel: auto (default) uses KVM only where a KVM guest has been seen to run on this\n"
                "host, else TCG, and says why; both sides of --peer get the same (libguestfs's\n"
                "force_tcg or force_kvm setting).\n");
}

int cmd_bench(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "runs", required_argument, NULL, 'n' },     { "warmup", required_argument, NULL, 'w' },
                { "append-a", required_argument, NULL, 'a' }, { "append-b", required_argument, NULL, 'b' },
                { "json", required_argument, NULL, 'j' },     { "html", required_argument, NULL, 'H' },
                { "timeout", required_argument, NULL, 't' },  { "memory", required_argument, NULL, 'm' },
                { "no-initcalls", no_argument, NULL, 'I' },   { "collection-cost", no_argument, NULL, 'C' },   { "help", no_argument, NULL, 'h' },
                { "peer", required_argument, NULL, 'P' },       { "logs", required_argument, NULL, 'L' },
                { "accel", required_argument, NULL, 'A' },
                { NULL, 0, NULL, 0 },
        };
        struct bench_request q = { .runs = 10, .warmup = 1, .timeout_s = 120, .memory_mb = 256, .initcalls = true };
        _cleanup_strv_free_ char **pos = NULL;
        bool memory_given = false;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                char *end = NULL;
                long val = optarg ? strtol(optarg, &end, 10) : 0;
                bool num_ok = optarg && end != optarg && *end == '\0';
                switch (c) {
                case 1: strv_push(&pos, optarg); break;
                case 'n':
                        if (!num_ok || val < 2 || val > 10000)
                                return log_error("bench: --runs '%s': at least 2 runs are needed for statistics "
                                                 "(sd, confidence interval)", optarg), 2;
                        q.runs = (int)val;
                        break;
                case 'w':
                        if (!num_ok || val < 0 || val > 1000)
                                return log_error("bench: --warmup '%s': expected 0 or more", optarg), 2;
                        q.warmup = (int)val;
                        break;
                case 'a': q.append_a = optarg; break;
                case 'b': q.append_b = optarg; break;
                case 'j': q.json = optarg; break;
                case 'H': q.html = optarg; break;
                case 't':
                        if (!num_ok || val < 1)
                                return log_error("bench: --timeout '%s': expected seconds", optarg), 2;
                        q.timeout_s = (int)val;
                        break;
                case 'm':
                        if (!num_ok || val < 64)
                                return log_error("bench: --memory '%s': expected MB, at least 64", optarg), 2;
                        q.memory_mb = (int)val;
                        memory_given = true;
                        break;
                case 'I': q.initcalls = false; break;
                case 'A':
                        if (accel_from_string(optarg, &q.accel) < 0)
                                return log_error("bench: --accel '%s': expected auto, kvm or tcg", optarg), 2;
                        break;
                case 'L': q.logs_dir = optarg; break;
                case 'C': q.collection_cost = true; break;
                case 'P':
                        if (!streq(optarg, "libguestfs"))
                                return log_error("bench: --peer '%s': the only peer is libguestfs", optarg), 2;
                        q.peer = optarg;
                        break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error("bench: unknown option or missing value: '%s' (see leanboot bench --help)",
                                         argv[optind - 1]), 2;
                }
        }
        size_t np = strv_length(pos);
        if (q.logs_dir) {
                if (q.peer || !q.initcalls)
                        return log_error("bench: --logs keeps the collected kernel logs: not with --peer or --no-initcalls"), 2;
                int r = mkdir_p(q.logs_dir, 0755);
                struct stat st;
                if (r >= 0 && stat(q.logs_dir, &st) == 0 && !S_ISDIR(st.st_mode))
                        r = -ENOTDIR;
                if (r >= 0 && access(q.logs_dir, W_OK) < 0)
                        r = -errno;
                if (r < 0)
                        return log_error("bench: --logs '%s': cannot create or write that directory: %s", q.logs_dir,
                                         strerror(-r)), 2;
        }
        if (q.peer) {
                if (np > 1 || q.append_a || q.append_b || memory_given)
                        return log_error("bench: --peer libguestfs takes one appliance (the leanboot one), and no --append "
                                         "or --memory (libguestfs sets the guest's memory: LIBGUESTFS_MEMSIZE)"), 2;
                /* Reported with the host line: the memory libguestfs gives both sides. */
                int mb = peer_libguestfs_memsize();
                if (mb > 0)
                        q.memory_mb = mb;
                _cleanup_free_ char *dflt = NULL;
                if (np == 0) {
                        _cleanup_free_ char *cache = leanboot_cache_dir();
                        dflt = cache ? path_join(cache, "guestfs-appliance") : NULL;
                        if (!dflt || run_self((char *[]){ "build", "--from-supermin-d", "libguestfs", "-o", dflt, NULL }) != 0)
                                return log_error("bench: building the leanboot libguestfs appliance failed"), 1;
                }
                q.a = np ? pos[0] : dflt;
                return bench_run(&q);
        }
        if (np < 1 || np > 2)
                return log_error("bench: expected one or two appliance directories (see leanboot bench --help)"), 2;
        if (q.collection_cost && (np != 1 || q.append_b || !q.initcalls))
                return log_error("bench: --collection-cost takes one appliance, and no --append-b or --no-initcalls"), 2;
        q.a = pos[0];
        q.b = np == 2 ? pos[1] : NULL;
        return bench_run(&q);
}
