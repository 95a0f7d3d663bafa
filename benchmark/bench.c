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
#include "../common/clock.h"
#include "history.h"
#include "../common/fileio.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/progress.h"
#include "../common/manifest.h"

/* One boot; on success fills *s and returns 0, else a negative errno with *why saying what
 * happened (malloc'd). */
static int boot_once(struct variant *v, const struct bench_request *q, struct accel_choice *accel,
                     struct sample *s, char **why)
{
        if (v->peer) {
                double launch, shut;
                s->ic = (struct initcall_log){ .run_init_us = -1 };
                struct peer_mark pm[PEER_MAX_MARKS];
                size_t npm = PEER_MAX_MARKS;
                int pr = peer_libguestfs_once(v->guestfs_path, accel->accel == ACCEL_TCG, &launch, &shut, pm, &npm, why);
                if (pr < 0)
                        return pr;
                /* A leanboot appliance's init prints its markers on the console even under
                 * libguestfs: its stages come out as in a plain bench, timed from launch start. */
                struct stage_mark sm[PEER_MAX_MARKS];
                for (size_t i = 0; i < npm; i++)
                        sm[i] = (struct stage_mark){ pm[i].name, pm[i].host_us, pm[i].guest_us, 0 };
                struct boot_result r = { .marks = sm, .n_marks = npm };
                derive_peer_stages(&r, launch, shut, s->st);
                return 0;
        }
        /* A fresh overlay each boot, as snapshot=on would give. */
        int cr = copy_file(v->overlay_template, v->overlay);
        if (cr < 0)
                return asprintf(why, "cannot copy the root overlay: %s", strerror(-cr)) < 0 ? -ENOMEM : cr;
        struct boot_config bc = {
                .appliance = v->appliance, .cmdline = v->cmdline, .accel = accel, .machine = v->machine,
                .memory_mb = q->memory_mb, .smp = 1, .timeout_s = q->timeout_s,
                .root_overlay = v->overlay,
        };
        _cleanup_(boot_result_free) struct boot_result r = { .exit_status = -1 };
        int e = boot_appliance(&bc, &r);
        if (e < 0)
                return asprintf(why, "QEMU could not start: %s", strerror(-e)) < 0 ? -ENOMEM : e;
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
        if (ret != 0)
                return -EIO; /* the guest failed; *why says how */
        s->ic = (struct initcall_log){ .run_init_us = -1 };
        if (v->collect && variant_read_log(v, q->logs_dir, &s->ic) < 0)
                log_warn("%s: no kernel log came back in the root overlay's tail", v->name);
        derive_stages(&r, v->collect ? &s->ic : NULL, accel->clock, s->st);
        if (accel->clock == GUEST_CLOCK_INSN && r.n_marks && !r.marks[0].tsc && !v->warned_no_tsc) {
                v->warned_no_tsc = true;
                log_warn("%s: its init is older than --clock insn (no TSC in its markers): total, to_ready, firmware, "
                         "shutdown and the init's stages cannot be read on the instruction clock; rebuild %s",
                         v->name, v->appliance);
        }
        return 0;
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
        return -EIO;
}

/* One unpredictable bit for the run order (getrandom; the clock if that fails). */
static bool random_bit(void)
{
        unsigned char b;
        if (getrandom(&b, 1, GRND_NONBLOCK) == 1)
                return b & 1;
        return (now_usec() >> 3) & 1;
}

/* A bench as it runs. */
struct run {
        const struct bench_request *q;
        struct variant v[2];
        size_t nv;
        struct accel_choice accel;
        bool hopeless;
        struct progress progress; /* boots done of all, on stderr (common/progress.h) */
        size_t done, total;
        /* KVM can fail a boot after the verdict said it works; then the rest run under TCG, and
         * timed boots from before the change cannot be compared with those after it. */
        enum accel timed_accel;
        size_t timed_before_change;
};

/* DIR's machine for --machine auto, saying nothing: a directory that is not an appliance is
 * variant_setup's to report, once. */
static int auto_machine(const char *dir, enum machine *ret)
{
        struct manifest m;
        int r = manifest_load(dir, &m);
        if (r < 0)
                return r;
        r = machine_for_manifest(&m, MACHINE_AUTO, ret, NULL);
        manifest_free(&m);
        return r;
}

