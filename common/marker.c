#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "marker.h"

/* The parser's %255s is MARKER_NAME_MAX. */
_Static_assert(MARKER_NAME_MAX == 255, "marker_parse reads names with %255s");

static int fit(int n, size_t size)
{
        return n < 0 ? -EINVAL : (size_t)n >= size ? -ENOBUFS : n;
}

/* " tsc=N", or nothing for 0 (an architecture without a TSC). */
static const char *tsc_field(char buf[32], uint64_t tsc)
{
        buf[0] = '\0';
        if (tsc)
                snprintf(buf, 32, " tsc=%llu", (unsigned long long)tsc);
        return buf;
}

bool marker_nonce_valid(const char *nonce)
{
        size_t n = strspn(nonce, "0123456789abcdef");
        return n > 0 && n <= MARKER_NONCE_MAX && nonce[n] == '\0';
}

/* " nonce=HEX", or nothing when there is none; NULL for a nonce a marker cannot carry. */
static const char *nonce_field(char buf[sizeof " nonce=" + MARKER_NONCE_MAX], const char *nonce)
{
        buf[0] = '\0';
        if (!nonce || !*nonce)
                return buf;
        if (!marker_nonce_valid(nonce))
                return NULL;
        snprintf(buf, sizeof " nonce=" + MARKER_NONCE_MAX, " nonce=%s", nonce);
        return buf;
}

static bool name_valid(const char *name)
{
        size_t len = strlen(name);
        return len > 0 && len <= MARKER_NAME_MAX && !strpbrk(name, " \t\r\n");
}

int marker_format_stage(char *buf, size_t size, const char *name, uint64_t t_us, uint64_t tsc, const char *nonce)
{
        char t[32], nb[sizeof " nonce=" + MARKER_NONCE_MAX];
        const char *nf = nonce_field(nb, nonce);
        if (!name_valid(name) || !nf)
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "stage=%s t_us=%llu%s%s\n", name, (unsigned long long)t_us,
                            tsc_field(t, tsc), nf),
                   size);
}

int marker_format_output(char *buf, size_t size, const char *where, const char *nonce)
{
        char nb[sizeof " nonce=" + MARKER_NONCE_MAX];
        const char *nf = nonce_field(nb, nonce);
        if (!name_valid(where) || !nf)
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "output=%s%s\n", where, nf), size);
}

int marker_format_exit(char *buf, size_t size, int status, uint64_t t_us, uint64_t tsc, const char *nonce)
{
        char t[32], nb[sizeof " nonce=" + MARKER_NONCE_MAX];
        const char *nf = nonce_field(nb, nonce);
        if (!nf)
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "exit=%d t_us=%llu%s%s\n", status, (unsigned long long)t_us,
                            tsc_field(t, tsc), nf),
                   size);
}

/* The optional " tsc=N" after a marker's t_us (an older init writes none); the rest after it. */
static uint64_t parse_tsc(const char **rest)
{
        unsigned long long tsc;
        int used = 0;
        if (sscanf(*rest, " tsc=%llu%n", &tsc, &used) != 1 || used <= 0)
                return 0;
        *rest += used;
        return tsc;
}

/* The optional " nonce=HEX" that ends a marker, into k->nonce.  False when the marker has a
 * nonce= that is not one (too long, not hex): such a line is not a marker. */
static bool parse_nonce(const char *rest, struct marker *k)
{
        static const char key[] = " nonce=";
        if (strncmp(rest, key, strlen(key)) != 0)
                return true;
        rest += strlen(key);
        size_t n = strspn(rest, "0123456789abcdef");
        if (n == 0 || n > MARKER_NONCE_MAX || !strchr(" \t\r\n", rest[n]))
                return false;
        memcpy(k->nonce, rest, n);
        k->nonce[n] = '\0';
        return true;
}

/* The marker that starts at M, a MARKER_PREFIX in LINE. */
static bool parse_at(const char *line, const char *m, struct marker *ret)
{
        /* The tty's \r\n leaves a \r at the end of the line before, never at this one's start;
         * a \r here is the guest's own, and the guest then started the line. */
        const char *start = line + strspn(line, "\r");
        struct marker k = { .kind = MARKER_STAGE, .at_line_start = m == start };
        unsigned long long t;
        int used = 0;
        const char *rest;
        if (sscanf(m, MARKER_PREFIX "stage=%255s t_us=%llu%n", k.name, &t, &used) == 2 && used > 0) {
                k.t_us = t;
                rest = m + used;
                k.tsc = parse_tsc(&rest);
        } else if (used = 0, sscanf(m, MARKER_PREFIX "output=%255s%n", k.name, &used) == 1 && used > 0) {
                k.kind = MARKER_OUTPUT;
                rest = m + used;
        } else if (used = 0, sscanf(m, MARKER_PREFIX "exit=%d t_us=%llu%n", &k.status, &t, &used) == 2 && used > 0) {
                k.kind = MARKER_EXIT;
                k.t_us = t;
                rest = m + used;
                k.tsc = parse_tsc(&rest);
        } else {
                return false;
        }
        if (!parse_nonce(rest, &k))
                return false;
        *ret = k;
        return true;
}

bool marker_parse(const char *line, struct marker *ret)
{
        const char *m = strstr(line, MARKER_PREFIX);
        return m && parse_at(line, m, ret);
}

bool marker_accept(struct marker_filter *f, const struct marker *m)
{
        if (m->nonce[0]) {
                if (!f->nonce || strcmp(m->nonce, f->nonce) != 0)
                        return false;
                f->nonce_seen = true;
                return true;
        }
        /* Before the first nonce the payload has not started (the init reads its command line,
         * and says where the payload's output goes with the nonce, before it): a marker without
         * one may follow kernel text on its line when the host gave a nonce to wait for. */
        return !f->nonce_seen && (m->at_line_start || f->nonce);
}

bool marker_scan(const char *line, struct marker_filter *f, struct marker *ret)
{
        /* Every occurrence: a payload's unfinished line can hold a look-alike before the init's
         * own marker on the same line. */
        for (const char *m = strstr(line, MARKER_PREFIX); m; m = strstr(m + 1, MARKER_PREFIX)) {
                struct marker k;
                if (parse_at(line, m, &k) && marker_accept(f, &k)) {
                        *ret = k;
                        return true;
                }
        }
        return false;
}
