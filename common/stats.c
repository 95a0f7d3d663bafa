#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

int summarize(const double *x, size_t n, struct summary *ret)
{
        if (n == 0)
                return -EINVAL;
        double *s = malloc(n * sizeof *s);
        if (!s)
                return -ENOMEM;
        memcpy(s, x, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_double);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
                sum += s[i];
        double mean = sum / (double)n, ss = 0;
        for (size_t i = 0; i < n; i++)
                ss += (s[i] - mean) * (s[i] - mean);
        *ret = (struct summary){
                .n = n,
                .median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2,
                .mean = mean,
                .sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN,
                .min = s[0],
                .max = s[n - 1],
                .spread = NAN,
        };
        double median = ret->median;
        if (n > 1 && median != 0)
                ret->spread = 100.0 * (s[n - 1] - s[0]) / fabs(median);
        free(s);
        return 0;
}

int compare_welch(const double *a, size_t na, const double *b, size_t nb, struct comparison *ret)
{
        struct summary sa, sb;
        int r = summarize(a, na, &sa);
        if (r < 0 || (r = summarize(b, nb, &sb)) < 0)
                return r;
        struct comparison c = {
                .ratio = sa.median != 0 ? sb.median / sa.median : NAN,
                .diff = sb.mean - sa.mean,
                .ci_lo = NAN, .ci_hi = NAN, .p_value = NAN, .t = NAN, .df = NAN,
                .effect_pct = sa.mean != 0 ? 100.0 * (sb.mean - sa.mean) / fabs(sa.mean) : NAN,
        };
        if (na >= 2 && nb >= 2) {
                double va = sa.sd * sa.sd / (double)na, vb = sb.sd * sb.sd / (double)nb;
                double se = sqrt(va + vb);
                if (se > 0) {
                        c.t = c.diff / se;
                        c.df = (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
                        c.p_value = 2 * gsl_cdf_tdist_Q(fabs(c.t), c.df);
                        double q = gsl_cdf_tdist_Qinv(STATS_ALPHA / 2, c.df);
                        c.ci_lo = c.diff - q * se;
                        c.ci_hi = c.diff + q * se;
                } else {
                        /* No spread at all: the difference is exact. */
                        c.p_value = c.diff == 0 ? 1.0 : 0.0;
                        c.ci_lo = c.ci_hi = c.diff;
                }
                c.significant = c.p_value < STATS_ALPHA;
        }
        *ret = c;
        return 0;
}

void format_p(double p, char *buf, size_t len)
{
        if (isnan(p))
                snprintf(buf, len, "p n/a");
        else if (p < 0.001)
                snprintf(buf, len, "p < 0.001");
        else
                snprintf(buf, len, "p = %.3f", p);
}

bool comparison_matters(const struct comparison *c, double min_effect_pct)
{
        return c->significant && !(fabs(c->effect_pct) < min_effect_pct);
}

char *verdict_text(const struct comparison *c, const char *unit, double min_effect_pct)
{
        char *s = NULL, p[32], small[64] = "";
        format_p(c->p_value, p, sizeof p);
        if (isnan(c->p_value))
                return strdup("no verdict: a comparison needs at least 2 runs of each");
        if (!c->significant)
                return asprintf(&s, "no significant difference (%s)", p) < 0 ? NULL : s;
        if (!comparison_matters(c, min_effect_pct))
                snprintf(small, sizeof small, ": too small to matter (under %g%%)", min_effect_pct);
        /* Small differences keep their decimals: under the instruction clock they are exact. */
        int dd = fabs(c->diff) < 10 ? 2 : 0, pd = fabs(c->effect_pct) < 1 ? 2 : 0;
        if (asprintf(&s, "B is %.*f %s %s (%+.*f%%), %s%s", dd, fabs(c->diff), unit, c->diff < 0 ? "faster" : "slower", pd,
                     c->effect_pct, p, small) < 0)
                return NULL;
        return s;
}
