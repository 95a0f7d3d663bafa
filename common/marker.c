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

int marker_format_stage(char *buf, size_t size, const char *name, uint64_t t_us)
{
        size_t len = strlen(name);
        if (len == 0 || len > MARKER_NAME_MAX || strpbrk(name, " \t\r\n"))
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "stage=%s t_us=%llu\n", name, (unsigned long long)t_us), size);
}

int marker_format_output(char *buf, size_t size, const char *where)
{
        size_t len = strlen(where);
        if (len == 0 || len > MARKER_NAME_MAX || strpbrk(where, " \t\r\n"))
                return -EINVAL;
        return fit(snprintf(buf, size, MARKER_PREFIX "output=%s\n", where), size);
}

int marker_format_exit(char *buf, size_t size, int status, uint64_t t_us)
{
        return fit(snprintf(buf, size, MARKER_PREFIX "exit=%d t_us=%llu\n", status, (unsigned long long)t_us), size);
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
                *ret = k;
                return true;
        }
        return false;
}
