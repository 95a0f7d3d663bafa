/* A bench's results as one self-contained HTML page (tables and inline SVG, nothing fetched). */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "chart.h"
#include "report.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/markup.h"

static void html_summary_table(FILE *f, const struct report *rp)
{
        /* The instruction clock repeats to microseconds: its figures keep them. */
        int dp = rp->accel->clock == GUEST_CLOCK_INSN ? 3 : 1;
        fprintf(f, "<table><tr><th>stage (%s)</th>", guest_clock_unit(rp->accel->clock));
        for (size_t i = 0; i < rp->nv; i++)
                fprintf(f, "<th>%s median</th><th>mean</th><th>sd</th><th>min</th><th>max</th><th>spread</th>", rp->v[i].name);
        if (rp->nv == 2)
                fputs("<th>B/A (medians)</th><th>B - A (means)</th><th>" STATS_CI_LABEL " of B - A</th><th>p</th>", f);
        fputs("</tr>\n", f);
        for (int k = 0; k < N_STAGES; k++) {
                int s = stage_display_order[k];
                if (!report_has_stage(rp, s))
                        continue;
                fprintf(f, "<tr><td%s>%s</td>", stage_is_part(s) ? " class=\"part\"" : "", stage_names[s]);
                for (size_t i = 0; i < rp->nv; i++) {
                        const struct summary *m = &rp->v[i].sum[s];
                        char spread[24] = "-";
                        if (!isnan(m->spread))
                                snprintf(spread, sizeof spread, "%.2f%%", m->spread);
                        if (rp->v[i].has[s])
                                fprintf(f, "<td>%.*f</td><td>%.*f</td><td>%.*f</td><td>%.*f</td><td>%.*f</td><td>%s</td>",
                                        dp, m->median, dp, m->mean, dp, m->sd, dp, m->min, dp, m->max, spread);
                        else
                                fputs("<td>-</td><td></td><td></td><td></td><td></td><td></td>", f);
                }
                if (rp->nv == 2 && rp->verdict[s]) {
                        char p[32];
                        format_p(rp->cmp[s].p_value, p, sizeof p);
                        fprintf(f, "<td>%.3f</td><td>%.*f</td><td>[%.*f, %.*f]</td><td>%s</td>", rp->cmp[s].ratio, dp,
                                rp->cmp[s].diff, dp, rp->cmp[s].ci_lo, dp, rp->cmp[s].ci_hi, p + 2);
                }
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

static void html_head(FILE *f, const struct report *rp)
{
        fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>leanboot bench</title>\n<style>"
              "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
              "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td{white-space:nowrap}td:first-child,th:first-child{text-align:left}"
              ".verdict{font-size:1.3em;font-weight:bold}.note{color:#555}td.part{padding-left:2em;color:#444}"
              ".failed{border:2px solid #b00;background:#fee;padding:.8em;margin:1em 0}</style></head><body>\n", f);
        fputs("<h1>leanboot bench</h1>\n<p class=\"note\">", f);
        fprintf(f, "accel <b>%s</b> (", accel_name(rp->accel->accel));
        xml_escape(f, rp->accel->reason);
        fputs("), ", f);
        xml_escape(f, rp->qemu);
        fputs(", CPU ", f);
        xml_escape(f, rp->cpu);
        fprintf(f, ", %d MiB, smp 1; %d runs per variant after %d warm-up, interleaved in A B / B A blocks of random order.</p>\n",
                rp->q->memory_mb, rp->q->runs, rp->q->warmup);
        if (rp->accel->clock == GUEST_CLOCK_INSN)
                fputs("<p class=\"failed\">Clock: <b>insn</b>, the instruction clock (QEMU's TCG with icount). Every figure "
                      "on this page is instruction-time: <b>1 unit = 1 instruction at 1 ns; not wall time</b>. Idle time "
                      "waiting for a guest timer counts as the guest set it; idle time waiting for the host's disk "
                      "counts as it passed. Each stage's spread says how exactly it repeats.</p>\n", f);
}

static void html_variants(FILE *f, const struct report *rp)
{
        fputs("<ul>", f);
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                fprintf(f, "<li><b>%s</b>: ", v->name);
                xml_escape(f, v->appliance);
                fputs(" (kernel ", f);
                xml_escape(f, v->kernel);
                fprintf(f, ", machine <b>%s</b>)", machine_name(v->machine));
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
}

/* A block for each variant without a successful boot; false when there was one. */
static bool html_no_boots(FILE *f, const struct report *rp)
{
        bool any = false;
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                if (v->n > 0)
                        continue;
                any = true;
                fprintf(f, "<div class=\"failed\"><b>%s: no successful boots</b> (%zu tried).", v->name, v->tried);
                if (variant_accel_suspect(v))
                        fputs(" KVM ended them: rerun with <code>--accel tcg</code>.", f);
                fputs("</div>\n", f);
        }
        if (any)
                fputs("<p class=\"note\">No statistics, chart or comparison without successful boots.</p>\n", f);
        return any;
}

