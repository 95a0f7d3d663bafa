/* A bench's results on the terminal. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "../common/stats.h"

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

static void print_header(const struct report *rp)
{
        printf("\nhost: accel %s, machine %s, %s, CPU %s, %d MiB, smp 1\n", accel_name(rp->accel->accel), report_machines(rp),
               rp->qemu, rp->cpu, rp->q->memory_mb);
        printf("accel: %s\n", rp->accel->reason);
        if (rp->accel->clock == GUEST_CLOCK_INSN)
                printf("clock: insn (%s); the root read through %s\n", INSN_CLOCK_NOTE,
                       boot_root_reads_io_uring(rp->accel->clock) ? "io_uring" : "QEMU's thread pool (no io_uring here)");
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                printf("%s: %s (kernel %s, machine %s)%s%s%s; %zu runs", v->name, v->appliance, v->kernel, machine_name(v->machine),
                       v->append ? ", append: " : "", v->append ? v->append : "",
                       rp->q->collection_cost ? (v->collect ? ", with initcall collection" : ", without collection") : "",
                       v->n);
                if (v->failed)
                        printf(", %zu FAILED", v->failed);
                printf("\n");
        }
        for (size_t i = 0; i < rp->nv; i++)
                print_failures(&rp->v[i]);
}

/* Decimals for stage figures: the instruction clock repeats to microseconds, so it shows them. */
static int precision(const struct report *rp)
{
        return rp->accel->clock == GUEST_CLOCK_INSN ? 3 : 1;
}

/* The stage column: as wide as its widest entry ("module_initcalls", "stage (insn-ms)"). */
static int label_width(const struct report *rp)
{
        (void)rp;
        return 16;
}

static void print_stage_row(const struct report *rp, int s)
{
        char label[32];
        snprintf(label, sizeof label, "%s%s", stage_is_part(s) ? "  " : "", stage_names[s]);
        printf("%-*s", label_width(rp), label);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct summary *m = &rp->v[i].sum[s];
                if (!rp->v[i].has[s]) {
                        printf(" %9s %7s %7s", "-", "", "");
                        continue;
                }
                char spread[16] = "-";
                if (!isnan(m->spread))
                        snprintf(spread, sizeof spread, m->spread < 10 ? "%.2f%%" : "%.0f%%", m->spread);
                printf(" %9.*f %7.*f %7s", precision(rp), m->median, precision(rp), m->sd, spread);
        }
        if (rp->nv == 2 && rp->verdict[s]) {
                struct comparison c = rp->cmp[s];
                char p[32], ci[48];
                format_p(c.p_value, p, sizeof p);
                snprintf(ci, sizeof ci, "[%.*f, %.*f]", precision(rp), c.ci_lo, precision(rp), c.ci_hi);
                printf(" %7.3f %9.*f %19s %9s", c.ratio, precision(rp), c.diff, ci, p + 2);
        }
        printf("\n");
}

static void print_stages(const struct report *rp)
{
        char head[32];
        snprintf(head, sizeof head, "stage (%s)", guest_clock_unit(rp->accel->clock));
        printf("\n%-*s", label_width(rp), head);
        /* Each column says its statistic: medians per variant, the ratio of the medians, the
         * difference of the means (what the t-test and its interval are about). */
        for (size_t i = 0; i < rp->nv; i++) {
                char med[16];
                snprintf(med, sizeof med, "%s median", rp->v[i].name);
                printf(" %9s %7s %7s", med, "sd", "spread");
        }
        if (rp->nv == 2)
                printf(" %7s %9s %19s %9s", "B/A med", "diff mean", STATS_CI_LABEL, "p");
        printf("\n");
        for (int k = 0; k < N_STAGES; k++)
                if (report_has_stage(rp, stage_display_order[k]))
                        print_stage_row(rp, stage_display_order[k]);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (!v->n || !v->has[ST_INITCALLS])
                        continue;
                size_t boot = 0, modules = 0;
                (void)initcall_part_us(&v->samples[0].ic, INITCALLS_BOOT, &boot);
                (void)initcall_part_us(&v->samples[0].ic, INITCALLS_MODULES, &modules);
                printf("%s: %zu boot initcalls (built in, before /init)", v->name, boot);
                if (modules)
                        printf(", %zu module initcalls (modules user space loaded later)", modules);
                printf(" in the first boot's log\n");
        }
}

static void print_initcall_diff(const struct report *rp)
{
        size_t dropped = 0, added = 0;
        for (size_t k = 0; k < rp->nkeys; k++) {
                dropped += isnan(rp->keys[k].med_b);
                added += isnan(rp->keys[k].med_a);
        }
        if (!rp->nkeys)
                return;
        printf("\ninitcall diff (B vs A, medians over boots): %zu dropped, %zu added; largest changes "
               "(slower/faster only beyond the noise):\n", dropped, added);
        for (size_t k = 0; k < rp->nkeys && k < 12; k++) {
                const struct ic_key *key = &rp->keys[k];
                char a[32] = "-", b[32] = "-";
                const char *unit = guest_clock_unit(rp->accel->clock);
                if (!isnan(key->med_a))
                        snprintf(a, sizeof a, "%.2f %s", key->med_a, unit);
                if (!isnan(key->med_b))
                        snprintf(b, sizeof b, "%.2f %s", key->med_b, unit);
                printf("  %-40.40s %-12.12s %14s -> %14s  %s\n", key->name, key->module, a, b, ic_change_names[key->change]);
        }
        if (rp->nkeys > 12)
                printf("  ... and %zu more (the JSON report lists the top 20 of each variant)\n", rp->nkeys - 12);
}

static void print_verdicts(const struct report *rp)
{
        if (!rp->verdict[ST_TOTAL]) {
                printf("\nverdict: none (a variant has no successful boots)\n");
                return;
        }
        printf("\nverdict (total): %s\n", rp->verdict[ST_TOTAL]);
        if (rp->verdict[ST_INITCALLS])
                printf("verdict (initcalls): %s; B/A = %.3f\n", rp->verdict[ST_INITCALLS], rp->cmp[ST_INITCALLS].ratio);
        printf("(Welch's t-test on means; significant at p < %.2f, %s; differences under %g%% of A are too small "
               "to matter (--min-effect); ratio of medians; spread = (max - min) / median)\n",
               STATS_ALPHA, STATS_CI_LABEL, rp->q->min_effect);
}

void report_print(const struct report *rp)
{
        print_header(rp);
        print_stages(rp);
        if (rp->nv == 2) {
                print_initcall_diff(rp);
                print_verdicts(rp);
        }
}
