/* leanboot kernel map TREE LOG: each initcall of a kernel log mapped to the object that defines
 * its function in the kernel's own build tree (objsyms.h) and to the Kconfig options that build
 * that object (kmakefile.h); then the options ranked by the initcall time they bring.  Exact for
 * this source and this build: no name guessing.  What the tailor cuts first. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgwork.h"
#include "callees.h"
#include "kmakefile.h"
#include "kmap.h"
#include "objsyms.h"
#include "../common/exit-status.h"
#include "../common/fileio.h"
#include "../common/initcall.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/parse.h"
#include "../common/strv.h"

bool kmap_single_option(const char *option)
{
        return option && strncmp(option, "CONFIG_", 7) == 0 && !strchr(option, '|');
}

/* The initcall's function: the parser keeps "name" (KALLSYMS) or a raw address, which no object
 * defines. */
static bool is_function_name(const char *name)
{
        return strncmp(name, "0x", 2) != 0;
}

struct mapped {
        const struct initcall *c;
        char *object;  /* NULL: no object of the tree defines it (or several do, see ambiguous) */
        char **options;
        bool unnamed;  /* no Makefile names the object: its options are unknown, not none */
        size_t ambiguous; /* how many objects define a function of that name (static names repeat) */
};

struct cost {
        char *option;
        long long usecs;
        size_t count;
};

/* Add USECS to OPTION's entry in *costs (a new one when it has none). */
static int add_cost(struct cost **costs, size_t *n, const char *option, long long usecs)
{
        size_t j = 0;
        while (j < *n && !streq((*costs)[j].option, option))
                j++;
        if (j == *n) {
                struct cost *more = realloc(*costs, (*n + 1) * sizeof *more);
                if (!more)
                        return -ENOMEM;
                *costs = more;
                if (!(more[j].option = strdup(option)))
                        return -ENOMEM;
                more[j].usecs = 0;
                more[j].count = 0;
                (*n)++;
        }
        (*costs)[j].usecs += usecs;
        (*costs)[j].count++;
        return 0;
}

/* What a mapped initcall's options column says. */
static const char *options_or_why(const struct mapped *m, const char *joined)
{
        return m->unnamed ? "(no Makefile names it)" : joined && *joined ? joined : "(always built)";
}

static int by_usecs_desc(const void *a, const void *b)
{
        const struct mapped *x = a, *y = b;
        return (x->c->usecs < y->c->usecs) - (x->c->usecs > y->c->usecs);
}

static int by_cost_desc(const void *a, const void *b)
{
        const struct cost *x = a, *y = b;
        return (x->usecs < y->usecs) - (x->usecs > y->usecs);
}

/* The one object defining a function; when several do (static names repeat), the one named
 * like the initcall's module (MODULE.o), else none. */
static ssize_t pick_object(const struct objsyms *idx, size_t first, size_t n, const char *module)
{
        if (n == 1)
                return (ssize_t)first;
        if (!module[0])
                return -1;
        for (size_t i = first; i < first + n; i++) {
                const char *base = strrchr(idx->v[i].object, '/');
                base = base ? base + 1 : idx->v[i].object;
                size_t ml = strlen(module);
                if (!strncmp(base, module, ml) && streq(base + ml, ".o"))
                        return (ssize_t)i;
        }
        return -1;
}

/* Map each initcall of L to its object and options; the cost of each naming option added up.
 * *ret_m (l->n entries) and *ret_costs are the caller's to free, also on failure. */
static int map_initcalls(const struct objsyms *idx, const char *src, const struct initcall_log *lp, struct mapped **ret_m,
                         struct cost **ret_costs, size_t *ret_ncost, size_t *ret_mapped, size_t *ret_ambiguous,
                         long long *ret_mapped_us)
{
        const struct initcall_log l = *lp;
        struct mapped *m = calloc(l.n ? l.n : 1, sizeof *m);
        *ret_m = m;
        if (!m)
                return -ENOMEM;
        struct cost *costs = NULL;
        size_t ncost = 0, mapped = 0, ambiguous = 0;
        long long mapped_us = 0;
        int r = 0;
        for (size_t i = 0; i < l.n; i++) {
                const struct initcall *ic = &l.calls[i];
                m[i].c = ic;
                size_t first = 0, n = is_function_name(ic->name) ? objsyms_find(idx, ic->name, &first) : 0;
                ssize_t k = n ? pick_object(idx, first, n, ic->module) : -1;
                m[i].ambiguous = k < 0 && n > 1 ? n : 0;
                ambiguous += m[i].ambiguous > 0;
                if (k < 0)
                        continue;
                m[i].object = strdup(idx->v[k].object);
                int kr = m[i].object ? kmakefile_object_options(src, m[i].object, &m[i].options) : -ENOMEM;
                if (kr == -ENOMEM) {
                        r = kr;
                        break;
                }
                m[i].unnamed = kr == -ENOENT;
                mapped++;
                mapped_us += ic->usecs;
                /* The option that names the object is the one a cut turns off first. */
                r = add_cost(&costs, &ncost, m[i].options && m[i].options[0] ? m[i].options[0] : options_or_why(&m[i], NULL),
                             ic->usecs);
                if (r < 0)
                        break;
        }
        *ret_costs = costs;
        *ret_ncost = ncost;
        *ret_mapped = mapped;
        *ret_ambiguous = ambiguous;
        *ret_mapped_us = mapped_us;
        return r;
}

