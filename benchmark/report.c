/* A bench's results from its samples: summaries, comparisons, initcall diffs (report.h). */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/spawn.h"
#include "../common/stats.h"

static char *first_line_of(char *const *argv)
{
        _cleanup_free_ char *out = NULL, *err = NULL;
        if (run_capture(argv, &out, &err) != 0)
                return strdup("unknown");
        out[strcspn(out, "\n")] = '\0';
        return strdup(out);
}

static char *cpu_model(void)
{
        _cleanup_free_ char *info = NULL;
        if (read_full_file("/proc/cpuinfo", &info, NULL) < 0)
                return strdup("unknown");
        char *m = strstr(info, "model name");
        if (!m || !(m = strchr(m, ':')))
                return strdup("unknown");
        m += 2;
        return strndup(m, strcspn(m, "\n"));
}

static void variant_summarize(struct variant *v)
{
        double *x = calloc(v->n + 1, sizeof *x);
        for (int s = 0; s < N_STAGES && x; s++) {
                size_t k = 0;
                for (size_t i = 0; i < v->n; i++)
                        if (!isnan(v->samples[i].st[s]))
                                x[k++] = v->samples[i].st[s];
                v->has[s] = k > 0;
                if (k)
                        summarize(x, k, &v->sum[s]);
        }
        free(x);
}

static void stage_values(const struct variant *v, enum stage s, double **ret, size_t *ret_n)
{
        double *x = calloc(v->n + 1, sizeof *x);
        size_t k = 0;
        for (size_t i = 0; x && i < v->n; i++)
                if (!isnan(v->samples[i].st[s]))
                        x[k++] = v->samples[i].st[s];
        *ret = x;
        *ret_n = k;
}

const char *const ic_change_names[] = { "", "slower", "faster", "dropped", "added" };

/* The initcall's duration (ms) in each boot of V that has it: *ret (malloc'd, may be NULL) and *ret_n. */
static void initcall_values(const struct variant *v, const char *name, const char *module, unsigned occ, double **ret,
                            size_t *ret_n)
{
        double *x = calloc(v->n + 1, sizeof *x);
        size_t k = 0;
        for (size_t i = 0; x && i < v->n; i++) {
                ssize_t j = initcall_find(&v->samples[i].ic, name, module, occ);
                if (j >= 0)
                        x[k++] = (double)v->samples[i].ic.calls[j].usecs / 1000.0;
        }
        *ret = x;
        *ret_n = k;
}

double variant_initcall_median(const struct variant *v, const char *name, const char *module, unsigned occ)
{
        double *x;
        size_t k;
        initcall_values(v, name, module, occ, &x, &k);
        struct summary s = { 0 };
        double m = k ? (summarize(x, k, &s), s.median) : NAN;
        free(x);
        return m;
}

/* Dropped, added, or (with enough boots on both sides) slower or faster beyond the noise.  With
 * hundreds of initcalls in both variants, a test at p < 0.01 on each would tag a few in an A/A
 * run by chance: each is tested at STATS_ALPHA / TESTS (Bonferroni), so the chance of any false
 * tag in the table stays under STATS_ALPHA. */
static enum ic_change initcall_change(const struct report *rp, const struct ic_key *key, size_t tests)
{
        if (isnan(key->med_b))
                return IC_DROPPED;
        if (isnan(key->med_a))
                return IC_ADDED;
        double *a, *b;
        size_t na, nb;
        initcall_values(&rp->v[0], key->name, key->module, key->occ, &a, &na);
        initcall_values(&rp->v[1], key->name, key->module, key->occ, &b, &nb);
        struct comparison c;
        enum ic_change r = IC_SAME;
        if (a && b && na >= 2 && nb >= 2 && compare_welch(a, na, b, nb, &c) == 0 && comparison_matters(&c, rp->q->min_effect) &&
            c.p_value < STATS_ALPHA / (double)(tests ? tests : 1))
                r = c.diff > 0 ? IC_SLOWER : IC_FASTER;
        free(a);
        free(b);
        return r;
}

