/* Statistics for boot timings: per-stage summaries and A/B comparison.
 *
 * The comparison is Welch's t-test (unequal variances): difference of means B - A with a
 * confidence interval at the level the verdict uses (99% beside p < 0.01: an interval that
 * excludes 0 exactly when the verdict says "significant") and a two-sided p-value, the t
 * distribution from GSL.  The ratio is of medians (B/A), which outliers move less.  A verdict is
 * only claimed at p < STATS_ALPHA, and a difference smaller than the minimum effect asked for is
 * "too small to matter" (Firecracker's A/B rule: significant and large enough). */
#ifndef LEANBOOT_STATS_H
#define LEANBOOT_STATS_H

#include <stdbool.h>
#include <stddef.h>

#define STATS_ALPHA 0.01
/* The confidence interval's level, as a label: 1 - STATS_ALPHA. */
#define STATS_CI_LABEL "99% CI"
/* The minimum effect (percent of A's mean) below which a significant difference does not
 * count, unless asked otherwise: under the instruction clock a stage repeats to a few
 * thousandths of a percent, and a 0.01% "significant" change is not a finding. */
#define STATS_MIN_EFFECT_DEFAULT 0.5

struct summary {
        size_t n;
        double median, mean, sd, min, max; /* sd is the sample sd (n - 1); NaN when n < 2 */
        double spread;         /* (max - min) / median, in percent: how far one boot can be
                                * trusted; NaN when n < 2 or the median is 0 */
};

struct comparison {
        double ratio;          /* median(B) / median(A) */
        double diff;           /* mean(B) - mean(A) */
        double ci_lo, ci_hi;   /* confidence interval of diff at 1 - STATS_ALPHA; NaN when not computable */
        double p_value;        /* two-sided; NaN when either side has n < 2 */
        double t, df;
        bool significant;      /* p_value < STATS_ALPHA */
        double effect_pct;     /* 100 * diff / mean(A); NaN when mean(A) is 0 */
};

int summarize(const double *x, size_t n, struct summary *ret);
int compare_welch(const double *a, size_t na, const double *b, size_t nb, struct comparison *ret);
/* Significant, and at least min_effect_pct percent of A's mean either way. */
bool comparison_matters(const struct comparison *c, double min_effect_pct);
/* "B is 412 ms faster (-81%), p < 0.001", "no significant difference (p = 0.420)", "B is 0.02 ms
 * slower (+0.00%), p < 0.001: too small to matter (under 0.5%)", or why there is no verdict.
 * Percent is relative to A's mean.  malloc'd. */
char *verdict_text(const struct comparison *c, const char *unit, double min_effect_pct);
/* "p < 0.001" or "p = 0.042" (static buffer is not used: writes into buf). */
void format_p(double p, char *buf, size_t len);

#endif
