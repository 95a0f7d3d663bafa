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

int marker_format_stage(char *buf, size_t size, const char *name, uint64_t t_us, uint64_t tsc)
{
        size_t len = strlen(name);
        if (len == 0 || len > MARKER_NAME_MAX || strpbrk(name, " \t\r\n"))
                return -EINVAL;
        char t[32];
        return fit(snprintf(buf, size, MARKER_PREFIX "stage=%s t_us=%llu%s\n", name, (unsigned long long)t_us, tsc_field(t, tsc)),
                   size);
}

int marker_format_output(char *buf, size_t size, const char *where)
{
        size_t len = strlen(where);
        if (len == 0 || len > MARKER_NAME_MAX || strpbrk(where, " \t\r\n"))
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "output=%s\n", where), size);
}

int marker_format_exit(char *buf, size_t size, int status, uint64_t t_us, uint64_t tsc)
{
        char t[32];
        return fit(snprintf(buf, size, MARKER_PREFIX "exit=%d t_us=%llu%s\n", status, (unsigned long long)t_us, tsc_field(t, tsc)),
                   size);
}

/* The optional " tsc=N" after a marker's t_us (an older init writes none). */
static uint64_t parse_tsc(const char *rest)
{
        unsigned long long tsc;
        return sscanf(rest, " tsc=%llu", &tsc) == 1 ? tsc : 0;
}

bool marker_parse(const char *line, struct marker *ret)
{
        const char *m = strstr(line, MARKER_PREFIX);
        if (!m)
                return false;
        struct marker k = { .kind = MARKER_STAGE };
        unsigned long long t;
        int used = 0;
        if (sscanf(m, MARKER_PREFIX "stage=%255s t_us=%llu%n", k.name, &t, &used) == 2 && used > 0) {
                k.t_us = t;
                k.tsc = parse_tsc(m + used);
                *ret = k;
                return true;
        }
        if (sscanf(m, MARKER_PREFIX "output=%255s%n", k.name, &used) == 1 && used > 0) {
                k.kind = MARKER_OUTPUT;
                *ret = k;
                return true;
        }
        if (sscanf(m, MARKER_PREFIX "exit=%d t_us=%llu%n", &k.status, &t, &used) == 2 && used > 0) {
                k.kind = MARKER_EXIT;
                k.t_us = t;
                k.tsc = parse_tsc(m + used);
                *ret = k;
                return true;
        }
        return false;
}