void initcall_keys_collect(const struct variant *v, struct ic_key **keys, size_t *n)
{
        for (size_t i = 0; i < v->n; i++) {
                const struct initcall_log *l = &v->samples[i].ic;
                for (size_t j = 0; j < l->n; j++) {
                        const struct initcall *c = &l->calls[j];
                        bool seen = false;
                        for (size_t k = 0; k < *n && !seen; k++)
                                seen = (*keys)[k].occ == c->occurrence && streq((*keys)[k].name, c->name) &&
                                       streq((*keys)[k].module, c->module);
                        if (seen)
                                continue;
                        struct ic_key *nk = realloc(*keys, (*n + 1) * sizeof *nk);
                        if (!nk)
                                return;
                        *keys = nk;
                        nk[(*n)++] = (struct ic_key){ c->name, c->module, c->occurrence, NAN, NAN, IC_SAME };
                }
        }
}

static double absdiff(const struct ic_key *k)
{
        double a = isnan(k->med_a) ? 0 : k->med_a, b = isnan(k->med_b) ? 0 : k->med_b;
        return fabs(b - a);
}

static int by_absdiff(const void *x, const void *y)
{
        double a = absdiff(x), b = absdiff(y);
        return (b > a) - (b < a);
}

int initcall_key_by_a(const void *x, const void *y)
{
        const struct ic_key *a = x, *b = y;
        return (b->med_a > a->med_a) - (b->med_a < a->med_a);
}

/* Is stage s measured in at least one variant (a row worth printing)? */
bool report_has_stage(const struct report *rp, int s)
{
        for (size_t i = 0; i < rp->nv; i++)
                if (rp->v[i].has[s])
                        return true;
        return false;
}

/* The boot whose total is closest to the median: the one drawn in the report. */
const struct sample *variant_median_sample(const struct variant *v)
{
        const struct sample *best = NULL;
        for (size_t i = 0; i < v->n; i++)
                if (!best || fabs(v->samples[i].st[ST_TOTAL] - v->sum[ST_TOTAL].median) <
                                     fabs(best->st[ST_TOTAL] - v->sum[ST_TOTAL].median))
                        best = &v->samples[i];
        return best;
}

const char *report_machines(const struct report *rp)
{
        if (rp->nv == 2 && rp->v[0].machine != rp->v[1].machine)
                return rp->v[0].machine == MACHINE_PC ? "pc, microvm" : "microvm, pc";
        return machine_name(rp->v[0].machine);
}

void report_compute(struct report *rp)
{
        char *qv[] = { (char *)qemu_binary(), "--version", NULL };
        rp->qemu = first_line_of(qv);
        rp->cpu = cpu_model();
        for (size_t i = 0; i < rp->nv; i++)
                variant_summarize(&rp->v[i]);
        if (rp->nv == 2 && rp->v[0].n && rp->v[1].n) {
                for (int s = 0; s < N_STAGES; s++) {
                        if (!rp->v[0].has[s] || !rp->v[1].has[s])
                                continue;
                        double *a, *b;
                        size_t na, nb;
                        stage_values(&rp->v[0], s, &a, &na);
                        stage_values(&rp->v[1], s, &b, &nb);
                        if (a && b && compare_welch(a, na, b, nb, &rp->cmp[s]) == 0)
                                rp->verdict[s] = verdict_text(&rp->cmp[s], guest_clock_unit(rp->accel->clock), rp->q->min_effect);
                        free(a);
                        free(b);
                }
                initcall_keys_collect(&rp->v[0], &rp->keys, &rp->nkeys);
                initcall_keys_collect(&rp->v[1], &rp->keys, &rp->nkeys);
                for (size_t k = 0; k < rp->nkeys; k++) {
                        rp->keys[k].med_a = variant_initcall_median(&rp->v[0], rp->keys[k].name, rp->keys[k].module, rp->keys[k].occ);
                        rp->keys[k].med_b = variant_initcall_median(&rp->v[1], rp->keys[k].name, rp->keys[k].module, rp->keys[k].occ);
                }
                size_t both = 0;
                for (size_t k = 0; k < rp->nkeys; k++)
                        both += !isnan(rp->keys[k].med_a) && !isnan(rp->keys[k].med_b);
                for (size_t k = 0; k < rp->nkeys; k++)
                        rp->keys[k].change = initcall_change(rp, &rp->keys[k], both);
                if (rp->nkeys > 1) /* qsort's array may not be NULL, even empty */
                        qsort(rp->keys, rp->nkeys, sizeof *rp->keys, by_absdiff);
        }
}

void report_done(struct report *rp)
{
        for (int s = 0; s < N_STAGES; s++)
                free(rp->verdict[s]);
        free(rp->keys);
        free(rp->qemu);
        free(rp->cpu);
}