static int setup_variants(struct run *b)
{
        const struct bench_request *q = b->q;
        if (q->peer)
                return variant_setup_peer(b->v, q->a);
        /* --machine-b: B on another machine than A (the same appliance on pc and microvm). */
        enum machine machine_a = q->machine, machine_b = q->machine_b != MACHINE_AUTO ? q->machine_b : q->machine;
        if (machine_a == MACHINE_AUTO && machine_b == MACHINE_AUTO && b->nv == 2 && q->b) {
                /* Two appliances, no machine asked: one machine for both, or the bench would
                 * compare machines as well as appliances without being asked to. */
                enum machine ma, mb;
                if (auto_machine(q->a, &ma) == 0 && auto_machine(q->b, &mb) == 0)
                        machine_a = machine_b = ma == mb ? ma : MACHINE_PC;
        }
        int r = variant_setup(&b->v[0], "A", q->a, q->append_a, q->initcalls && !q->collection_cost, machine_a);
        if (r < 0 || b->nv == 1)
                return r;
        if (q->collection_cost)
                return variant_setup(&b->v[1], "B", q->a, q->append_a, true, machine_a);
        if (q->b)
                return variant_setup(&b->v[1], "B", q->b, q->append_b, q->initcalls, machine_b);
        /* B without its own directory is A with extra arguments (after A's own). */
        _cleanup_free_ char *app_b = NULL;
        if (asprintf(&app_b, "%s%s%s", q->append_a ? q->append_a : "", q->append_a ? " " : "", q->append_b) < 0)
                return -ENOMEM;
        return variant_setup(&b->v[1], "B", q->a, app_b, q->initcalls, machine_b);
}

/* Warm-up boots (page cache, QEMU's own start-up) are not timed. */
static void run_warmup(struct run *b)
{
        for (int w = 0; w < b->q->warmup && !b->hopeless; w++)
                for (size_t i = 0; i < b->nv && !b->hopeless; i++) {
                        struct sample s;
                        if (bench_boot(&b->v[i], b->q, &b->accel, &s, "warm-up") == 0)
                                initcall_log_free(&s.ic);
                        b->hopeless = variant_hopeless(&b->v[i]);
                        progress_update(&b->progress, ++b->done, b->total, false, "warm-up");
                }
        for (size_t i = 0; i < b->nv; i++)
                variant_size_log_buffer(&b->v[i]);
}

/* Rounds come in blocks of two, A B then B A or B A then A B, the block's order drawn at random.
 * Alternating, whatever favours the second boot of a pair (caches warmed by the first) falls on
 * both variants alike (A/A runs showed B, always second, about 3% faster when the order was
 * fixed).  Drawn, the pattern cannot lock onto periodic load on the host: with a fixed A B B A
 * A B..., A/A benches here gave p < 0.01 in 2 of 6, one variant slow on nearly every run within a
 * bench, which one changing between benches. */
static void run_timed(struct run *b)
{
        bool flip = false;
        b->timed_accel = b->accel.accel;
        for (int k = 0; k < b->q->runs && !b->hopeless; k++)
                for (size_t j = 0; j < b->nv && !b->hopeless; j++) {
                        if (k % 2 == 0 && j == 0)
                                flip = random_bit();
                        size_t i = (k % 2 != 0) != flip ? b->nv - 1 - j : j;
                        struct variant *v = &b->v[i];
                        char what[64];
                        snprintf(what, sizeof what, "%s run %d", v->name, k + 1);
                        v->run_no = k + 1;
                        if (b->accel.accel == b->timed_accel)
                                b->timed_before_change = b->v[0].n + (b->nv == 2 ? b->v[1].n : 0);
                        if (bench_boot(v, b->q, &b->accel, &v->samples[v->n], what) == 0)
                                v->n++;
                        else
                                v->failed++;
                        b->hopeless = variant_hopeless(v);
                        progress_update(&b->progress, ++b->done, b->total, false, what);
                }
        if (b->hopeless)
                log_error("bench: stopped early: the first %d boots of a variant all failed", HOPELESS_AFTER);
}

/* --fail-if-slower: EXIT_GATE when B is significantly slower than A on the gated stage, by more
 * than the limit and by at least the minimum effect; said either way. */
