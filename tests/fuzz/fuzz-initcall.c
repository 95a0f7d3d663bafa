/* The initcall_debug log parser (common/initcall.c) and the kernel stage's stretches
 * (common/kstage.c): what `analyze` and `bench` read from a guest's kernel log.  Promises: every
 * record has a name and a module, no duration or total is negative, and each record is found
 * again by its key; no stretch is empty or outside the log's window, nor do they add up to more
 * than it; they come the longest first, each with its two lines. */
#include <config.h>

#include "fuzz.h"
#include "common/initcall.h"
#include "common/kstage.h"

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
                struct kstage k = { 0 };
                if (kstage_parse(text, &l, 4, &k) == 0) {
                        fuzz_assert(k.outside_us >= 0 && k.n <= 4 && (k.n == 0 || k.end_us >= 0));
                        double sum = 0;
                        for (size_t i = 0; i < k.n; i++) {
                                const struct kstage_stretch *s = &k.longest[i];
                                fuzz_assert(s->after && s->before && s->usecs > 0 && s->start_us >= k.first_us);
                                sum += s->usecs;
                                fuzz_assert(s->start_us >= 0 && s->start_us + s->usecs <= k.end_us + 1e-6);
                                fuzz_assert(i == 0 || k.longest[i - 1].usecs >= s->usecs);
                        }
                        fuzz_assert(sum <= k.end_us - k.first_us + 1e-3 * (k.end_us - k.first_us) + 1e-6);
                        kstage_free(&k);
                }
                initcall_log_free(&l);
        }
        free(text);
        return 0;
}
