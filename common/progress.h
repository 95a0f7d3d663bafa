/* Progress of a long job (boots of a bench, objects of a kernel build) on stderr.
 *
 * On a terminal: one line, redrawn in place; any log message clears it first (log.c calls
 * progress_clear_line), so the two never share a line, and the next update draws it again.
 * Off a terminal (CI logs, a pipe): a plain line at most every PROGRESS_PLAIN_SECONDS, and at
 * the end, so a log shows the job moving without a line per step. */
#ifndef LEANBOOT_PROGRESS_H
#define LEANBOOT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#define PROGRESS_PLAIN_SECONDS 10.0

struct progress {
        const char *what;  /* "bench", "kernel build" */
        const char *unit;  /* "boots", "objects" */
        bool tty, quiet;
        double t0, last_plain; /* start; the last line shown */
};

void progress_start(struct progress *p, const char *what, const char *unit);
/* DONE of TOTAL (TOTAL 0: unknown; ESTIMATED: TOTAL is a guess, said as such); DETAIL (may be
 * NULL) after the count. */
void progress_update(struct progress *p, size_t done, size_t total, bool estimated, const char *detail);
/* The job ended with DONE of TOTAL (0: no total): the terminal line ends too (the last update
 * stays), a plain last line. */
void progress_end(struct progress *p, size_t done, size_t total, const char *detail);
/* Clear the terminal's progress line if one is drawn (before another message). */
void progress_clear_line(void);

#endif
