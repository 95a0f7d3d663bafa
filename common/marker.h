/* The init's console markers (common/contract.h): written by the init, read by `run`, `bench`
 * and the libguestfs peer bench. */
#ifndef LEANBOOT_MARKER_H
#define LEANBOOT_MARKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract.h"

/* Longest stage name a marker carries ("hook:" and a file name). */
#define MARKER_NAME_MAX 255
/* Room for any marker line, newline and NUL included. */
#define MARKER_LINE_MAX (sizeof MARKER_PREFIX + MARKER_NAME_MAX + 80)

enum marker_kind { MARKER_STAGE, MARKER_EXIT, MARKER_OUTPUT };

struct marker {
        enum marker_kind kind;
        char name[MARKER_NAME_MAX + 1]; /* MARKER_STAGE: the stage; MARKER_OUTPUT: the port or "console" */
        int status;                      /* MARKER_EXIT: the payload's exit status */
        uint64_t t_us;                   /* guest CLOCK_BOOTTIME */
        uint64_t tsc;                    /* the guest's raw time-stamp counter, 0 when not said */
};

/* "leanboot: stage=NAME t_us=N tsc=N\n" into buf (no tsc= when tsc is 0); its length, or
 * -ENOBUFS / -EINVAL (a name that is empty, too long, or has blanks, which the parser could not
 * give back).  The TSC is what the instruction clock reads: under QEMU's icount it counts
 * nanoseconds of instruction-time from the machine's start, firmware included, where
 * CLOCK_BOOTTIME starts with the kernel. */
int marker_format_stage(char *buf, size_t size, const char *name, uint64_t t_us, uint64_t tsc);
/* "leanboot: exit=STATUS t_us=N tsc=N\n" into buf; its length, or -ENOBUFS. */
int marker_format_exit(char *buf, size_t size, int status, uint64_t t_us, uint64_t tsc);
/* "leanboot: output=WHERE\n" (OUTPUT_PORT or OUTPUT_CONSOLE) into buf; as marker_format_stage. */
int marker_format_output(char *buf, size_t size, const char *where);
/* The marker in a console line, wherever it starts in it (with --debug a kernel message can
 * come first on the same line).  True and *ret filled when there is one. */
bool marker_parse(const char *line, struct marker *ret);

#endif
