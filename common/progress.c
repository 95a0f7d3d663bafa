/* Progress lines (progress.h). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "progress.h"

/* A progress line is drawn on the terminal and not yet ended or cleared. */
static bool line_drawn;

void progress_clear_line(void)
{
        if (line_drawn) {
                fputs("\r\033[K", stderr);
                line_drawn = false;
        }
}

void progress_start(struct progress *p, const char *what, const char *unit)
{
        /* --quiet (log level 0 or below) keeps only warnings and errors: no progress either. */
        *p = (struct progress){ .what = what, .unit = unit, .tty = isatty(STDERR_FILENO) == 1, .t0 = now_sec(),
                                .quiet = log_get_level() < 1 };
        p->last_plain = p->t0;
}

static void format_line(const struct progress *p, char *buf, size_t size, size_t done, size_t total, bool estimated,
                        const char *detail)
{
        double el = now_sec() - p->t0;
        char count[96], eta[48] = "";
        if (total && !estimated)
                snprintf(count, sizeof count, "%zu/%zu %s", done, total, p->unit);
        else if (total)
                snprintf(count, sizeof count, "%zu %s, about %.0f%% (of %zu in the last such build)", done, p->unit,
                         done >= total ? 99.0 : 100.0 * (double)done / (double)total, total);
        else
                snprintf(count, sizeof count, "%zu %s", done, p->unit);
        if (total && done && done < total) {
                double left = fmin(el / (double)done * (double)(total - done), 359999); /* under 100 h */
                snprintf(eta, sizeof eta, ", ETA %dm%02ds", (int)left / 60, (int)left % 60);
        }
        snprintf(buf, size, "%s: %s%s%s, %.0f s elapsed%s", p->what, count, detail ? ", " : "", detail ? detail : "", el,
                 eta);
}

void progress_update(struct progress *p, size_t done, size_t total, bool estimated, const char *detail)
{
        char line[256];
        double now = now_sec();
        /* A terminal is redrawn at most a few times a second, a log every PROGRESS_PLAIN_SECONDS. */
        if (p->quiet || now - p->last_plain < (p->tty ? 0.25 : PROGRESS_PLAIN_SECONDS))
                return;
        format_line(p, line, sizeof line, done, total, estimated, detail);
        if (p->tty) {
                fprintf(stderr, "\r\033[K%s", line);
                line_drawn = true;
        } else {
                fprintf(stderr, "leanboot: %s\n", line);
        }
        p->last_plain = now;
        fflush(stderr);
}

void progress_end(struct progress *p, size_t done, size_t total, const char *detail)
{
        char line[256];
        if (p->quiet)
                return;
        format_line(p, line, sizeof line, done, total, total == 0, detail);
        if (p->tty)
                fprintf(stderr, "\r\033[K%s\n", line);
        else
                fprintf(stderr, "leanboot: %s\n", line);
        line_drawn = false;
        fflush(stderr);
}
