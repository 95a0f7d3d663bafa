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
/* Longest per-boot nonce (CMDLINE_NONCE): hex digits. */
#define MARKER_NONCE_MAX 32
/* Room for any marker line, newline and NUL included. */
#define MARKER_LINE_MAX (sizeof MARKER_PREFIX + MARKER_NAME_MAX + MARKER_NONCE_MAX + 88)

enum marker_kind { MARKER_STAGE, MARKER_EXIT, MARKER_OUTPUT };

struct marker {
        enum marker_kind kind;
        char name[MARKER_NAME_MAX + 1]; /* MARKER_STAGE: the stage; MARKER_OUTPUT: the port or "console" */
        int status;                      /* MARKER_EXIT: the payload's exit status */
        uint64_t t_us;                   /* guest CLOCK_BOOTTIME */
        uint64_t tsc;                    /* the guest's raw time-stamp counter, 0 when not said */
        char nonce[MARKER_NONCE_MAX + 1]; /* the boot's nonce the marker carries, "" when none */
        bool at_line_start;              /* nothing came before it on its line */
};

/* "leanboot: stage=NAME t_us=N tsc=N nonce=HEX\n" into buf (no tsc= when tsc is 0, no nonce=
 * when NONCE is NULL or ""); its length, or
 * -ENOBUFS / -EINVAL (a name that is empty, too long, or has blanks, which the parser could not
 * give back).  The TSC is what the instruction clock reads: under QEMU's icount it counts
 * nanoseconds of instruction-time from the machine's start, firmware included, where
 * CLOCK_BOOTTIME starts with the kernel. */
int marker_format_stage(char *buf, size_t size, const char *name, uint64_t t_us, uint64_t tsc, const char *nonce);
/* "leanboot: exit=STATUS t_us=N tsc=N nonce=HEX\n" into buf; its length, or -ENOBUFS. */
int marker_format_exit(char *buf, size_t size, int status, uint64_t t_us, uint64_t tsc, const char *nonce);
/* "leanboot: output=WHERE nonce=HEX\n" (OUTPUT_PORT or OUTPUT_CONSOLE) into buf; as marker_format_stage. */
int marker_format_output(char *buf, size_t size, const char *where, const char *nonce);
/* Is NONCE one a marker can carry: 1 to MARKER_NONCE_MAX lowercase hex digits? */
bool marker_nonce_valid(const char *nonce);
/* The marker in a console line, wherever it starts in it (with --debug a kernel message can
 * come first on the same line), with where it started and the nonce it carries.  True and *ret
 * filled when there is one.  Whether to believe it is marker_accept's question. */
bool marker_parse(const char *line, struct marker *ret);

/* Which parsed markers the host believes.  The payload shares the guest, and often the console,
 * with the init: a payload that prints "leanboot: exit=0 ..." (a test log, `dmesg -t`, a replay
 * of an earlier boot) must not end the boot's record or forge its status.  So the host picks a
 * nonce per boot (CMDLINE_NONCE) and the init puts it in every marker it writes once it has read
 * its command line.  A marker with a nonce counts when the nonce is this boot's, wherever it
 * starts on its line (a kernel message can come first under --debug).  A marker without one
 * counts only until the first marker with this boot's nonce (the init's first markers come
 * before it reads the command line; an older init never sends one), and, when the host gave no
 * nonce, only at the start of its line.  A payload that means to lie can read the nonce (it is root in the guest): this stops
 * accidents and old output, not a hostile guest, whose timings could not be trusted anyway. */
struct marker_filter {
        const char *nonce; /* this boot's, or NULL when the host gave none */
        bool nonce_seen;   /* a marker carried it: from now on every marker must */
};
bool marker_accept(struct marker_filter *f, const struct marker *m);
/* The first marker in LINE that F accepts (any occurrence, not only the first): true and *ret
 * filled when there is one. */
bool marker_scan(const char *line, struct marker_filter *f, struct marker *ret);

#endif
