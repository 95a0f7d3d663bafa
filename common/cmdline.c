#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "strv.h"
#include "macro.h"

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void cmdline_free(struct cmdline *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->tokens[i]);
        free(c->tokens);
        c->tokens = NULL;
        c->n = 0;
}

int cmdline_parse(const char *text, struct cmdline *ret)
{
        struct cmdline c = { NULL, 0 };
        size_t cap = 0;
        const char *p = text;

        for (;;) {
                while (*p && is_blank(*p))
                        p++;
                if (!*p)
                        break;
                /* Token text is never longer than the remaining input. */
                char *tok = malloc(strlen(p) + 1);
                if (!tok)
                        goto oom;
                size_t len = 0;
                bool quoted = false;
                for (; *p && (quoted || !is_blank(*p)); p++) {
                        if (*p == '"')
                                quoted = !quoted;
                        else
                                tok[len++] = *p;
                }
                tok[len] = '\0';
                if (c.n == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        char **n = realloc(c.tokens, ncap * sizeof *n);
                        if (!n) {
                                free(tok);
                                goto oom;
                        }
                        c.tokens = n;
                        cap = ncap;
                }
                c.tokens[c.n++] = tok;
        }
        *ret = c;
        return 0;
oom:
        cmdline_free(&c);
        return -ENOMEM;
}

bool cmdline_has(const struct cmdline *c, const char *key)
{
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->tokens[i], key))
                        return true;
        return false;
}

const char *cmdline_get(const struct cmdline *c, const char *key)
{
        size_t kl = strlen(key);
        const char *found = NULL;
        for (size_t i = 0; i < c->n; i++) {
                const char *t = c->tokens[i];
                if (strncmp(t, key, kl) != 0)
                        continue;
                if (t[kl] == '=')
                        found = t + kl + 1;
                else if (t[kl] == '\0')
                        found = "";
        }
        return found;
}

/* Bytes that need no escaping: readable in /proc/cmdline and inert to every quoting layer. */
static bool is_safe(unsigned char ch)
{
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               strchr("-_./:=+@^", ch) != NULL;
}

int argv_encode(char *const *argv, size_t argc, char **ret)
{
        if (argc == 0)
                return -EINVAL;
        size_t need = 1;
        for (size_t i = 0; i < argc; i++)
                need += strlen(argv[i]) * 3 + 1;
        char *out = malloc(need), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < argc; i++) {
                if (i > 0)
                        *o++ = ',';
                for (const unsigned char *s = (const unsigned char *)argv[i]; *s; s++) {
                        if (is_safe(*s))
                                *o++ = (char)*s;
                        else
                                o += sprintf(o, "%%%02X", *s);
                }
        }
        *o = '\0';
        *ret = out;
        return 0;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int argv_decode(const char *value, char ***ret_argv, size_t *ret_argc)
{
        size_t argc = 1;
        for (const char *s = value; *s; s++)
                argc += *s == ',';
        char **argv = calloc(argc + 1, sizeof *argv);
        if (!argv)
                return -ENOMEM;
        const char *s = value;
        for (size_t i = 0; i < argc; i++) {
                size_t seg = strcspn(s, ",");
                char *a = malloc(seg + 1), *o = a;
                if (!a) {
                        strv_free(argv);
                        return -ENOMEM;
                }
                argv[i] = a;
                for (size_t k = 0; k < seg; k++) {
                        if (s[k] != '%') {
                                *o++ = s[k];
                                continue;
                        }
                        int hi = k + 2 < seg ? hexval(s[k + 1]) : -1;
                        int lo = hi >= 0 ? hexval(s[k + 2]) : -1;
                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                                strv_free(argv);
                                return -EINVAL;
                        }
                        *o++ = (char)(hi * 16 + lo);
                        k += 2;
                }
                *o = '\0';
                s += seg + (s[seg] == ',');
        }
        *ret_argv = argv;
        if (ret_argc)
                *ret_argc = argc;
        return 0;
}

bool cmdline_value_is_name(const char *v)
{
        size_t n = v ? strlen(v) : 0;
        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)v[i]) && !strchr("._+-", v[i]))
                        return false;
        return true;
}
