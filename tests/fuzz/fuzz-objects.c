/* The built objects' readers behind the tailor's map (kernel/objsyms.c): the function symbols of
 * an ELF object, what each function refers to through its relocations, and its module
 * parameters.  An object from a
 * half-written or foreign tree must give an error, never a read past its end. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "common/strv.h"
#include "kernel/objsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *path = fuzz_write_file("object.o", data, size);
        char **names = NULL;
        if (path && elf_function_symbols(path, &names, NULL) == 0) {
                /* Every function it lists is one whose callees can be read (bounded: a crafted
                 * table can name thousands). */
                size_t k = 0;
                for (char **n = names; n && *n && k < 16; n++, k++) {
                        char **here = NULL, **elsewhere = NULL;
                        int r = elf_function_callees(path, *n, &here, &elsewhere);
                        fuzz_assert(r == 0 || r == -ENOMEM);
                        fuzz_assert(!strv_contains(here, *n) && !strv_contains(elsewhere, *n));
                        strv_free(here);
                        strv_free(elsewhere);
                }
                strv_free(names);
        }
        unsigned visible = 0;
        if (path && elf_module_params(path, &visible) == 0)
                fuzz_assert(visible <= size / 40);
        char **here = NULL, **elsewhere = NULL;
        if (path && elf_function_callees(path, "", &here, &elsewhere) == 0) {
                strv_free(here);
                strv_free(elsewhere);
        }
        free(path);
        return 0;
}
