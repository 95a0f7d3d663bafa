/* Minimal test reporting for table-driven C tests: each check prints ok/not ok, and the
 * program exits 1 if any failed (automake's test driver reads the exit status). */
#ifndef LEANBOOT_TAP_H
#define LEANBOOT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_failed, tap_count;

#define CHECK(cond, ...)                                                        \
        do {                                                                    \
                tap_count++;                                                    \
                if (cond) {                                                     \
                        printf("ok %d - ", tap_count);                          \
                } else {                                                        \
                        tap_failed++;                                           \
                        printf("not ok %d - %s:%d: ", tap_count, __FILE__, __LINE__); \
                }                                                               \
                printf(__VA_ARGS__);                                            \
                printf("\n");                                                   \
        } while (0)

#define CHECK_STR(got, want, what)                                                       \
        CHECK((got) && (want) && strcmp((got), (want)) == 0, "%s: got '%s', want '%s'", \
              what, (got) ? (got) : "(null)", (want) ? (want) : "(null)")

static inline int tap_done(void)
{
        printf("1..%d\n# %d failed\n", tap_count, tap_failed);
        return tap_failed ? 1 : 0;
}

#endif