/* What map_initcalls gave: M (N entries, possibly NULL) and COSTS (NCOST). */
static void map_free(struct mapped *m, size_t n, struct cost *costs, size_t ncost)
{
        for (size_t i = 0; m && i < n; i++) {
                free(m[i].object);
                strv_free(m[i].options);
        }
        free(m);
        for (size_t j = 0; j < ncost; j++)
                free(costs[j].option);
        free(costs);
}

/* TREE indexed, and L mapped to it (map_initcalls); -ENOENT when TREE holds no objects of SRC. */
static int map_tree(const char *tree, const char *src, const struct initcall_log *l, struct mapped **ret_m, struct cost **ret_costs,
                    size_t *ret_ncost)
{
        _cleanup_(objsyms_free) struct objsyms idx = { 0 };
        int r = objsyms_index(tree, src, &idx);
        if (r < 0)
                return r;
        if (idx.objects == 0)
                return -ENOENT;
        size_t mapped = 0, ambiguous = 0;
        long long mapped_us = 0;
        return map_initcalls(&idx, src, l, ret_m, ret_costs, ret_ncost, &mapped, &ambiguous, &mapped_us);
}

int kmap_option_costs(const char *tree, const char *src, const struct initcall_log *l, struct kmap_cost **ret, size_t *ret_n)
{
        struct mapped *m = NULL;
        struct cost *costs = NULL;
        size_t ncost = 0;
        int r = map_tree(tree, src, l, &m, &costs, &ncost);
        for (size_t i = 0; m && i < l->n; i++) {
                free(m[i].object);
                strv_free(m[i].options);
        }
        free(m);
        if (r == 0 && ncost > 1)
                qsort(costs, ncost, sizeof *costs, by_cost_desc);
        struct kmap_cost *out = r == 0 ? calloc(ncost ? ncost : 1, sizeof *out) : NULL;
        for (size_t j = 0; j < ncost; j++) {
                if (out) {
                        out[j] = (struct kmap_cost){ .option = costs[j].option, .usecs = costs[j].usecs, .count = costs[j].count };
                        costs[j].option = NULL;
                }
                free(costs[j].option);
        }
        free(costs);
        if (!out)
                return r < 0 ? r : -ENOMEM;
        *ret = out;
        *ret_n = ncost;
        return 0;
}

void kmap_costs_free(struct kmap_cost *c, size_t n)
{
        for (size_t j = 0; c && j < n; j++)
                free(c[j].option);
        free(c);
}

int kmap_origins(const char *tree, const char *src, const struct initcall_log *l, struct kmap_origin **ret)
{
        struct mapped *m = NULL;
        struct cost *costs = NULL;
        size_t ncost = 0;
        int r = map_tree(tree, src, l, &m, &costs, &ncost);
        for (size_t j = 0; j < ncost; j++)
                free(costs[j].option);
        free(costs);
        struct kmap_origin *out = r == 0 ? calloc(l->n ? l->n : 1, sizeof *out) : NULL;
        for (size_t i = 0; m && i < l->n; i++) {
                if (out) {
                        out[i] = (struct kmap_origin){ .object = m[i].object, .options = m[i].options };
                        continue;
                }
                free(m[i].object);
                strv_free(m[i].options);
        }
        free(m);
        if (!out)
                return r < 0 ? r : -ENOMEM;
        *ret = out;
        return 0;
}

void kmap_origins_free(struct kmap_origin *o, size_t n)
{
        for (size_t i = 0; o && i < n; i++) {
                free(o[i].object);
                strv_free(o[i].options);
        }
        free(o);
}

/* --callees: the options M's function reaches (callees.h), a line each under it. */
static int print_callees(const struct objsyms *idx, const char *tree, const char *src, const struct mapped *m)
{
        _cleanup_strv_free_ char **options = NULL, **paths = NULL;
        int r = callees_options(idx, tree, src, m->object, m->c->name, CALLEE_DEPTH, MAX_CALLEES, &options, &paths);
        if (r == -ENOMEM)
                return r;
        for (size_t k = 0; r >= 0 && options && options[k]; k++)
                printf("    reaches %-40s %s\n", options[k], paths[k]);
        return 0;
}

