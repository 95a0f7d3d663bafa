/* Statistics for boot timings: per-stage summaries and A/B comparison.
 *
 * The comparison is Welch's t-test (unequal variances): difference of means B - A with a 95%
 * confidence interval and a two-sided p-value, the t distribution from GSL.  The ratio is of
 * medians (B/A), which outliers move less.  A verdict is only claimed at p < STATS_ALPHA. */
#ifndef LEANBOOT_STATS_H
#define LEANBOOT_STATS_H

#include <stdbool.h>
#include <stddef.h>

#define STATS_ALPHA 0.01

struct summary {
        size_t n;
        double median, mean, sd, min, max; /* sd is the sample sd (n - 1); NaN when n < 2 */
};

struct comparison {
        double ratio;          /* median(B) / median(A) */
        double diff;           /* mean(B) - mean(A) */
        double ci_lo, ci_hi;   /* 95% confidence interval of diff; NaN when not computable */
        double p_value;        /* two-sided; NaN when either side has n < 2 */
        double t, df;
        bool significant;      /* p_value < STATS_ALPHA */
};

int summarize(const double *x, size_t n, struct summary *ret);
int compare_welch(const double *a, size_t na, const double *b, size_t nb, struct comparison *ret);
/* "B is 412 ms faster (-81%), p < 0.001", "no significant difference (p = 0.42)", or why there
 * is no verdict.  Percent is relative to A's mean.  malloc'd. */
char *verdict_text(const struct comparison *c, double mean_a, const char *unit);
/* "p < 0.001" or "p = 0.042" (static buffer is not used: writes into buf). */
void format_p(double p, char *buf, size_t len);

#endif
