#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "../common/macro.h"

static const char *const palette[] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                       "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac" };

void xml_escape(FILE *f, const char *s)
{
        for (; s && *s; s++) {
                switch (*s) {
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '&': fputs("&amp;", f); break;
                case '"': fputs("&quot;", f); break;
                default: fputc(*s, f);
                }
        }
}

struct bar {
        const struct initcall *c;
        double start, end;
};

static int by_start(const void *a, const void *b)
{
        const struct bar *x = a, *y = b;
        return (x->start > y->start) - (x->start < y->start);
}

void svg_initcalls(FILE *f, const struct initcall_log *l, long long min_us, int width, const char *unit)
{
        struct bar *bars = calloc(l->n + 1, sizeof *bars);
        size_t n = 0, hidden = 0;
        if (!bars)
                return;
        for (size_t i = 0; i < l->n; i++) {
                const struct initcall *c = &l->calls[i];
                if (c->start_us < 0 || c->usecs < min_us) {
                        hidden++;
                        continue;
                }
                bars[n++] = (struct bar){ c, c->start_us, c->start_us + (double)c->usecs };
        }
        if (n > 1) /* qsort's array may not be NULL, even empty */
                qsort(bars, n, sizeof *bars, by_start);
        /* Pack: each bar goes in the first row free at its start. */
        double *row_end = calloc(n + 1, sizeof *row_end);
        int *row_of = calloc(n + 1, sizeof *row_of);
        size_t rows = 0;
        double t0 = n ? bars[0].start : 0, t1 = t0 + 1;
        for (size_t i = 0; i < n && row_end && row_of; i++) {
                size_t r = 0;
                while (r < rows && row_end[r] > bars[i].start)
                        r++;
                if (r == rows)
                        rows++;
                row_end[r] = bars[i].end;
                row_of[i] = (int)r;
                if (bars[i].end > t1)
                        t1 = bars[i].end;
        }
        const int row_h = 18, top = 24, left = 10;
        int height = top + (int)(rows ? rows : 1) * row_h + 34;
        double scale = (width - 2 * left) / (t1 - t0);
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
                width, height);
        fprintf(f, "<text x=\"%d\" y=\"14\">initcalls from %.1f %s to %.1f %s (kernel time); %zu shown, %zu shorter than %lld %s or without a start time not drawn</text>\n",
                left, t0 / 1000, unit, t1 / 1000, unit, n, hidden, min_us, streq(unit, "ms") ? "us" : "insn-us");
        for (size_t i = 0; i < n && row_of; i++) {
                const struct initcall *c = bars[i].c;
                double x = left + (bars[i].start - t0) * scale, w = fmax(1.0, (double)c->usecs * scale);
                int y = top + row_of[i] * row_h;
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", x, y, w,
                        row_h - 3, palette[i % ARRAY_SIZE(palette)]);
                xml_escape(f, c->name);
                if (c->module[0]) {
                        fputs(" [", f);
                        xml_escape(f, c->module);
                        fputs("]", f);
                }
                fprintf(f, ": %.3f %s at %.1f %s</title></rect>\n", (double)c->usecs / 1000, unit, bars[i].start / 1000, unit);
                if (w > 60) {
                        fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\">", x + 2, y + row_h - 7);
                        xml_escape(f, c->name);
                        fputs("</text>\n", f);
                }
        }
        /* A time axis with ten ticks. */
        int axis_y = top + (int)(rows ? rows : 1) * row_h + 6;
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", left, axis_y, width - left, axis_y);
        for (int k = 0; k <= 10; k++) {
                double x = left + (width - 2 * left) * k / 10.0;
                fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>", x, axis_y, x, axis_y + 4);
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f %s</text>\n", x, axis_y + 16,
                        (t0 + (t1 - t0) * k / 10.0) / 1000, unit);
        }
        fputs("</svg>\n", f);
        free(row_end);
        free(row_of);
        free(bars);
}

void svg_stages(FILE *f, const char *const *variants, size_t n_variants, const char *const *stages,
                size_t n_stages, const double *ms, int width, const char *unit)
{
        double max_total = 1;
        for (size_t v = 0; v < n_variants; v++) {
                double t = 0;
                for (size_t s = 0; s < n_stages; s++)
                        t += isnan(ms[v * n_stages + s]) ? 0 : ms[v * n_stages + s];
                max_total = fmax(max_total, t);
        }
        const int left = 60, row_h = 30, top = 10;
        int height = top + (int)n_variants * row_h + 40;
        double scale = (width - left - 10) / max_total;
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
                width, height);
        for (size_t v = 0; v < n_variants; v++) {
                int y = top + (int)v * row_h;
                fprintf(f, "<text x=\"4\" y=\"%d\">", y + 17);
                xml_escape(f, variants[v]);
                fputs("</text>\n", f);
                double x = left;
                for (size_t s = 0; s < n_stages; s++) {
                        double val = ms[v * n_stages + s];
                        if (isnan(val) || val <= 0)
                                continue;
                        double w = val * scale;
                        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.1f %s</title></rect>\n",
                                x, y, w, row_h - 6, palette[s % ARRAY_SIZE(palette)], stages[s], val, unit);
                        if (w > 50)
                                fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\">%s %.0f</text>\n", x + 3, y + 16,
                                        stages[s], val);
                        x += w;
                }
        }
        int ly = top + (int)n_variants * row_h + 14;
        for (size_t s = 0; s < n_stages; s++) {
                int lx = left + (int)s * 95;
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                        lx, ly, palette[s % ARRAY_SIZE(palette)], lx + 14, ly + 9, stages[s]);
        }
        fputs("</svg>\n", f);
}
