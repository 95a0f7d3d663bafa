/* Self-contained SVG charts: an initcall timeline (bootgraph's picture, with names) and the
 * stages of each variant.  No scripts and nothing fetched; every label inside the image. */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "../common/macro.h"
#include "../common/markup.h"

static const char *const stage_palette[] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                             "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac" };

double chart_tick_step(double range, int target)
{
        if (!(range > 0) || target < 1)
                return 1;
        double raw = range / target, mag = pow(10, floor(log10(raw))), norm = raw / mag;
        return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/* Decimals a tick label needs to show STEP's multiples exactly (0 for steps of 1 and more). */
static int tick_decimals(double step)
{
        return step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
}

/* A time axis at Y from T0 to T1 (UNIT) over [X0, X1] pixels: round ticks (1, 2 or 5 times a power
 * of ten), each labelled inside the image, and the axis's name. */
static void time_axis(FILE *f, double t0, double t1, double x0, double x1, int y, const char *title, const char *unit)
{
        double step = chart_tick_step(t1 - t0, 10), scale = (x1 - x0) / (t1 - t0);
        int dp = tick_decimals(step);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>\n", x0, y, x1, y);
        for (double t = ceil(t0 / step - 1e-9) * step; t <= t1 + step * 1e-9; t += step) {
                double x = x0 + (t - t0) * scale;
                /* The first and last labels are anchored inward, so that none is cut at an edge. */
                const char *anchor = x - x0 < 20 ? "start" : x1 - x < 20 ? "end" : "middle";
                fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                           "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%.*f</text>\n",
                        x, y, x, y + 4, x, y + 15, anchor, dp, fabs(t) < step * 1e-6 ? 0.0 : t);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%s (%s)</text>\n", (x0 + x1) / 2, y + 30,
                title, unit);
}

struct bar {
        const struct initcall *c;
        double start, end;
        size_t cls;
};

static int by_start(const void *a, const void *b)
{
        const struct bar *x = a, *y = b;
        return (x->start > y->start) - (x->start < y->start);
}

static int by_duration_desc(const void *a, const void *b)
{
        const struct bar *x = a, *y = b;
        return (x->c->usecs < y->c->usecs) - (x->c->usecs > y->c->usecs);
}

static void bar_title(FILE *f, const struct bar *b, const char *unit)
{
        fputs("<title>", f);
        xml_escape(f, b->c->name);
        if (b->c->module[0]) {
                fputs(" [", f);
                xml_escape(f, b->c->module);
                fputs("]", f);
        }
        fprintf(f, ": %.3f %s from %.1f %s</title>", (double)b->c->usecs / 1000, unit, b->start / 1000, unit);
}

/* The legend: a swatch and a name for each class some initcall has. */
static void legend(FILE *f, const struct ic_classes *cls, const size_t *used, int x, int y)
{
        for (size_t k = 0; k < cls->n; k++) {
                if (!used[k])
                        continue;
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">", x, y - 9,
                        cls->colours[k], x + 14, y);
                xml_escape(f, cls->names[k]);
                fprintf(f, " (%zu)</text>\n", used[k]);
                x += 14 + 7 * (int)strlen(cls->names[k]) + 50;
        }
}

