/* The initcall_debug log parser (benchmark/initcall.c): what `analyze` and `bench` read from a
 * guest's kernel log.  Promises: every record has a name and a module, no duration or total is
 * negative, and each record is found again by its key. */
#include <config.h>

#include "fuzz.h"
#include "common/initcall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *text = fuzz_cstring(data, size);
        struct initcall_log l = { 0 };
        if (initcall_parse(text, &l) == 0) {
                fuzz_assert(initcall_total_us(&l) >= 0);
                for (size_t i = 0; i < l.n; i++) {
                        const struct initcall *c = &l.calls[i];
                        fuzz_assert(c->name && c->module && c->usecs >= 0);
                        fuzz_assert(initcall_find(&l, c->name, c->module, c->occurrence) == (ssize_t)i);
                }
                initcall_log_free(&l);
        }
        free(text);
        return 0;
}
