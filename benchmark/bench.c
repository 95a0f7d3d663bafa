/* leanboot bench: boot variants repeatedly, interleaved (A B and B A blocks, in random order), and compare them honestly.
 *
 * Each boot is `quiet`.  The host timestamps QEMU's start, the first console byte, every stage
 * marker and QEMU's exit (CLOCK_MONOTONIC); the guest reports CLOCK_BOOTTIME per marker.  The
 * kernel's initcall_debug records stay in the ring buffer during the boot; the init copies them
 * to the tail of the boot's root overlay after the payload, and they are parsed here after QEMU exits. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "boot.h"
#include "peer.h"
#include "report.h"
#include "stages.h"
#include "variant.h"
#include "../common/fileio.h"
#include "../common/log.h"

static double mono_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
        if (v->collect && variant_read_log(v, q->logs_dir, &s->ic) < 0)
                log_warn("%s: no kernel log came back in the root overlay's tail", v->name);
        derive_stages(&r, v->collect ? &s->ic : NULL, s->st);
        boot_result_free(&r);
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

/* A variant whose first boots all failed will not get better: the bench stops there instead
 * of failing every remaining boot (each may wait for the timeout). */
#define HOPELESS_AFTER 3

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
        if (why && variant_note_failure(v, why))
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
        int r = q->peer ? variant_setup_peer(v, q->a)
                        : variant_setup(&v[0], "A", q->a, q->append_a, q->initcalls && !q->collection_cost);
        if (r >= 0 && nv == 2 && !q->peer) {
                _cleanup_free_ char *app_b = NULL;
                /* B without its own directory is A with extra arguments (after A's own). */
                if (!q->b && asprintf(&app_b, "%s%s%s", q->append_a ? q->append_a : "",
                                      q->append_a ? " " : "", q->append_b) < 0)
                        r = -ENOMEM;
                if (r >= 0 && q->collection_cost)
                        r = variant_setup(&v[1], "B", q->a, q->append_a, true);
                else if (r >= 0)
                        r = variant_setup(&v[1], "B", q->b ? q->b : q->a, q->b ? q->append_b : app_b, q->initcalls);
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
        report_compute(&rp);
        report_print(&rp);
        int status = 0;
        if (q->json && (r = report_write_json(&rp, q->json)) < 0)
                status = 1, log_error_errno(r, "bench: cannot write %s", q->json);
        if (q->html && (r = report_write_html(&rp, q->html)) < 0)
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
        report_done(&rp);
        for (size_t i = 0; i < nv; i++)
                variant_free(&v[i]);
        return status;
}