void svg_initcalls(FILE *f, const struct initcall_log *l, size_t top_n, const struct ic_classes *cls, int width,
                   const char *unit)
{
        struct bar *bars = calloc(l->n + 1, sizeof *bars);
        size_t *used = calloc(cls->n + 1, sizeof *used);
        if (!bars || !used) {
                free(bars);
                free(used);
                return;
        }
        size_t n = 0, untimed = 0;
        double t0 = INFINITY, t1 = -INFINITY;
        for (size_t i = 0; i < l->n; i++) {
                const struct initcall *c = &l->calls[i];
                if (c->start_us < 0) {
                        untimed++;
                        continue;
                }
                size_t k = cls->classify(c, cls->ctx);
                bars[n++] = (struct bar){ c, c->start_us, c->start_us + (double)c->usecs, k < cls->n ? k : 0 };
                used[k < cls->n ? k : 0]++;
                t0 = fmin(t0, c->start_us);
                t1 = fmax(t1, c->start_us + (double)c->usecs);
        }
        if (n == 0) {
                fprintf(f, "<p class=\"note\">No initcall in this log has a start time (a log without printk times): no timeline.</p>\n");
                free(bars);
                free(used);
                return;
        }
        if (t1 <= t0)
                t1 = t0 + 1;
        /* Every initcall in the overview row; the TOP_N longest named, one row each, in time order. */
        struct bar *top = malloc(n * sizeof *top);
        if (!top) {
                free(bars);
                free(used);
                return;
        }
        memcpy(top, bars, n * sizeof *top);
        if (n > 1)
                qsort(top, n, sizeof *top, by_duration_desc);
        size_t shown = top_n < n ? top_n : n;
        if (shown > 1)
                qsort(top, shown, sizeof *top, by_start);

        const int left = 10, right = 10, row_h = 16, overview_y = 34, rows_y = overview_y + 30;
        const double x0 = left, x1 = width - right, scale = (x1 - x0) / ((t1 - t0) / 1000);
        int axis_y = rows_y + (int)shown * row_h + 8, height = axis_y + 62;
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                   "font-size=\"11\">\n",
                width, height);
        fprintf(f, "<text x=\"%d\" y=\"14\">%zu initcalls from %.1f to %.1f %s of kernel time", left, n, t0 / 1000, t1 / 1000,
                unit);
        if (untimed)
                fprintf(f, "; %zu without a start time not drawn", untimed);
        fprintf(f, ". Top row: all of them; below: the %zu longest, named.</text>\n", shown);
        /* Stretches of kernel time with no initcall running (the kernel doing other work, or
         * waiting) are marked, so that an empty part of the chart says why it is empty. */
        if (n > 1)
                qsort(bars, n, sizeof *bars, by_start);
        double busy_until = t0;
        for (size_t i = 0; i < n; i++) {
                if (bars[i].start - busy_until > (t1 - t0) / 20) {
                        double gx = x0 + (busy_until - t0) / 1000 * scale, gw = (bars[i].start - busy_until) / 1000 * scale;
                        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#f3f3f3\"/>"
                                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\">no initcall for %.0f %s</text>\n",
                                gx, overview_y - 10, gw, gx + gw / 2, overview_y + 4, (bars[i].start - busy_until) / 1000, unit);
                }
                busy_until = fmax(busy_until, bars[i].end);
        }
        for (size_t i = 0; i < n; i++) {
                double x = x0 + (bars[i].start - t0) / 1000 * scale, w = fmax(1.0, (double)bars[i].c->usecs / 1000 * scale);
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\">", x, overview_y - 10, w,
                        cls->colours[bars[i].cls]);
                bar_title(f, &bars[i], unit);
                fputs("</rect>\n", f);
        }
        for (size_t i = 0; i < shown; i++) {
                const struct bar *b = &top[i];
                double x = x0 + (b->start - t0) / 1000 * scale, w = fmax(2.0, (double)b->c->usecs / 1000 * scale);
                int y = rows_y + (int)i * row_h;
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">", x, y, w, row_h - 3,
                        cls->colours[b->cls]);
                bar_title(f, b, unit);
                fputs("</rect>\n", f);
                /* The name after the bar, or before it when the bar ends near the right edge. */
                bool after = x + w + 260 < x1;
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", after ? x + w + 4 : x - 4, y + row_h - 5,
                        after ? "start" : "end");
                xml_escape(f, b->c->name);
                if (b->c->module[0]) {
                        fputs(" [", f);
                        xml_escape(f, b->c->module);
                        fputs("]", f);
                }
                fprintf(f, " %.1f %s</text>\n", (double)b->c->usecs / 1000, unit);
        }
        time_axis(f, t0 / 1000, t1 / 1000, x0, x1, axis_y, "kernel time", unit);
        legend(f, cls, used, left, axis_y + 50);
        fputs("</svg>\n", f);
        free(top);
        free(bars);
        free(used);
}

void svg_stages(FILE *f, const char *const *variants, size_t n_variants, const char *const *stages,
                size_t n_stages, const double *ms, int width, const char *unit)
{
        double max_total = 0;
        for (size_t v = 0; v < n_variants; v++) {
                double t = 0;
                for (size_t s = 0; s < n_stages; s++)
                        t += ms[v * n_stages + s] > 0 ? ms[v * n_stages + s] : 0; /* as drawn: no NAN, no negative */
                max_total = fmax(max_total, t);
        }
        if (!(max_total > 0))
                max_total = 1;
        const int left = 60, right = 110, row_h = 30, top = 10;
        const double x0 = left, x1 = width - right, scale = (x1 - x0) / max_total;
        int axis_y = top + (int)n_variants * row_h + 4, height = axis_y + 64;
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                   "font-size=\"11\">\n",
                width, height);
        for (size_t v = 0; v < n_variants; v++) {
                int y = top + (int)v * row_h;
                fprintf(f, "<text x=\"4\" y=\"%d\">", y + 17);
                xml_escape(f, variants[v]);
                fputs("</text>\n", f);
                double x = x0, sum = 0;
                for (size_t s = 0; s < n_stages; s++) {
                        double val = ms[v * n_stages + s];
                        if (isnan(val) || val <= 0)
                                continue;
                        double w = val * scale;
                        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.1f %s"
                                   "</title></rect>\n",
                                x, y, w, row_h - 6, stage_palette[s % ARRAY_SIZE(stage_palette)], stages[s], val, unit);
                        if (w > 34)
                                fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\" text-anchor=\"middle\">%.0f</text>\n",
                                        x + w / 2, y + 16, val);
                        x += w;
                        sum += val;
                }
                fprintf(f, "<text x=\"%.1f\" y=\"%d\">= %.1f %s</text>\n", x + 4, y + 16, sum, unit);
        }
        time_axis(f, 0, max_total, x0, x1, axis_y, "time from QEMU's start, stage medians laid end to end", unit);
        int ly = axis_y + 52;
        for (size_t s = 0; s < n_stages; s++) {
                int lx = left + (int)s * 110;
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                        lx, ly - 9, stage_palette[s % ARRAY_SIZE(stage_palette)], lx + 14, ly, stages[s]);
        }
        fputs("</svg>\n", f);
}
