#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int strv_consume(char ***v, char *s)
{
        if (!s)
                return -ENOMEM;
        size_t n = strv_length(*v);
        char **nv = realloc(*v, (n + 2) * sizeof *nv);
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_push(char ***v, const char *s)
{
        return strv_consume(v, strdup(s));
}

int strv_pushf(char ***v, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : strv_consume(v, s);
}

bool strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

char *strv_join(char *const *v, const char *sep)
{
        size_t len = 1, sl = strlen(sep);
        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + sl;
        char *r = malloc(len), *o = r;
        if (!r)
                return NULL;
        *o = '\0';
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0)
                        o = stpcpy(o, sep);
                o = stpcpy(o, v[i]);
        }
        return r;
}
