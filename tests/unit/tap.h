/* Minimal test reporting for table-driven C tests: each check prints ok/not ok, and the
 * program exits 1 if any failed, 77 (automake's "skipped") if a case could not run on this host
 * and none failed, else 0 (automake's test driver reads the exit status). */
#ifndef LEANBOOT_TAP_H
#define LEANBOOT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_failed, tap_count, tap_skipped;

/* A case this host cannot run (a file it lacks): said, and the program's result is "skipped". */
#define SKIP(...)                                                              \
        do {                                                                    \
                tap_count++;                                                    \
                tap_skipped++;                                                  \
                printf("ok %d # SKIP ", tap_count);                             \
                printf(__VA_ARGS__);                                            \
                printf("\n");                                                   \
        } while (0)

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
        printf("1..%d\n# %d failed, %d skipped\n", tap_count, tap_failed, tap_skipped);
        return tap_failed ? 1 : tap_skipped ? 77 : 0;
}

#endif