static int gate(const struct report *rp)
{
        const struct bench_request *q = rp->q;
        const char *stage = stage_names[q->gate_stage];
        if (!rp->verdict[q->gate_stage])
                return log_error_status(1, "bench: gate: no comparison on stage %s (a variant has no figure for it)", stage);
        const struct comparison *c = &rp->cmp[q->gate_stage];
        /* No p-value (a variant with fewer than 2 boots of that stage): no evidence either way,
         * which a gate must not call a pass. */
        if (isnan(c->p_value))
                return log_error_status(1, "bench: gate: no verdict on stage %s (%s)", stage, rp->verdict[q->gate_stage]);
        bool fail = comparison_matters(c, q->min_effect) && c->diff > 0 && c->effect_pct > q->fail_if_slower;
        printf("gate (%s, fail if B is slower by more than %g%%): %s: %s\n", stage, q->fail_if_slower, fail ? "FAIL" : "pass",
               rp->verdict[q->gate_stage]);
        return fail ? EXIT_GATE : 0;
}

/* The report in every form asked for; the bench's exit status. */
static int finish(struct run *b)
{
        const struct bench_request *q = b->q;
        struct report rp = { .q = q, .accel = &b->accel, .v = b->v, .nv = b->nv };
        report_compute(&rp);
        report_print(&rp);
        int r, status = 0;
        if (q->json && (r = report_write_json(&rp, q->json)) < 0)
                status = 1, log_error_errno(r, "bench: cannot write %s", q->json);
        if (q->html && (r = report_write_html(&rp, q->html)) < 0)
                status = 1, log_error_errno(r, "bench: cannot write %s", q->html);
        else if (q->html)
                printf("report: %s\n", q->html);
        if (b->accel.accel != b->timed_accel && b->timed_before_change > 0)
                status = 1, log_error("bench: the accelerator changed from %s to %s during the timed boots (%s), "
                                      "after %zu of them: the samples mix the two; run the bench again",
                                      accel_name(b->timed_accel), accel_name(b->accel.accel), b->accel.reason,
                                      b->timed_before_change);
        bool all_booted = true;
        for (size_t i = 0; i < b->nv; i++)
                if (b->v[i].n == 0)
                        all_booted = false, status = 1, log_error("bench: variant %s has no successful boot%s", b->v[i].name,
                                              variant_accel_suspect(&b->v[i]) ? " (KVM ended them: try --accel tcg)" : "");
        /* A bench with a variant that never booted, or whose samples mix two accelerators, says
         * nothing worth keeping; one whose report could not be written still measured well. */
        bool mixed = b->accel.accel != b->timed_accel && b->timed_before_change > 0;
        if (q->record && all_booted && !mixed && history_record(q->record_db, q->label, &rp) < 0)
                status = 1;
        if (status == 0 && q->fail_if_slower >= 0)
                status = gate(&rp);
        report_done(&rp);
        return status;
}

int bench_run(const struct bench_request *q)
{
        struct run b = { .q = q, .nv = q->b || q->append_b || q->peer || q->collection_cost ? 2 : 1 };
        int status = 2;
        if (setup_variants(&b) < 0)
                goto out;
        /* Both sides of --peer libguestfs get the accelerator leanboot's own boots would. */
        status = 1;
        int ar = accel_resolve_verbose(q->accel, q->clock, &b.accel);
        if (ar < 0) {
                status = ar == -EOPNOTSUPP ? 2 : 1;
                goto out;
        }
        for (size_t i = 0; i < b.nv; i++)
                if (!(b.v[i].samples = calloc((size_t)q->runs, sizeof *b.v[i].samples))) {
                        log_error_errno(-ENOMEM, "bench");
                        accel_choice_done(&b.accel);
                        goto out;
                }
        b.total = (size_t)(q->warmup + q->runs) * b.nv;
        progress_start(&b.progress, "bench", "boots");
        run_warmup(&b);
        run_timed(&b);
        progress_end(&b.progress, b.done, b.total, NULL);
        status = finish(&b);
        accel_choice_done(&b.accel);
out:
        for (size_t i = 0; i < b.nv; i++)
                variant_free(&b.v[i]);
        return status;
}
