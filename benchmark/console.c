/* The guest's console (ttyS0) as the host reads it: the kernel log and the init's markers and
 * messages, cut into lines, each marker stamped with the host time its line arrived. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/marker.h"

#define PANIC "Kernel panic - not syncing"

static void tail_add(struct tail *t, const char *s, size_t n)
{
        if (n >= TAIL_BYTES) {
                s += n - TAIL_BYTES;
                n = TAIL_BYTES;
        }
        if (t->len + n > TAIL_BYTES) {
                size_t drop = t->len + n - TAIL_BYTES;
                memmove(t->buf, t->buf + drop, t->len - drop);
                t->len -= drop;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
}

static void out_line(int fd, const char *s, size_t n)
{
        /* The console's tty turns \n into \r\n; the host wants plain lines. */
        size_t start = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\r') {
                        write_full(fd, s + start, i - start);
                        start = i + 1;
                }
        }
        write_full(fd, s + start, n - start);
}

static void add_mark(struct console *k, const char *name, const struct marker *mk, uint64_t host_us)
{
        struct stage_mark *m = realloc(k->r->marks, (k->r->n_marks + 1) * sizeof *m);
        if (!m)
                return;
        k->r->marks = m;
        m[k->r->n_marks++] = (struct stage_mark){ strdup(name), host_us, mk->t_us, mk->tsc };
}

static void handle_line(struct console *k, char *s, size_t n, uint64_t host_us)
{
        tail_add(&k->tail, s, n);
        char *nl = memchr(s, '\n', n);
        if (nl)
                *nl = '\0';
        struct marker m;
        if (marker_scan(s, &k->filter, &m)) {
                if (m.kind == MARKER_OUTPUT)
                        k->payload_on_port = !streq(m.name, OUTPUT_CONSOLE);
                else if (m.kind == MARKER_EXIT)
                        k->r->exit_status = m.status;
                if (m.kind != MARKER_OUTPUT)
                        add_mark(k, m.kind == MARKER_EXIT ? "exit" : m.name, &m, host_us);
                k->in_payload = m.kind == MARKER_STAGE ? streq(m.name, "payload") : k->in_payload;
                if (k->echo_fd >= 0 && k->echo_all)
                        out_line(k->echo_fd, s, strlen(s)), write_full(k->echo_fd, "\n", 1);
                return;
        }
        if (nl)
                *nl = '\n';
        char *panic = strstr(s, PANIC);
        if (panic && !k->r->panic_line) {
                /* From "Kernel panic" on: without the printk time, panics of different boots compare equal. */
                k->r->panic_line = strndup(panic, nl ? (size_t)(nl - panic) : n - (size_t)(panic - s));
                if (k->r->panic_line)
                        k->r->panic_line[strcspn(k->r->panic_line, "\r")] = '\0';
        }
        /* The init's errors are always shown; a payload without a port of its own writes here;
         * the rest of the console is shown only when debugging. */
        bool init_error = strncmp(s, INIT_ERROR_PREFIX, strlen(INIT_ERROR_PREFIX)) == 0;
        if (!init_error && k->in_payload && !k->payload_on_port && k->payload_fd >= 0)
                out_line(k->payload_fd, s, n);
        else if (k->echo_fd >= 0 && (k->echo_all || init_error))
                out_line(k->echo_fd, s, n);
}

void console_feed(struct console *k, const char *buf, size_t n, uint64_t host_us)
{
        for (size_t i = 0; i < n; i++) {
                if (k->len + 2 > k->cap) {
                        size_t ncap = k->cap ? k->cap * 2 : 1024;
                        char *nl = realloc(k->line, ncap);
                        if (!nl)
                                return;
                        k->line = nl;
                        k->cap = ncap;
                }
                k->line[k->len++] = buf[i];
                if (buf[i] == '\n') {
                        k->line[k->len] = '\0';
                        handle_line(k, k->line, k->len, host_us);
                        k->len = 0;
                }
        }
}

void console_init(struct console *k, struct boot_result *r, const char *nonce, int echo_fd, bool echo_all, int payload_fd)
{
        *k = (struct console){ .r = r, .echo_fd = echo_fd, .echo_all = echo_all, .payload_fd = payload_fd };
        if (nonce && marker_nonce_valid(nonce)) {
                snprintf(k->nonce, sizeof k->nonce, "%s", nonce);
                k->filter.nonce = k->nonce;
        }
}

void console_finish(struct console *k, uint64_t host_us)
{
        /* A last line without its newline (a guest killed mid-line): ended, and handled as a line
         * (the feed makes room for the newline and the NUL that the line's parsers rely on). */
        if (k->len > 0)
                console_feed(k, "\n", 1, host_us);
        free(k->line);
        k->line = NULL;
        k->r->console_tail = strndup(k->tail.buf, k->tail.len);
}
