/* leanboot history: the recorded benches' figures for one stage, over time (history.h). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "guest-clock.h"
#include "history.h"
#include "history-db.h"
#include "stages.h"
#include "../common/exit-status.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/markup.h"

/* One recorded figure: a variant's stage in one bench. */
struct point {
        long long bench;
        char *when, *label, *clock, *accel, *variant, *kernel, *appliance, *unit, *machine;
        double median, spread;
        long long n;
        time_t t;
};

struct trend {
        struct point *p;
        size_t n;
};

static void trend_free(struct trend *t)
{
        for (size_t i = 0; i < t->n; i++) {
                struct point *p = &t->p[i];
                free(p->when), free(p->label), free(p->clock), free(p->accel), free(p->variant), free(p->kernel);
                free(p->appliance), free(p->unit), free(p->machine);
        }
        free(t->p);
}

static char *col_text(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        return strdup(t ? (const char *)t : "");
}

static double col_double(sqlite3_stmt *st, int i)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static time_t parse_utc(const char *s)
{
        struct tm tm = { 0 };
        if (!strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
                return 0;
        return timegm(&tm);
}

static int load_trend(sqlite3 *h, const char *stage, const char *label, const char *clock, struct trend *ret)
{
        static const char sql[] =
                "SELECT b.id, b.recorded_at, COALESCE(b.label, ''), b.clock, b.accel, s.variant, v.kernel, v.appliance, s.unit,"
                "       s.median, s.spread_pct, s.n, COALESCE(v.machine, 'pc')"
                "  FROM stage s JOIN bench b ON b.id = s.bench_id"
                "  LEFT JOIN variant v ON v.bench_id = s.bench_id AND v.name = s.variant"
                " WHERE s.stage = ?1 AND (?2 IS NULL OR b.label = ?2) AND (?3 IS NULL OR b.clock = ?3)"
                " ORDER BY b.recorded_at, b.id, s.variant";
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_status(-EIO, "history: %s", sqlite3_errmsg(h));
        sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
        label ? sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 2);
        clock ? sqlite3_bind_text(st, 3, clock, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 3);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct point *more = realloc(ret->p, (ret->n + 1) * sizeof *more);
                if (!more) {
                        sqlite3_finalize(st);
                        return log_error_errno(-ENOMEM, "history");
                }
                ret->p = more;
                ret->p[ret->n++] = (struct point){
                        .bench = sqlite3_column_int64(st, 0), .when = col_text(st, 1), .label = col_text(st, 2),
                        .clock = col_text(st, 3), .accel = col_text(st, 4), .variant = col_text(st, 5),
                        .kernel = col_text(st, 6), .appliance = col_text(st, 7), .unit = col_text(st, 8),
                        .median = col_double(st, 9), .spread = col_double(st, 10), .n = sqlite3_column_int64(st, 11),
                        .machine = col_text(st, 12),
                };
                struct point *p = &ret->p[ret->n - 1];
                if (!p->when || !p->label || !p->clock || !p->accel || !p->variant || !p->kernel || !p->appliance || !p->unit || !p->machine) {
                        sqlite3_finalize(st);
                        return log_error_errno(-ENOMEM, "history");
                }
                p->t = parse_utc(p->when);
        }
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? 0 : log_error_status(-EIO, "history: %s", sqlite3_errmsg(h));
}

static void print_trend(const struct trend *t, const char *stage)
{
        printf("%6s  %-20s  %-12s %-5s %-5s %-7s %-3s %-22s %12s %-8s %8s %4s\n", "bench", "recorded (UTC)", "label", "clock",
               "accel", "machine", "var", "kernel", stage, "unit", "spread", "n");
        for (size_t i = 0; i < t->n; i++) {
                const struct point *p = &t->p[i];
                char spread[16] = "-";
                if (!isnan(p->spread))
                        snprintf(spread, sizeof spread, "%.2f%%", p->spread);
                printf("%6lld  %-20s  %-12.12s %-5s %-5s %-7s %-3s %-22.22s %12.3f %-8s %8s %4lld\n", p->bench, p->when, p->label,
                       p->clock, p->accel, p->machine, p->variant, p->kernel, p->median, p->unit, spread, p->n);
        }
}

/* Two points belong to one line of the chart when they share label, variant, clock and machine. */
static bool same_series(const struct point *a, const struct point *b)
{
        return streq(a->label, b->label) && streq(a->variant, b->variant) && streq(a->clock, b->clock) &&
               streq(a->machine, b->machine);
}

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

/* One chart for the points on one clock: time on x, the stage on y, a line per series, each
 * recorded bench a mark whose tooltip (SVG <title>) says what it was. */
