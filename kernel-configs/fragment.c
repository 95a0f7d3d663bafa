#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "fragment.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

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

/* Collect what CONFIG_NAME's entry in one Kconfig file depends on: its "depends on" lines and
 * the conditions of the "if" blocks around it.  *found is set when the entry is there. */
static void depends_in_file(const char *path, const char *sym, char ***deps, bool *found)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(path, &text, NULL) < 0 || !strstr(text, sym))
                return;
        char **ifs = NULL; /* the stack of enclosing "if" conditions */
        size_t sl = strlen(sym);
        bool in_entry = false;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *s = l;
                while (*s == ' ' || *s == '\t')
                        s++;
                bool unindented = s == l;
                if (unindented && *s && *s != '#')
                        in_entry = false; /* a new entry, if, menu, source... ends the current one */
                if (strncmp(s, "if ", 3) == 0) {
                        strv_push(&ifs, s + 3);
                } else if (strncmp(s, "endif", 5) == 0) {
                        size_t n = strv_length(ifs);
                        if (n > 0) {
                                free(ifs[n - 1]);
                                ifs[n - 1] = NULL;
                        }
                } else if ((strncmp(s, "config ", 7) == 0 || strncmp(s, "menuconfig ", 11) == 0)) {
                        const char *name = s + (s[0] == 'c' ? 7 : 11);
                        if (strncmp(name, sym, sl) == 0 && (name[sl] == '\0' || name[sl] == ' ')) {
                                in_entry = true;
                                *found = true;
                                for (char **i = ifs; i && *i; i++)
                                        if (!strv_contains(*deps, *i))
                                                strv_push(deps, *i);
                        }
                } else if (in_entry && strncmp(s, "depends on ", 11) == 0) {
                        /* Parenthesised when joined with &&, so that A || B keeps its meaning. */
                        if (strstr(s, "||"))
                                strv_pushf(deps, "(%s)", s + 11);
                        else
                                strv_push(deps, s + 11);
                }
        }
        strv_free(ifs);
}

static void walk_kconfigs(const char *dir, const char *sym, char ***deps, bool *found, int depth)
{
        if (depth > 8)
                return;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = path_join(dir, e->d_name);
                if (!p)
                        return;
                if (e->d_type == DT_DIR) {
                        /* Kconfig files live in source directories, never under these. */
                        if (!streq(e->d_name, "Documentation") && !streq(e->d_name, "tools") &&
                            !streq(e->d_name, "include") && !streq(e->d_name, "scripts"))
                                walk_kconfigs(p, sym, deps, found, depth + 1);
                } else if (strncmp(e->d_name, "Kconfig", 7) == 0) {
                        depends_in_file(p, sym, deps, found);
                }
        }
}

char *kconfig_depends(const char *srcdir, const char *name)
{
        if (strncmp(name, "CONFIG_", 7) == 0)
                name += 7;
        char **deps = NULL;
        bool found = false;
        walk_kconfigs(srcdir, name, &deps, &found, 0);
        char *r = !found ? NULL : deps ? strv_join(deps, " && ") : strdup("");
        strv_free(deps);
        return r;
}

char *kconfig_annotate(const char *expr, const struct kconfig *c)
{
        size_t cap = strlen(expr) * 4 + 64, len = 0;
        char *out = malloc(cap);
        if (!out)
                return NULL;
        for (const char *p = expr; *p;) {
                if (isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_') {
                        size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyz");
                        char name[160];
                        snprintf(name, sizeof name, "CONFIG_%.*s", (int)n, p);
                        const char *v = kconfig_value(c, name);
                        bool is_sym = !(n == 1 && (*p == 'y' || *p == 'n' || *p == 'm'));
                        if (len + n + strlen(v) + 8 >= cap) {
                                cap = (cap + n + strlen(v) + 8) * 2;
                                char *o = realloc(out, cap);
                                if (!o) {
                                        free(out);
                                        return NULL;
                                }
                                out = o;
                        }
                        len += (size_t)sprintf(out + len, is_sym ? "%.*s(=%s)" : "%.*s", (int)n, p, v);
                        p += n;
                } else {
                        if (len + 2 >= cap) {
                                cap *= 2;
                                char *o = realloc(out, cap);
                                if (!o) {
                                        free(out);
                                        return NULL;
                                }
                                out = o;
                        }
                        out[len++] = *p++;
                }
        }
        out[len] = '\0';
        return out;
}
