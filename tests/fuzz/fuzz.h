/* What every fuzz harness shares (tests/fuzz/): one entry point, LLVMFuzzerTestOneInput, that
 * libFuzzer drives under `configure --enable-fuzzing` (make fuzz) and that replay.c drives over
 * the corpus and the crash reproducers kept in the tree (make check, every build).
 *
 * A harness asserts what its parser promises (round trips, bounds), not only that it returns:
 * fuzz_assert aborts, which both drivers report with the input that did it. */
#ifndef LEANBOOT_FUZZ_H
#define LEANBOOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(cond)                                                                              \
        do {                                                                                           \
                if (!(cond)) {                                                                         \
                        fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                       \
                }                                                                                      \
        } while (0)

/* The input as a C string (malloc'd, NUL added; a NUL inside ends it early, as for any string). */
char *fuzz_cstring(const uint8_t *data, size_t size);
/* A directory of this process's own for harnesses whose parser reads files (removed at exit). */
const char *fuzz_tmpdir(void);
/* DIR/NAME (under fuzz_tmpdir()) holding DATA; its path (malloc'd), or NULL. */
char *fuzz_write_file(const char *name, const void *data, size_t size);
/* Quiet the program's log: bad input is the point, and its error lines would drown the fuzzer's. */
void fuzz_quiet(void);

#endif