static void svg_trend(FILE *f, const struct trend *t, const char *clock, const char *stage)
{
        const int W = 1000, H = 360, L = 80, R = 20, T = 20, B = 50;
        double lo = INFINITY, hi = -INFINITY;
        time_t t0 = 0, t1 = 0;
        size_t n = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct point *p = &t->p[i];
                if (!streq(p->clock, clock) || isnan(p->median))
                        continue;
                lo = fmin(lo, p->median), hi = fmax(hi, p->median);
                t0 = n == 0 || p->t < t0 ? p->t : t0;
                t1 = n == 0 || p->t > t1 ? p->t : t1;
                n++;
        }
        if (!n)
                return;
        double pad = hi > lo ? (hi - lo) * 0.1 : fmax(fabs(hi) * 0.05, 1);
        lo = fmax(0, lo - pad), hi += pad;
        const char *unit = guest_clock_unit(streq(clock, "insn") ? GUEST_CLOCK_INSN : GUEST_CLOCK_WALL);
        fprintf(f, "<h2>%s, clock %s (%s)</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                   "font-family=\"sans-serif\" font-size=\"12\">\n", stage, clock, unit, W, H);
#define X(tt) (L + (t1 > t0 ? (double)((tt) - t0) / (double)(t1 - t0) * (W - L - R) : (W - L - R) / 2.0))
#define Y(v) (T + (hi - (v)) / (hi - lo) * (H - T - B))
        for (int k = 0; k <= 4; k++) {
                double v = lo + (hi - lo) * k / 4;
                fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                           "text-anchor=\"end\">%.1f</text>\n", L, W - R, Y(v), Y(v), L - 6, Y(v) + 4, v);
        }
        fprintf(f, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">%s (%s)</text>\n", (H - B + T) / 2,
                stage, unit);
        char a[32], b[32];
        struct tm tm;
        strftime(a, sizeof a, "%Y-%m-%d %H:%M", gmtime_r(&t0, &tm));
        strftime(b, sizeof b, "%Y-%m-%d %H:%M", gmtime_r(&t1, &tm));
        fprintf(f, "<text x=\"%d\" y=\"%d\">%s UTC</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s UTC</text>\n"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">recorded (time)</text>\n",
                L, H - B + 18, a, W - R, H - B + 18, b, (L + W - R) / 2, H - 8);
        size_t series = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct point *p = &t->p[i];
                bool first = streq(p->clock, clock) && !isnan(p->median);
                for (size_t j = 0; first && j < i; j++)
                        first = !(same_series(&t->p[j], p) && !isnan(t->p[j].median));
                if (!first)
                        continue;
                const char *c = colours[series++ % ARRAY_SIZE(colours)];
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", c);
                for (size_t j = i; j < t->n; j++)
                        if (same_series(&t->p[j], p) && !isnan(t->p[j].median))
                                fprintf(f, "%.1f,%.1f ", X(t->p[j].t), Y(t->p[j].median));
                fputs("\"/>\n", f);
                for (size_t j = i; j < t->n; j++) {
                        const struct point *q = &t->p[j];
                        if (!same_series(q, p) || isnan(q->median))
                                continue;
                        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>bench %lld, %s\n", X(q->t),
                                Y(q->median), c, q->bench, q->when);
                        xml_escape(f, q->label[0] ? q->label : "(no label)");
                        char spread[24] = "-";
                        if (!isnan(q->spread))
                                snprintf(spread, sizeof spread, "%.2f%%", q->spread);
                        fprintf(f, ", variant %s on %s: %s = %.3f %s (spread %s, %lld boots, accel %s)\nkernel ", q->variant,
                                q->machine, stage, q->median, unit, spread, q->n, q->accel);
                        xml_escape(f, q->kernel);
                        fputs(", ", f);
                        xml_escape(f, q->appliance);
                        fputs("</title></circle>\n", f);
                }
                fprintf(f, "<text x=\"%d\" y=\"%zu\" fill=\"%s\">", L + 10, (size_t)T + 14 * series, c);
                xml_escape(f, p->label[0] ? p->label : "(no label)");
                fprintf(f, " / %s on %s</text>\n", p->variant, p->machine);
        }
#undef X
#undef Y
        fputs("</svg>\n", f);
}

/* What the page shows: the figures, their stage and where they came from. */
struct history_page {
        const struct trend *t;
        const char *stage, *db;
};

static void html_page(FILE *f, const void *data)
{
        const struct history_page *pg = data;
        const struct trend *t = pg->t;
        const char *stage = pg->stage;
        fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>leanboot history</title></head>"
              "<body style=\"font-family:sans-serif;margin:2em\">\n<h1>leanboot boot-time history</h1>\n<p>", f);
        xml_escape(f, pg->db);
        fprintf(f, ": %zu recorded figures of stage <b>%s</b>. Hover over a mark for its bench. Wall-clock and "
                   "instruction-clock figures are drawn apart: instruction-time is 1 unit = 1 instruction at 1 ns, not "
                   "wall time.</p>\n", t->n, stage);
        svg_trend(f, t, "wall", stage);
        svg_trend(f, t, "insn", stage);
        fputs("</body></html>\n", f);
}

