/* leanboot kernel map: which built object and which Kconfig options each initcall of a boot
 * comes from, and which options cost the most initcall time (kmap.c).  The tailor's map. */
#ifndef LEANBOOT_KMAP_H
#define LEANBOOT_KMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/initcall.h"

/* argv[0] is "map". */
int kernel_map(int argc, char **argv);


/* The initcall time of a boot (L) by the option that builds each initcall's object (the option
 * naming the object); pseudo-options in parentheses collect what no option builds ("(always
 * built)", "(no Makefile names it)").  TREE is the kernel's kbuild O= directory, SRC its source. */
struct kmap_cost {
        char *option;
        long long usecs;
        size_t count;
};
/* Whether OPTION, as a map names it, is one option that a cut can turn off ("CONFIG_X"): not a
 * pseudo-option ("(always built)") nor alternatives ("CONFIG_A|CONFIG_B", which neither cuts). */
bool kmap_single_option(const char *option);
/* *ret sorted by usecs, most first.  -ENOENT when TREE holds no objects of SRC. */
int kmap_option_costs(const char *tree, const char *src, const struct initcall_log *l, struct kmap_cost **ret, size_t *ret_n);
void kmap_costs_free(struct kmap_cost *c, size_t n);

/* Where each initcall of L comes from: the object defining its function (NULL when no object of
 * TREE does, or several do) and the options that build that object, innermost first (the one
 * naming it first).  *ret has l->n entries, in L's order. */
struct kmap_origin {
        char *object;
        char **options;
};
int kmap_origins(const char *tree, const char *src, const struct initcall_log *l, struct kmap_origin **ret);
void kmap_origins_free(struct kmap_origin *o, size_t n);

#endif
