#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#include "kconfig.h"
#include "fileio.h"
#include "macro.h"

void kconfig_free(struct kconfig *c)
{
        for (size_t i = 0; i < c->n; i++) {
                free(c->opts[i].name);
                free(c->opts[i].value);
                free(c->opts[i].file);
        }
        free(c->opts);
        c->opts = NULL;
        c->n = 0;
}

const struct kopt *kconfig_find(const struct kconfig *c, const char *name)
{
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->opts[i].name, name))
                        return &c->opts[i];
        return NULL;
}

const char *kconfig_value(const struct kconfig *c, const char *name)
{
        const struct kopt *o = kconfig_find(c, name);
        return o ? o->value : "n";
}

size_t kconfig_enabled(const struct kconfig *c)
{
        size_t n = 0;
        for (size_t i = 0; i < c->n; i++)
                n += !streq(c->opts[i].value, "n");
        return n;
}

static bool valid_name(const char *s, size_t len)
{
        if (len <= 7 || strncmp(s, "CONFIG_", 7) != 0)
                return false;
        for (size_t i = 7; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return false;
        return true;
}

static bool valid_value(const char *v)
{
        size_t len = strlen(v);
        if (len == 0)
                return false;
        if (streq(v, "y") || streq(v, "m") || streq(v, "n"))
                return true;
        if (v[0] == '"')
                return len >= 2 && v[len - 1] == '"';
        char *end;
        if (strncmp(v, "0x", 2) == 0)
                strtoull(v + 2, &end, 16);
        else
                strtoll(v, &end, 10);
        return *end == '\0' && end != v;
}

static int set_opt(struct kconfig *c, const char *name, size_t nlen, const char *value, const char *file,
                   unsigned line)
{
        char *n = strndup(name, nlen);
        if (!n)
                return -ENOMEM;
        for (size_t i = 0; i < c->n; i++) {
                if (streq(c->opts[i].name, n)) {
                        free(n);
                        free(c->opts[i].value);
                        free(c->opts[i].file);
                        c->opts[i].value = strdup(value);
                        c->opts[i].file = strdup(file);
                        c->opts[i].line = line;
                        return 0;
                }
        }
        struct kopt *o = realloc(c->opts, (c->n + 1) * sizeof *o);
        if (!o) {
                free(n);
                return -ENOMEM;
        }
        c->opts = o;
        o[c->n++] = (struct kopt){ n, strdup(value), strdup(file), line };
        return 0;
}

int kconfig_parse(const char *text, const char *file, struct kconfig *c, char **ret_error)
{
        unsigned lineno = 0;
        const char *p = text;
        while (*p) {
                lineno++;
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, len);
                p += len + (p[len] == '\n');
                if (!line)
                        return -ENOMEM;
                /* Trim trailing blanks. */
                size_t l = strlen(line);
                while (l > 0 && isspace((unsigned char)line[l - 1]))
                        line[--l] = '\0';
                const char *s = line;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (*s == '\0')
                        continue;
                int r = 0;
                if (*s == '#') {
                        /* "# CONFIG_X is not set" sets X to n; any other comment is a comment. */
                        const char *q = s + 1;
                        while (*q == ' ')
                                q++;
                        const char *suffix = " is not set";
                        size_t ql = strlen(q), sl = strlen(suffix);
                        if (strncmp(q, "CONFIG_", 7) == 0 && ql > sl && streq(q + ql - sl, suffix)) {
                                if (!valid_name(q, ql - sl))
                                        goto bad;
                                r = set_opt(c, q, ql - sl, "n", file, lineno);
                        }
                } else {
                        const char *eq = strchr(s, '=');
                        if (!eq || !valid_name(s, (size_t)(eq - s)) || !valid_value(eq + 1))
                                goto bad;
                        r = set_opt(c, s, (size_t)(eq - s), eq + 1, file, lineno);
                }
                if (r < 0)
                        return r;
                continue;
        bad:
                if (ret_error && asprintf(ret_error, "%s:%u: not a kernel config line: '%s' "
                                          "(expected CONFIG_NAME=VALUE or '# CONFIG_NAME is not set')",
                                          file, lineno, s) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return 0;
}

int kconfig_load(const char *path, struct kconfig *c, char **ret_error)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, &text, NULL);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        return kconfig_parse(text, path, c, ret_error);
}

int kconfig_missing(const struct kconfig *requested, const struct kconfig *final, size_t **ret_idx,
                    size_t *ret_n)
{
        size_t *idx = calloc(requested->n + 1, sizeof *idx), n = 0;
        if (!idx)
                return -ENOMEM;
        for (size_t i = 0; i < requested->n; i++)
                if (!streq(requested->opts[i].value, kconfig_value(final, requested->opts[i].name)))
                        idx[n++] = i;
        *ret_idx = idx;
        *ret_n = n;
        return 0;
}