static int write_html(const struct trend *t, const char *stage, const char *db, const char *path)
{
        struct history_page pg = { t, stage, db };
        return write_stream_atomic(path, html_page, &pg);
}

static int write_json(const struct trend *t, const char *stage, const char *db, const char *path)
{
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(o, "schema_version", json_object_new_int(HISTORY_SCHEMA_VERSION));
        json_object_object_add(o, "database", json_object_new_string(db));
        json_object_object_add(o, "stage", json_object_new_string(stage));
        for (size_t i = 0; i < t->n; i++) {
                const struct point *p = &t->p[i];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "bench", json_object_new_int64(p->bench));
                json_object_object_add(e, "recorded_at", json_object_new_string(p->when));
                json_object_object_add(e, "label", json_object_new_string(p->label));
                json_object_object_add(e, "clock", json_object_new_string(p->clock));
                json_object_object_add(e, "accel", json_object_new_string(p->accel));
                json_object_object_add(e, "variant", json_object_new_string(p->variant));
                json_object_object_add(e, "kernel", json_object_new_string(p->kernel));
                json_object_object_add(e, "appliance", json_object_new_string(p->appliance));
                json_object_object_add(e, "machine", json_object_new_string(p->machine));
                json_object_object_add(e, "unit", json_object_new_string(p->unit));
                json_object_object_add(e, "median_ms", json_num_or_null(p->median));
                json_object_object_add(e, "spread_pct", json_num_or_null(p->spread));
                json_object_object_add(e, "n", json_object_new_int64(p->n));
                json_object_array_add(a, e);
        }
        json_object_object_add(o, "records", a);
        return json_write_file(o, path);
}

static void usage(FILE *f)
{
        fprintf(f, "Usage: leanboot history [DB] [--stage STAGE] [--label L] [--clock wall|insn] [--json FILE] [--html FILE]\n"
                   "The benches recorded with bench --record (DB default: $XDG_DATA_HOME/leanboot/history.db):\n"
                   "each variant's median for STAGE (default total), oldest first, with its spread.  --html\n"
                   "draws it (time on x, the stage on y, one mark per recorded bench; hover for details),\n"
                   "wall-clock and instruction-clock figures in separate charts.\n");
}

int cmd_history(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "stage", required_argument, NULL, 's' }, { "label", required_argument, NULL, 'l' },
                { "clock", required_argument, NULL, 'c' }, { "json", required_argument, NULL, 'j' },
                { "html", required_argument, NULL, 'H' },  { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *stage = "total", *label = NULL, *clock = NULL, *json = NULL, *html = NULL, *db = NULL;
        enum guest_clock gc;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (db)
                                return log_error_status(EXIT_USAGE, "history: unexpected argument '%s' (one database at most)", optarg);
                        db = optarg;
                        break;
                case 's':
                        if (stage_from_name(optarg) < 0)
                                return log_error_status(EXIT_USAGE, "history: --stage '%s': not a stage (total, kernel, initcalls, ...)", optarg);
                        stage = optarg;
                        break;
                case 'l': label = optarg; break;
                case 'c':
                        if (guest_clock_from_string(optarg, &gc) < 0)
                                return log_error_status(EXIT_USAGE, "history: --clock '%s': expected wall or insn", optarg);
                        clock = optarg;
                        break;
                case 'j': json = optarg; break;
                case 'H': html = optarg; break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_USAGE, "history: unknown option or missing value: '%s' (see leanboot history --help)",
                                                argv[optind - 1]);
                }
        }
        sqlite3 *h = NULL;
        int r = history_open(db, false, &h);
        _cleanup_free_ char *path = history_default_path(db);
        struct trend t = { 0 };
        r = r ?: load_trend(h, stage, label, clock, &t);
        sqlite3_close(h);
        if (r < 0) {
                trend_free(&t);
                return r == -ENOENT ? EXIT_USAGE : EXIT_RUNTIME;
        }
        if (!t.n)
                printf("history: %s has no recorded figures for stage %s%s%s\n", path, stage, label ? " with label " : "",
                       label ? label : "");
        else
                print_trend(&t, stage);
        int status = 0;
        if (json && (r = write_json(&t, stage, path, json)) < 0)
                status = EXIT_RUNTIME, log_error_errno(r, "history: cannot write %s", json);
        if (html && (r = write_html(&t, stage, path, html)) < 0)
                status = EXIT_RUNTIME, log_error_errno(r, "history: cannot write %s", html);
        trend_free(&t);
        return status;
}
