#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int parse_double_range(const char *s, double min, double max, double *ret)
{
        if (!s || !*s || strpbrk(s, "nNiI"))
                return -EINVAL;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || *end)
                return -EINVAL;
        if (errno == ERANGE || !(v >= min && v <= max))
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_int_range(const char *s, long min, long max, int *ret)
{
        if (!s || !*s)
                return -EINVAL;
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (end == s || *end)
                return -EINVAL;
        if (errno == ERANGE || v < min || v > max || v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}
