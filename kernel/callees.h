/* What an initcall reaches: the functions it calls, and those they call, read from the built
 * objects' relocations (objsyms.h), each with the object defining it.  An initcall that every
 * kernel builds (chr_dev_init, in drivers/char/mem.o) still spends its time in objects that
 * options build (vty_init, in drivers/tty/vt/vt.o, reached through tty_init): the tailor proposes
 * those options.  Direct references only (objsyms.h, elf_function_callees): a call through a
 * pointer set elsewhere is not seen. */
#ifndef LEANBOOT_CALLEES_H
#define LEANBOOT_CALLEES_H

#include <stddef.h>

#include "objsyms.h"

/* How far the map and the tailor follow an initcall's calls, and how many functions at most:
 * chr_dev_init reaches vty_init at depth 2; deeper, every initcall reaches the whole driver core. */
#define CALLEE_DEPTH 2
#define MAX_CALLEES 400

struct callee {
        char *function;
        char *object; /* relative to the tree, as in objsyms */
        char *path;   /* how it is reached: "tty_init > vty_init" */
        int depth;    /* 1: called by the initcall itself */
};

/* The functions FUNCTION (defined in OBJECT of TREE, which IDX indexes) reaches within DEPTH
 * calls, breadth first (the nearest first), at most MAX; each function once, FUNCTION left out.
 * A part the compiler split off a function (f.cold) counts at that function's depth.  A name
 * that several objects define globally (a weak default and its override) is followed in each.
 * *ret (possibly NULL) and *ret_n; 0 or -errno (-ENOENT: OBJECT does not define FUNCTION). */
int callees_reached(const struct objsyms *idx, const char *tree, const char *object, const char *function, int depth,
                    size_t max, struct callee **ret, size_t *ret_n);
void callees_free(struct callee *c, size_t n);

/* The options naming the objects (kmakefile.h) of what FUNCTION of OBJECT reaches within DEPTH
 * calls (at most MAX functions followed), nearest first, each once; those that also build OBJECT
 * left out (they are its own).  *ret_options ("CONFIG_VT") and *ret_paths (how the first callee
 * of its object is reached, "tty_init > vty_init (drivers/tty/vt/vt.o)"), index for index.  SRC
 * is the source tree. */
int callees_options(const struct objsyms *idx, const char *tree, const char *src, const char *object, const char *function,
                    int depth, size_t max, char ***ret_options, char ***ret_paths);

#endif
