/* Self-contained SVG charts (no scripts, no external resources). */
#ifndef LEANBOOT_CHART_H
#define LEANBOOT_CHART_H

#include <stdio.h>
#include "initcall.h"

/* An initcall timeline like bootgraph (times in UNIT, as svg_stages): each call a bar at its start time and as wide as its
 * duration; overlapping calls are packed into rows.  Calls shorter than min_us are left out
 * (their count is said in the caption). */
void svg_initcalls(FILE *f, const struct initcall_log *l, long long min_us, int width, const char *unit);

/* Stage bars: one row per variant, one segment per stage (values in ms).  UNIT labels the
 * figures: "ms", or "insn-ms" for instruction-time. */
void svg_stages(FILE *f, const char *const *variants, size_t n_variants, const char *const *stages,
                size_t n_stages, const double *ms /* [variant][stage] */, int width, const char *unit);

/* Text made safe for XML/HTML. */
void xml_escape(FILE *f, const char *s);

#endif
