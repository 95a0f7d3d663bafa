/* Kernel config fragments and .config files (common/kconfig.c), and the hints built from them
 * (kernel/fragment.c's kconfig_annotate).  Promises: a configuration parsed without error misses
 * none of its own options; a bad one says where, as FILE:LINE. */
#include <config.h>

#include <errno.h>

#include <string.h>

#include "fuzz.h"
#include "common/kconfig.h"
#include "kernel/fragment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *text = fuzz_cstring(data, size);
        struct kconfig c = { NULL, 0 };
        char *error = NULL;
        int r = kconfig_parse(text, "fuzz.config", &c, &error);
        /* The checks are quadratic in the options: a real .config's thousands are parsed, and
         * checked only in the small. */
        if (r == 0 && c.n > 256) {
                fuzz_assert(kconfig_enabled(&c) <= c.n);
        } else if (r == 0) {
                fuzz_assert(kconfig_enabled(&c) <= c.n);
                size_t *idx = NULL, n = 0;
                fuzz_assert(kconfig_missing(&c, &c, &idx, &n) == 0 && n == 0);
                free(idx);
                for (size_t i = 0; i < c.n; i++)
                        fuzz_assert(kconfig_find(&c, c.opts[i].name) == &c.opts[i]);
                /* The input as a "depends on" expression, annotated with its own values. */
                char *a = kconfig_annotate(text, &c);
                free(a);
        } else if (r == -EINVAL) {
                fuzz_assert(error && strncmp(error, "fuzz.config:", 12) == 0);
        }
        free(error);
        kconfig_free(&c);
        free(text);
        return 0;
}
