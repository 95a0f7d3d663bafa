/* param_sysfs_init's cost shared among the options that declare module parameters (paramcost.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "paramcost.h"
#include "kmakefile.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* OPTION of kmakefile_object_options is on in REF: "A|B" (either builds it) when one of them is. */
static bool built_by(const struct kconfig *ref, const char *option)
{
        _cleanup_free_ char *copy = strdup(option);
        for (char *save = NULL, *o = copy ? strtok_r(copy, "|", &save) : NULL; o; o = strtok_r(NULL, "|", &save))
                if (streq(kconfig_value(ref, o), "y"))
                        return true;
        return false;
}

static int by_share(const void *a, const void *b)
{
        const struct param_share *x = a, *y = b;
        return x->share < y->share ? 1 : x->share > y->share ? -1 : strcmp(x->option, y->option);
}

int param_shares(const struct objsyms *idx, const char *src, const struct kconfig *ref, struct param_share **ret, size_t *ret_n)
{
        struct param_share *v = NULL;
        size_t n = 0;
        double whole = 0;
        unsigned *most = NULL; /* the parameters of each share's object */
        int r = 0;
        for (size_t i = 0; r >= 0 && i < idx->nparams; i++) {
                const struct objparams *p = &idx->params[i];
                _cleanup_strv_free_ char **opts = NULL;
                if (kmakefile_object_options(src, p->object, &opts) < 0)
                        continue; /* no Makefile names it: not this tree's kernel */
                bool built = true;
                for (char **o = opts; o && *o; o++)
                        built &= built_by(ref, *o);
                if (!built)
                        continue; /* an object of a configuration tried before (the tree keeps them) */
                double w = (double)p->visible + (double)p->visible * p->visible;
                whole += w;
                if (!opts || strchr(opts[0], '|'))
                        continue; /* every kernel builds it, or no one option does */
                size_t k = 0;
                while (k < n && !streq(v[k].option, opts[0]))
                        k++;
                if (k == n) {
                        struct param_share *more = realloc(v, (n + 1) * sizeof *more);
                        unsigned *m = realloc(most, (n + 1) * sizeof *m);
                        if (more)
                                v = more;
                        if (m)
                                most = m;
                        if (!more || !m || !(v[n].option = strdup(opts[0]))) {
                                r = -ENOMEM;
                                break;
                        }
                        v[n].params = 0;
                        v[n].share = 0;
                        v[n].object = NULL;
                        most[n++] = 0;
                }
                v[k].params += p->visible;
                v[k].share += w;
                if (p->visible > most[k]) {
                        free(v[k].object);
                        most[k] = p->visible;
                        if (!(v[k].object = strdup(p->object)))
                                r = -ENOMEM;
                }
        }
        free(most);
        if (r < 0) {
                param_shares_free(v, n);
                return r;
        }
        for (size_t k = 0; k < n; k++)
                v[k].share = whole > 0 ? v[k].share / whole : 0;
        if (n > 1)
                qsort(v, n, sizeof *v, by_share);
        *ret = v;
        *ret_n = n;
        return 0;
}

void param_shares_free(struct param_share *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].option);
                free(v[i].object);
        }
        free(v);
}
