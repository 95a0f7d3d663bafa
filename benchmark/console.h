/* The guest's console as the host reads it (console.c). */
#ifndef LEANBOOT_CONSOLE_H
#define LEANBOOT_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "../common/marker.h"

#define TAIL_BYTES 4096

/* The last bytes of a stream, for error reports. */
struct tail {
        char buf[TAIL_BYTES];
        size_t len;
};

struct console {
        struct boot_result *r; /* marks, exit_status, panic_line and console_tail go here */
        int echo_fd;           /* where shown lines go (-1: nowhere) */
        bool echo_all;         /* show every line (debug), not only the init's errors */
        int payload_fd;        /* where the payload's lines go when it writes to the console (-1: nowhere) */
        bool payload_on_port;  /* the init said its payload has a port of its own */
        bool in_payload;       /* between the payload's stage marker and the next one */
        char nonce[MARKER_NONCE_MAX + 1]; /* this boot's (common/marker.h) */
        struct marker_filter filter;      /* which markers are the init's */
        char *line;            /* pending bytes of the current line */
        size_t len, cap;
        struct tail tail;
};

/* nonce: the one this boot's command line gave the init (NULL: none; markers then count only at
 * the start of a line).  payload_fd: where the payload's output goes if the init says it writes to the console, or is
 * an init too old to say (such an init's payload lines are told from the kernel's by the stage
 * markers only). */
void console_init(struct console *k, struct boot_result *r, const char *nonce, int echo_fd, bool echo_all, int payload_fd);
/* Bytes as they came, at host time host_us (us since QEMU's exec). */
void console_feed(struct console *k, const char *buf, size_t n, uint64_t host_us);
/* The end of the console: a last unterminated line is taken as a line, the tail is kept. */
void console_finish(struct console *k, uint64_t host_us);

#endif
