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

/* The stage column: as wide as its heading ("stage (insn-ms)" is wider than any stage name). */
static int label_width(const struct report *rp)
{
        return rp->accel->clock == GUEST_CLOCK_INSN ? 15 : 10;
}

static void print_stage_row(const struct report *rp, int s)
{
        printf("%-*s", label_width(rp), stage_names[s]);
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
                printf(" %6.3f %8.*f %19s %9s", c.ratio, precision(rp), c.diff, ci, p + 2);
        }
        printf("\n");
}

static void print_stages(const struct report *rp)
{
        char head[32];
        snprintf(head, sizeof head, "stage (%s)", guest_clock_unit(rp->accel->clock));
        printf("\n%-*s", label_width(rp), head);
        for (size_t i = 0; i < rp->nv; i++)
                printf(" %9s %7s %7s", rp->v[i].name, "sd", "spread");
        if (rp->nv == 2)
                printf(" %6s %8s %19s %9s", "B/A", "diff", STATS_CI_LABEL, "p");
        printf("\n");
        for (int s = 0; s < N_STAGES; s++)
                if (report_has_stage(rp, s))
                        print_stage_row(rp, s);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (v->has[ST_INITCALLS])
                        printf("%s: %zu initcalls in the median boot's log, total %.*f %s (median)\n", v->name,
                               v->n ? v->samples[0].ic.n : 0, precision(rp), v->sum[ST_INITCALLS].median,
                               guest_clock_unit(rp->accel->clock));
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
        printf("\ninitcall diff (B vs A): %zu dropped, %zu added; largest changes:\n", dropped, added);
        for (size_t k = 0; k < rp->nkeys && k < 12; k++) {
                const struct ic_key *key = &rp->keys[k];
                char a[32] = "-", b[32] = "-";
                const char *unit = guest_clock_unit(rp->accel->clock);
                if (!isnan(key->med_a))
                        snprintf(a, sizeof a, "%.2f %s", key->med_a, unit);
                if (!isnan(key->med_b))
                        snprintf(b, sizeof b, "%.2f %s", key->med_b, unit);
                printf("  %-40.40s %-12.12s %14s -> %14s  %s\n", key->name, key->module, a, b,
                       isnan(key->med_b) ? "dropped" : isnan(key->med_a) ? "added" : "");
        }
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
