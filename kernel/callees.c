/* An initcall's callees, breadth first through the built objects' relocations (callees.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callees.h"
#include "kmakefile.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* A global name defined by several objects: a weak default and its overrides, or objects left
 * in the tree from an earlier configuration.  Beyond this many, the name is not followed. */
#define MAX_DEFINERS 3

struct walk {
        const struct objsyms *idx;
        const char *tree;
        struct callee *v;
        size_t n, max;
        const char *root, *root_object; /* the initcall: reached again, it is not its own callee */
};

static bool seen(const struct walk *w, const char *function, const char *object)
{
        for (size_t i = 0; i < w->n; i++)
                if (streq(w->v[i].function, function) && streq(w->v[i].object, object))
                        return true;
        return false;
}

static int add(struct walk *w, const char *function, const char *object, const char *via, int depth)
{
        if (w->n >= w->max || seen(w, function, object) || (streq(function, w->root) && streq(object, w->root_object)))
                return 0;
        struct callee *more = realloc(w->v, (w->n + 1) * sizeof *more);
        if (!more)
                return -ENOMEM;
        w->v = more;
        struct callee *c = &w->v[w->n];
        *c = (struct callee){ strdup(function), strdup(object), NULL, depth };
        if (via) {
                if (asprintf(&c->path, "%s > %s", via, function) < 0)
                        c->path = NULL;
        } else
                c->path = strdup(function);
        w->n++;
        return c->function && c->object && c->path ? 0 : -ENOMEM;
}

/* NAME is a part of FUNCTION the compiler split off (FUNCTION.cold, FUNCTION.part.0): its calls
 * are FUNCTION's own, at FUNCTION's depth. */
static bool part_of(const char *name, const char *function)
{
        size_t n = strlen(function);
        return !strncmp(name, function, n) && name[n] == '.';
}

/* The functions FUNCTION of OBJECT refers to, added at DEPTH with VIA before them. */
static int expand(struct walk *w, const char *object, const char *function, const char *via, int depth)
{
        if (w->n >= w->max)
                return 0;
        _cleanup_free_ char *path = path_join(w->tree, object);
        _cleanup_strv_free_ char **here = NULL, **elsewhere = NULL;
        if (!path)
                return -ENOMEM;
        int r = elf_function_callees(path, function, &here, &elsewhere);
        if (r < 0)
                return r;
        for (char **h = here; r >= 0 && h && *h; h++) {
                bool part = part_of(*h, function) && !seen(w, *h, object);
                r = add(w, *h, object, via, depth);
                if (r >= 0 && part)
                        r = expand(w, object, *h, via, depth);
                if (r < 0 && r != -ENOMEM)
                        r = 0;
        }
        for (char **e = elsewhere; r >= 0 && e && *e; e++) {
                size_t first = 0, n = objsyms_find(w->idx, *e, &first), globals = 0;
                for (size_t k = first; k < first + n; k++)
                        globals += w->idx->v[k].global;
                for (size_t k = first; r >= 0 && globals <= MAX_DEFINERS && k < first + n; k++)
                        if (w->idx->v[k].global)
                                r = add(w, *e, w->idx->v[k].object, via, depth);
        }
        return r;
}

int callees_reached(const struct objsyms *idx, const char *tree, const char *object, const char *function, int depth,
                    size_t max, struct callee **ret, size_t *ret_n)
{
        struct walk w = { idx, tree, NULL, 0, max, function, object };
        int r = expand(&w, object, function, NULL, 1);
        /* Each level is the previous one's callees: W grows while it is read, so by index. */
        size_t from = 0;
        for (int d = 2; r >= 0 && d <= depth; d++) {
                size_t to = w.n;
                for (size_t i = from; r >= 0 && i < to && w.n < max; i++) {
                        _cleanup_free_ char *obj = strdup(w.v[i].object), *fn = strdup(w.v[i].function), *via = strdup(w.v[i].path);
                        r = obj && fn && via ? expand(&w, obj, fn, via, d) : -ENOMEM;
                        if (r < 0 && r != -ENOMEM)
                                r = 0; /* gone from the tree, or not an object: nothing to follow */
                }
                from = to;
        }
        if (r < 0) {
                callees_free(w.v, w.n);
                return r;
        }
        *ret = w.v;
        *ret_n = w.n;
        return 0;
}

void callees_free(struct callee *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].function);
                free(c[i].object);
                free(c[i].path);
        }
        free(c);
}

int callees_options(const struct objsyms *idx, const char *tree, const char *src, const char *object, const char *function,
                    int depth, size_t max, char ***ret_options, char ***ret_paths)
{
        struct callee *c = NULL;
        size_t n = 0;
        _cleanup_strv_free_ char **own = NULL, **options = NULL, **paths = NULL;
        int r = kmakefile_object_options(src, object, &own);
        if (r == -ENOMEM)
                return r;
        r = callees_reached(idx, tree, object, function, depth, max, &c, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_strv_free_ char **opts = NULL;
                int k = kmakefile_object_options(src, c[i].object, &opts);
                if (k == -ENOMEM)
                        r = k;
                /* The naming option: the one whose cut takes that object out. */
                if (k < 0 || !opts || strv_contains(own, opts[0]) || strv_contains(options, opts[0]) || strchr(opts[0], '|'))
                        continue;
                r = strv_push(&options, opts[0]);
                r = r ?: strv_pushf(&paths, "%s (%s)", c[i].path, c[i].object);
        }
        callees_free(c, n);
        if (r < 0)
                return r;
        *ret_options = TAKE_PTR(options);
        *ret_paths = TAKE_PTR(paths);
        return 0;
}
