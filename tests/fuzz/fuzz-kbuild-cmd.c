/* A kbuild .cmd file (kernel/kmakefile.c's kbuild_object_tested): the tailor reads fixdep's
 * "$(wildcard include/config/X)" lines from it for the options an object's compile tested.
 * Promises: it ends, reads nothing past the file, and every name it returns is CONFIG_ and a
 * symbol, once. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "common/strv.h"
#include "kernel/kmakefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *tree = NULL;
        if (asprintf(&tree, "%s/out", fuzz_tmpdir()) < 0)
                abort();
        static bool made;
        if (!made) {
                char *d = NULL;
                if (asprintf(&d, "%s/drivers", tree) < 0 || (mkdir(tree, 0755) < 0 && errno != EEXIST) ||
                    (mkdir(d, 0755) < 0 && errno != EEXIST))
                        abort();
                free(d);
                made = true;
        }
        free(fuzz_write_file("out/drivers/.x.o.cmd", data, size));
        char **names = NULL;
        int r = kbuild_object_tested(tree, "drivers/x.o", &names);
        fuzz_assert(r == 0 || r == -ENOMEM);
        for (char **n = names; n && *n; n++) {
                fuzz_assert(strncmp(*n, "CONFIG_", 7) == 0 && (*n)[7]);
                for (char **m = n + 1; *m; m++)
                        fuzz_assert(strcmp(*n, *m) != 0);
        }
        strv_free(names);
        free(tree);
        return 0;
}