/* The work functions of a traced boot (bgwork.h) mapped like initcalls (*RET_M, BG->work.n
 * entries), and the time of those an option owns taken out of L's initcalls (*RET_TAKEN): the
 * work of what every kernel builds (a deferred probe the initcall flushes, async work) stays the
 * initcall's own. */
static int map_background(const struct objsyms *idx, const char *src, const struct bgwork *bg, struct initcall_log *l,
                          struct mapped **ret_m, long long *ret_taken)
{
        struct cost *costs = NULL;
        size_t ncost = 0, mapped = 0, ambiguous = 0;
        long long mapped_us = 0;
        _cleanup_strv_free_ char **owned = NULL;
        int r = map_initcalls(idx, src, &bg->work, ret_m, &costs, &ncost, &mapped, &ambiguous, &mapped_us);
        map_free(NULL, 0, costs, ncost);
        for (size_t i = 0; r >= 0 && i < bg->work.n; i++) {
                const char *opt = (*ret_m)[i].options ? (*ret_m)[i].options[0] : NULL;
                if (kmap_single_option(opt))
                        r = strv_push(&owned, bg->work.calls[i].name);
        }
        if (r < 0)
                return r;
        *ret_taken = owned ? bgwork_take_out(bg, owned, l) : 0;
        return 0;
}

static void print_background(const struct bgwork *bg, const struct mapped *m, long long taken, size_t top)
{
        if (bg->foreign) {
                printf("\nbackground work: not used: the trace is not one CPU's (%zu task switch(es) from a task not on the CPU)\n",
                       bg->foreign);
                return;
        }
        printf("\nbackground work (%zu trace events): %.3f ms of the initcalls' time, the work an option owns, taken out of the "
               "initcalls above\n", bg->events, (double)taken / 1000);
        if (bg->work.n == 0)
                return;
        printf("%-36s %9s  %-44s %s\n", "work function", "ms", "object", "options (naming it first)");
        for (size_t i = 0; i < bg->work.n && i < top; i++) {
                _cleanup_free_ char *opts = m[i].options ? strv_join(m[i].options, " ") : NULL;
                printf("%-36.36s %9.3f  %-44.44s %s\n", m[i].c->name, (double)m[i].c->usecs / 1000, m[i].object ? m[i].object : "?",
                       m[i].object ? options_or_why(&m[i], opts) : "");
        }
}

static void usage(FILE *f)
{
        fprintf(f, "Usage: leanboot kernel map TREE LOG [--source DIR] [--top N] [--callees]\n"
                   "Map each initcall of LOG (a kernel log with initcall_debug, as `analyze` reads) to the\n"
                   "object of the kernel build tree TREE (kbuild's O= directory of that kernel) that defines\n"
                   "its function, and to the Kconfig options that build the object (the option naming it\n"
                   "first, then those of its composite object and directories).  Prints the --top N\n"
                   "initcalls (default 20) with theirs, then the options by the initcall time they bring.\n"
                   "--callees: under each, the options of the objects its function calls, and what those\n"
                   "call (two levels, read from the objects' relocations), with the first call path into\n"
                   "each: where an initcall every kernel builds spends its time.\n"
                   "A LOG of a boot with ftrace's events printed (a kernel with EVENT_TRACING, booted with\n"
                   "  " BGWORK_TRACE_ARGS ")\n"
                   "also shows the work that kworkers ran during the initcalls, mapped the same way; that\n"
                   "time is taken out of the initcalls it ran in, which only waited (their figures drop).\n"
                   "The source tree: --source, else TREE/source (kbuild's link), else TREE.\n");
}

