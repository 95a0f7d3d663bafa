/* Self-contained SVG charts (no scripts, no external resources). */
#ifndef LEANBOOT_CHART_H
#define LEANBOOT_CHART_H

#include <stdio.h>

#include "../common/initcall.h"

/* What an initcall's colour means: N classes, each with a legend name and a colour; classify
 * gives an initcall's class (bench: how it changed from A to B; analyze: built in or module). */
struct ic_classes {
        size_t n;
        const char *const *names;
        const char *const *colours;
        size_t (*classify)(const struct initcall *c, const void *ctx);
        const void *ctx;
};

/* An initcall timeline like bootgraph's (kernel time in UNIT on x): a top row with every initcall
 * that has a start time, then the TOP_N longest, one named row each in time order; a time axis
 * with round ticks; a legend of the classes present. */
void svg_initcalls(FILE *f, const struct initcall_log *l, size_t top_n, const struct ic_classes *cls, int width,
                   const char *unit);
/* Stage bars: one row per variant, one segment per stage (values in UNIT: "ms", or "insn-ms"
 * for instruction-time), each the value given (the report's per-stage medians), laid end to end
 * on a time axis, their sum at the row's end. */
void svg_stages(FILE *f, const char *const *variants, size_t n_variants, const char *const *stages,
                size_t n_stages, const double *ms /* [variant][stage] */, int width, const char *unit);
/* A round step for about TARGET ticks over RANGE: 1, 2 or 5 times a power of ten. */
double chart_tick_step(double range, int target);

#endif