static void html_verdicts(FILE *f, const struct report *rp)
{
        fputs("<p class=\"verdict\">total: ", f);
        xml_escape(f, rp->verdict[ST_TOTAL]);
        fputs("</p>\n", f);
        if (rp->verdict[ST_INITCALLS]) {
                fputs("<p class=\"verdict\">initcalls: ", f);
                xml_escape(f, rp->verdict[ST_INITCALLS]);
                fprintf(f, " (B/A = %.3f)</p>\n", rp->cmp[ST_INITCALLS].ratio);
        }
        fprintf(f, "<p class=\"note\">Welch's t-test on means, significant at p &lt; %.2f (%s); a "
                "significant difference under %g%% of A is too small to matter (--min-effect); ratios are of medians; "
                "spread = (max - min) / median.</p>\n", STATS_ALPHA, STATS_CI_LABEL, rp->q->min_effect);
}

static void html_boot_chart(FILE *f, const struct report *rp)
{
        /* The segments are the table's medians, so the two agree; laid end to end they need not
         * add up to any one boot's total, and the page says so. */
        fputs("<h2>Boot chart (each stage's median, as in the table)</h2>\n", f);
        const char *names[2];
        double ms[2 * N_TIMELINE];
        const char *tl_names[N_TIMELINE];
        for (size_t s = 0; s < N_TIMELINE; s++)
                tl_names[s] = stage_names[timeline[s]];
        for (size_t i = 0; i < rp->nv; i++) {
                const struct variant *v = &rp->v[i];
                names[i] = v->name;
                for (size_t s = 0; s < N_TIMELINE; s++)
                        ms[i * N_TIMELINE + s] = v->has[timeline[s]] ? v->sum[timeline[s]].median : NAN;
        }
        svg_stages(f, names, rp->nv, tl_names, N_TIMELINE, ms, 1200, guest_clock_unit(rp->accel->clock));
        if (rp->accel->clock == GUEST_CLOCK_INSN)
                fputs("<p class=\"note\">In instruction-time (insn-ms). firmware = the guest's TSC (the machine's clock from "
                      "its start) at the init's first marker minus the kernel's own clock there (time before the kernel's "
                      "clock started); kernel = kernel start to the first userspace program; initrd = supermin's mini-init; "
                      "init = the lean init up to the payload; shutdown = its marker to the exit marker.</p>\n", f);
        else
                fputs("<p class=\"note\">firmware = host arrival of the init's first marker minus the guest's own clock at it "
                      "(time before the kernel ran); kernel = kernel start to the first userspace program; initrd = supermin's "
                      "mini-init; init = the lean init up to the payload.</p>\n", f);
        fputs("<p class=\"note\">Each segment is that stage's median over the boots; the figure after a bar is their "
              "sum, which can differ from the median total (a different boot is the median of each stage).</p>\n", f);
}

/* The timeline's colours in a bench: how each initcall changed from A to B (struct ic_key). */
struct change_ctx {
        const struct report *rp;
};

static size_t classify_change(const struct initcall *c, const void *ctx)
{
        const struct report *rp = ((const struct change_ctx *)ctx)->rp;
        for (size_t k = 0; k < rp->nkeys; k++)
                if (rp->keys[k].occ == c->occurrence && streq(rp->keys[k].name, c->name) && streq(rp->keys[k].module, c->module))
                        return rp->keys[k].change;
        return IC_SAME;
}