int kernel_map(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "source", required_argument, NULL, 's' }, { "top", required_argument, NULL, 't' },
                { "callees", no_argument, NULL, 'c' },      { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool callees = false;
        const char *source = NULL;
        _cleanup_strv_free_ char **pos = NULL;
        int top = 20, c;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (strv_push(&pos, optarg) < 0)
                                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel map");
                        break;
                case 's': source = optarg; break;
                case 'c': callees = true; break;
                case 't':
                        if (parse_int_range(optarg, 1, 100000, &top) < 0)
                                return log_error_status(EXIT_USAGE, "kernel map: --top '%s': expected 1 to 100000", optarg);
                        break;
                case 'h': usage(stdout); return EXIT_OK;
                default:
                        return log_error_status(EXIT_USAGE, "kernel map: unknown option or missing value: '%s' (see leanboot kernel map --help)",
                                                argv[optind - 1]);
                }
        }
        if (strv_length(pos) != 2)
                return log_error_status(EXIT_USAGE, "kernel map: expected TREE and LOG (see leanboot kernel map --help)");
        const char *tree = pos[0], *logpath = pos[1];
        _cleanup_free_ char *link = path_join(tree, "source"), *src = NULL;
        src = realpath(source ? source : link && access(link, R_OK) == 0 ? link : tree, NULL);
        _cleanup_free_ char *top_makefile = src ? path_join(src, "Kconfig") : NULL;
        if (!top_makefile || access(top_makefile, R_OK) < 0)
                return log_error_status(EXIT_USAGE, "kernel map: no kernel source tree at '%s' (give --source)",
                                        source ? source : src ? src : tree);

        _cleanup_free_ char *text = NULL;
        int r = read_full_file(logpath, &text, NULL);
        if (r < 0)
                return log_error_errno_status(EXIT_USAGE, r, "kernel map: cannot read '%s'", logpath);
        _cleanup_(initcall_log_free) struct initcall_log l = { .run_init_us = -1 };
        if (initcall_parse(text, &l) < 0)
                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel map");
        if (l.n == 0)
                return log_error_status(EXIT_USAGE, "kernel map: no initcall records in '%s'", logpath);
        _cleanup_(bgwork_free) struct bgwork bg = { 0 };
        if (bgwork_parse(text, &bg) < 0)
                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel map");
        _cleanup_(objsyms_free) struct objsyms idx = { 0 };
        r = objsyms_index(tree, src, &idx);
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel map: cannot index '%s'", tree);
        if (idx.objects == 0)
                return log_error_status(EXIT_USAGE, "kernel map: '%s' holds no objects built from '%s' (a kbuild O= tree of "
                                        "the kernel that wrote the log)", tree, src);

        struct mapped *m = NULL, *bgm = NULL;
        long long taken = 0;
        if (bg.events && !bg.foreign && (r = map_background(&idx, src, &bg, &l, &bgm, &taken)) < 0) {
                map_free(bgm, bg.work.n, NULL, 0);
                return log_error_errno_status(EXIT_RUNTIME, r, "kernel map");
        }
        struct cost *costs = NULL;
        size_t ncost = 0, mapped = 0, ambiguous = 0;
        long long mapped_us = 0;
        r = map_initcalls(&idx, src, &l, &m, &costs, &ncost, &mapped, &ambiguous, &mapped_us);
        if (r == -ENOMEM && !m) {
                map_free(bgm, bg.work.n, NULL, 0);
                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "kernel map");
        }
        if (r == 0) {
                qsort(m, l.n, sizeof *m, by_usecs_desc);
                if (ncost > 1)
                        qsort(costs, ncost, sizeof *costs, by_cost_desc);
                printf("%-36s %-12s %9s  %-44s %s\n", "initcall", "module", "ms", "object", "options (naming it first)");
                for (size_t i = 0; r >= 0 && i < l.n && i < (size_t)top; i++) {
                        _cleanup_free_ char *opts = m[i].options ? strv_join(m[i].options, " ") : NULL;
                        char what[64];
                        snprintf(what, sizeof what, m[i].ambiguous ? "? (%zu objects define it)" : "? (no object of the tree)",
                                 m[i].ambiguous);
                        printf("%-36.36s %-12.12s %9.3f  %-44.44s %s\n", m[i].c->name, m[i].c->module, (double)m[i].c->usecs / 1000,
                               m[i].object ? m[i].object : what, m[i].object ? options_or_why(&m[i], opts) : "");
                        if (callees && m[i].object)
                                r = print_callees(&idx, tree, src, &m[i]);
                }
                long long total = initcall_total_us(&l);
                printf("%zu of %zu initcalls mapped to an object of %s (%.1f of %.1f ms); %zu ambiguous, %zu objects indexed\n",
                       mapped, l.n, tree, (double)mapped_us / 1000, (double)total / 1000, ambiguous, idx.objects);
                printf("\n%-44s %9s %6s  %s\n", "option naming the object", "ms", "share", "initcalls");
                for (size_t j = 0; j < ncost && j < (size_t)top; j++)
                        printf("%-44s %9.3f %5.1f%%  %zu\n", costs[j].option, (double)costs[j].usecs / 1000,
                               total ? 100.0 * (double)costs[j].usecs / (double)total : 0, costs[j].count);
                if (r >= 0 && bg.events)
                        print_background(&bg, bgm, taken, (size_t)top);
        }
        map_free(m, l.n, costs, ncost);
        map_free(bgm, bg.work.n, NULL, 0);
        return r < 0 ? log_error_errno_status(EXIT_RUNTIME, r, "kernel map") : EXIT_OK;
}
