/* Statistics against hand-checked values and standard t-table entries. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "tap.h"
#include "common/macro.h"
#include "common/stats.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void test_summary(void)
{
        struct summary s;
        double odd[] = { 5, 1, 4, 2, 3 };
        CHECK(summarize(odd, 5, &s) == 0, "summarize");
        CHECK(s.median == 3 && s.mean == 3 && s.min == 1 && s.max == 5, "median, mean, min, max of 1..5");
        CHECK(NEAR(s.sd, sqrt(2.5), 1e-12), "sample sd of 1..5 is sqrt(2.5) (got %g)", s.sd);
        double even[] = { 10, 2, 4, 8 };
        summarize(even, 4, &s);
        CHECK(s.median == 6, "median of an even count is the mean of the middle two (%g)", s.median);
        double one[] = { 7 };
        summarize(one, 1, &s);
        CHECK(s.n == 1 && s.median == 7 && isnan(s.sd), "n = 1: no sd (NaN), said honestly");
        CHECK(summarize(one, 0, &s) < 0, "n = 0 is refused");
}

static void test_welch(void)
{
        /* Hand-checked: means 3 and 5, variances 2.5 each, n = 5: se = 1, t = 2, df = 8.
         * t-table: t(0.995, 8) = 3.355 (the 99% interval, beside p < 0.01); two-sided p for t = 2
         * with 8 df = 0.0805. */
        double a[] = { 1, 2, 3, 4, 5 }, b[] = { 3, 4, 5, 6, 7 };
        struct comparison c;
        CHECK(compare_welch(a, 5, b, 5, &c) == 0, "compare");
        CHECK(NEAR(c.diff, 2, 1e-12) && NEAR(c.t, 2, 1e-12), "diff 2, t 2 (got %g, %g)", c.diff, c.t);
        CHECK(NEAR(c.df, 8, 1e-9), "df 8 (got %g)", c.df);
        CHECK(NEAR(c.p_value, 0.0805, 0.0001), "p = 0.0805 (got %.5f)", c.p_value);
        CHECK(NEAR(c.ci_lo, 2 - 3.355, 0.001) && NEAR(c.ci_hi, 2 + 3.355, 0.001), "99%% CI 2 +- 3.355 (got [%g, %g])",
              c.ci_lo, c.ci_hi);
        CHECK(NEAR(c.ratio, 5.0 / 3.0, 1e-12), "ratio of medians 5/3");
        CHECK(!c.significant, "p = 0.08 is not significant at 0.01");
        CHECK(NEAR(c.effect_pct, 200.0 / 3.0, 1e-9), "effect +66.7%% of A's mean (got %g)", c.effect_pct);

        /* Unequal variances and sizes: a = {10,12,14} (var 4), b = {20,21,22,23,24,25,26} (var 14/3).
         * se = sqrt(4/3 + 2/3) = sqrt(2); df = 4 / ((4/3)^2/2 + (2/3)^2/6) = 4 / (52/54) = 216/52;
         * t = 11/sqrt(2) = 7.78, which with 4.15 df is p = 0.0013. */
        double a2[] = { 10, 12, 14 }, b2[] = { 20, 21, 22, 23, 24, 25, 26 };
        compare_welch(a2, 3, b2, 7, &c);
        CHECK(NEAR(c.df, 216.0 / 52.0, 1e-9), "Welch df 216/52 (got %g)", c.df);
        CHECK(NEAR(c.t, 11 / sqrt(2), 1e-9), "t = 11/sqrt(2)");
        CHECK(NEAR(c.p_value, 0.0013, 0.0001) && c.significant, "p = 0.0013, significant (p %g)", c.p_value);
        /* The interval and the verdict agree: significant at 0.01, so the 99% interval excludes 0. */
        CHECK(c.ci_lo > 0, "significant at p < 0.01: the 99%% interval excludes 0 (got [%g, %g])", c.ci_lo, c.ci_hi);

        /* The spread: (max - min) / median. */
        struct summary sp;
        summarize(b2, 7, &sp);
        CHECK(NEAR(sp.spread, 100.0 * 6 / 23, 1e-9), "spread (26 - 20) / 23 = 26.1%% (got %g)", sp.spread);

        /* Identical constant samples: no difference, p = 1. */
        double k[] = { 4, 4, 4 };
        compare_welch(k, 3, k, 3, &c);
        CHECK(c.diff == 0 && c.p_value == 1.0 && !c.significant, "A/A with no spread: p = 1");

        /* n = 1 on one side: no p-value, no verdict. */
        double one[] = { 3 };
        compare_welch(one, 1, b, 5, &c);
        CHECK(isnan(c.p_value) && isnan(c.ci_lo) && !c.significant, "n = 1: no p-value");
        char *v = verdict_text(&c, "ms", 0.5);
        CHECK(v && strstr(v, "no verdict"), "n = 1 verdict says why: %s", v);
        free(v);
}

static void test_verdict(void)
{
        struct comparison c = { .ratio = 0.19, .diff = -412.4, .p_value = 0.0002, .significant = true, .effect_pct = -81.02 };
        char *v = verdict_text(&c, "ms", 0.5);
        CHECK_STR(v, "B is 412 ms faster (-81%), p < 0.001", "faster verdict");
        free(v);
        c = (struct comparison){ .diff = 300.2, .p_value = 0.0042, .significant = true, .effect_pct = 5.003 };
        v = verdict_text(&c, "ms", 0.5);
        CHECK_STR(v, "B is 300 ms slower (+5%), p = 0.004", "slower verdict");
        free(v);
        c = (struct comparison){ .diff = 12, .p_value = 0.42, .significant = false, .effect_pct = 0.2 };
        v = verdict_text(&c, "ms", 0.5);
        CHECK_STR(v, "no significant difference (p = 0.420)", "no difference");
        free(v);
        /* The instruction clock's A/A: exact enough that 0.008 ms is "significant", and too small to matter. */
        c = (struct comparison){ .diff = 0.008, .p_value = 0.0001, .significant = true, .effect_pct = 0.001 };
        v = verdict_text(&c, "insn-ms", 0.5);
        CHECK_STR(v, "B is 0.01 insn-ms slower (+0.00%), p < 0.001: too small to matter (under 0.5%)", "too small to matter");
        CHECK(!comparison_matters(&c, 0.5) && comparison_matters(&c, 0), "matters only over the minimum effect");
        free(v);
        /* A 1% change under the instruction clock: it matters. */
        c = (struct comparison){ .diff = -0.27, .p_value = 0.00001, .significant = true, .effect_pct = -1.0 };
        v = verdict_text(&c, "insn-ms", 0.5);
        CHECK_STR(v, "B is 0.27 insn-ms faster (-1%), p < 0.001", "a 1% change is a finding");
        free(v);
}

int main(void)
{
        test_summary();
        test_welch();
        test_verdict();
        return tap_done();
}