static const char *const change_legend[] = { "in both, no change beyond the noise", "slower in B", "faster in B",
                                             "dropped in B", "added in B" };
static const char *const change_colours[] = { "#9aa5b1", "#e15759", "#59a14f", "#f28e2b", "#4e79a7" };
static const char *const part_legend[] = { "built in (boot initcall)", "module (loaded by user space)" };
static const char *const part_colours[] = { "#4e79a7", "#f28e2b" };

static size_t classify_part(const struct initcall *c, const void *ctx)
{
        (void)ctx;
        return c->module[0] ? 1 : 0;
}

/* Rows of the initcall diff table; the rest are counted in one line under it. */
#define DIFF_ROWS 25

static void html_initcalls(FILE *f, const struct report *rp)
{
        const char *unit = guest_clock_unit(rp->accel->clock);
        struct change_ctx ctx = { rp };
        struct ic_classes by_change = { ARRAY_SIZE(change_legend), change_legend, change_colours, classify_change, &ctx };
        struct ic_classes by_part = { ARRAY_SIZE(part_legend), part_legend, part_colours, classify_part, NULL };
        for (size_t i = 0; i < rp->nv; i++) {
                const struct sample *m = variant_median_sample(&rp->v[i]);
                if (!m || !m->ic.n)
                        continue;
                fprintf(f, "<h2>Initcall timeline, %s (its median boot: %zu initcalls, %.1f %s)</h2>\n", rp->v[i].name,
                        m->ic.n, (double)initcall_total_us(&m->ic) / 1000, unit);
                svg_initcalls(f, &m->ic, 30, rp->nv == 2 && rp->nkeys ? &by_change : &by_part, 1200, unit);
        }
        if (rp->nv != 2 || !rp->nkeys)
                return;
        fprintf(f, "<h2>Initcall diff (medians over boots; the %d largest changes)</h2>\n<table>"
                   "<tr><th>initcall</th><th>module</th><th>A median (%s)</th><th>B median (%s)</th><th>B - A</th><th></th></tr>\n",
                DIFF_ROWS, unit, unit);
        for (size_t k = 0; k < rp->nkeys && k < DIFF_ROWS; k++) {
                const struct ic_key *key = &rp->keys[k];
                fputs("<tr><td>", f);
                xml_escape(f, key->name);
                fputs("</td><td>", f);
                xml_escape(f, key->module);
                char a[32] = "-", b[32] = "-";
                if (!isnan(key->med_a))
                        snprintf(a, sizeof a, "%.3f", key->med_a);
                if (!isnan(key->med_b))
                        snprintf(b, sizeof b, "%.3f", key->med_b);
                double d = (isnan(key->med_b) ? 0 : key->med_b) - (isnan(key->med_a) ? 0 : key->med_a);
                fprintf(f, "</td><td>%s</td><td>%s</td><td>%+.3f</td><td>%s</td></tr>\n", a, b, d, ic_change_names[key->change]);
        }
        fputs("</table>\n", f);
        if (rp->nkeys > DIFF_ROWS)
                fprintf(f, "<p class=\"note\">%zu more initcalls changed less (the JSON report lists each variant's 20 "
                           "longest).</p>\n", rp->nkeys - DIFF_ROWS);
        fprintf(f, "<p class=\"note\">slower and faster only where the boots show it: Welch's t-test at p &lt; %.2f "
                   "divided by the number of initcalls compared, and at least %g%% of A (--min-effect); other "
                   "differences are within the noise and left untagged.</p>\n", STATS_ALPHA, rp->q->min_effect);
}

static void html_page(FILE *f, const void *data)
{
        const struct report *rp = data;
        html_head(f, rp);
        html_variants(f, rp);
        if (!html_no_boots(f, rp)) {
                if (rp->nv == 2)
                        html_verdicts(f, rp);
                html_boot_chart(f, rp);
                fputs("<h2>Stages</h2>\n", f);
                html_summary_table(f, rp);
                html_initcalls(f, rp);
        }
        fputs("</body></html>\n", f);
}

int report_write_html(const struct report *rp, const char *path)
{
        return write_stream_atomic(path, html_page, rp);
}
