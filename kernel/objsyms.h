/* Which built object defines a function: an index of a kbuild output tree (O=DIR), read from
 * the objects themselves, so that an initcall maps to the object (and from there the Kconfig
 * option, kmakefile.h) that this build compiled it from, not to a guess by its name. */
#ifndef LEANBOOT_OBJSYMS_H
#define LEANBOOT_OBJSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct objsym {
        char *function; /* a function symbol, local (static) or global */
        char *object;   /* "drivers/virtio/virtio_pci_common.o", relative to the tree */
        bool global;    /* global or weak: what another object's undefined reference can mean */
};

/* An object with module parameters that sysfs shows (see elf_module_params). */
struct objparams {
        char *object;
        unsigned visible;
};

struct objsyms {
        struct objsym *v; /* sorted by function, then object */
        size_t n;
        size_t objects;   /* objects read */
        struct objparams *params; /* the objects with visible module parameters, in tree order */
        size_t nparams;
};

/* Index every object of OBJDIR compiled from a source of SRCDIR (DIR/x.o with SRCDIR/x.c or
 * x.S): composite objects, archives and vmlinux.o are left out, as they only repeat what their
 * parts define.  0 or -errno. */
int objsyms_index(const char *objdir, const char *srcdir, struct objsyms *ret);
/* The objects defining FUNCTION: *ret_first (index into idx->v) and how many; 0 when none. */
size_t objsyms_find(const struct objsyms *idx, const char *function, size_t *ret_first);
void objsyms_free(struct objsyms *idx);

/* The names of the function symbols in the x86-64 ELF64 relocatable object at PATH (a strv,
 * malloc'd), and when RET_GLOBAL is not NULL, for each, whether it is global or weak (malloc'd,
 * index for index).  -EBADMSG when PATH is not one. */
int elf_function_symbols(const char *path, char ***ret, bool **ret_global);

/* How many module parameters the x86-64 object at PATH declares with a sysfs mode (the entries
 * of its __param section, Linux's struct kernel_param, whose perm is not 0): at boot,
 * param_sysfs_init makes a sysfs directory and attributes for each, built in or not.  0 or
 * -errno (-EBADMSG: not an x86-64 ELF64 object, or a __param section of another layout). */
int elf_module_params(const char *path, unsigned *ret_visible);

/* The functions FUNCTION (defined in the x86-64 object at PATH) refers to: from the relocations
 * inside its bytes, what it calls, tail-calls or takes the address of; and the calls and jumps
 * to functions of its own section, which the assembler resolved without a relocation (an opcode
 * whose displacement lands on a function's first byte).  What the compiler inserts (__fentry__,
 * return thunks, sanitizers) is left out.  *ret_here: those the object defines itself, static
 * ones too; *ret_elsewhere: those it leaves to others, by their global names (data symbols among
 * them, which no object defines as a function), and weak ones defined here, which another
 * object may override.  Each once, FUNCTION itself left out; both strvs possibly NULL.  -ENOENT
 * when the object does not define FUNCTION, -EBADMSG when PATH is no x86-64 ELF64 object. */
int elf_function_callees(const char *path, const char *function, char ***ret_here, char ***ret_elsewhere);

#endif
