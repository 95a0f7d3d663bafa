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
}

static void print_stage_row(const struct report *rp, int s)
{
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

static void print_stages(const struct report *rp)
{
        printf("\n%-10s", "stage (ms)");
        for (size_t i = 0; i < rp->nv; i++)
                printf(" %9s %7s %9s", rp->v[i].name, "sd", "min-max");
        if (rp->nv == 2)
                printf(" %6s %8s %19s %9s", "B/A", "diff", "95% CI", "p");
        printf("\n");
        for (int s = 0; s < N_STAGES; s++)
                if (report_has_stage(rp, s))
                        print_stage_row(rp, s);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (v->has[ST_INITCALLS])
                        printf("%s: %zu initcalls in the median boot's log, total %.1f ms (median)\n", v->name,
                               v->n ? v->samples[0].ic.n : 0, v->sum[ST_INITCALLS].median);
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
                char a[24] = "-", b[24] = "-";
                if (!isnan(key->med_a))
                        snprintf(a, sizeof a, "%.2f ms", key->med_a);
                if (!isnan(key->med_b))
                        snprintf(b, sizeof b, "%.2f ms", key->med_b);
                printf("  %-40.40s %-12.12s %11s -> %11s  %s\n", key->name, key->module, a, b,
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
        printf("(Welch's t-test on means; significant at p < %.2f; ratio of medians)\n", STATS_ALPHA);
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
