/* kbuild Makefiles, read for which options build an object (kmakefile.h). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmakefile.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* Composite objects nest a few deep at most; a Makefile naming itself must not loop. */
#define MAX_HOPS 32

/* Append every CONFIG_ name in S[0..len) to *opts (once each). */
static int add_options(char ***opts, const char *s, size_t len)
{
        for (const char *p = s; p < s + len; p++) {
                if (strncmp(p, "CONFIG_", 7) != 0 || (size_t)(s + len - p) < 8)
                        continue;
                size_t n = 7;
                while (p + n < s + len && (isalnum((unsigned char)p[n]) || p[n] == '_'))
                        n++;
                _cleanup_free_ char *name = strndup(p, n);
                if (!name)
                        return -ENOMEM;
                if (!strv_contains(*opts, name) && strv_push(opts, name) < 0)
                        return -ENOMEM;
                p += n - 1;
        }
        return 0;
}

/* The directory's kbuild file: Kbuild wins over Makefile, as in kbuild. */
static char *read_kbuild_file(const char *srcdir, const char *dir)
{
        static const char *const names[] = { "Kbuild", "Makefile" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *rel = NULL, *path = NULL;
                char *text = NULL;
                if (asprintf(&rel, "%s%s%s", dir, *dir ? "/" : "", names[i]) < 0 || !(path = path_join(srcdir, rel)))
                        return NULL;
                if (read_full_file(path, &text, NULL) == 0)
                        return text;
        }
        return NULL;
}

/* Join backslash-continued lines and drop comments, in place. */
static void join_lines(char *t)
{
        char *w = t;
        bool comment = false;
        for (char *r = t; *r; r++) {
                if (r[0] == '\\' && r[1] == '\n') {
                        *w++ = ' ';
                        r++;
                        continue;
                }
                if (*r == '\n')
                        comment = false;
                else if (*r == '#')
                        comment = true;
                if (!comment || *r == '\n')
                        *w++ = *r;
        }
        *w = '\0';
}

/* Is WORD one of the whitespace-separated words of LIST? */
static bool has_word(const char *list, const char *word)
{
        size_t n = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || isspace((unsigned char)p[-1])) && (p[n] == '\0' || isspace((unsigned char)p[n])))
                        return true;
        return false;
}

struct hit {
        char *var;      /* the variable's name: "obj-$(CONFIG_X)", "virtio_pci-y" */
        char **conds;   /* CONFIG_ options of the ifdef/ifeq blocks around the line */
        char **alts;    /* the variables of later lines that name the target too (either builds it) */
};

static void hit_free(struct hit *h)
{
        free(h->var);
        strv_free(h->conds);
        strv_free(h->alts);
}

/* The line of DIR's kbuild file that adds TARGET ("name.o" or "sub/") to a variable. */
static int find_target(const char *srcdir, const char *dir, const char *target, struct hit *ret)
{
        *ret = (struct hit){ NULL, NULL, NULL };
        _cleanup_free_ char *text = read_kbuild_file(srcdir, dir);
        if (!text)
                return -ENOENT;
        join_lines(text);
        _cleanup_strv_free_ char **conds = NULL; /* one entry per open block: its option, or "" */
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line += strspn(line, " \t");
                if (!strncmp(line, "ifdef ", 6) || !strncmp(line, "ifeq ", 5) || !strncmp(line, "ifneq ", 6) || !strncmp(line, "ifndef ", 7)) {
                        /* Only a block that needs an option set counts ("ifdef CONFIG_X", "ifeq ($(CONFIG_X),y)",
                         * "ifneq ($(CONFIG_X),)"); its else half, or any other test, adds nothing. */
                        char *opt = strstr(line, "CONFIG_");
                        bool needs = opt && (!strncmp(line, "ifdef ", 6) || (!strncmp(line, "ifeq ", 5) && strstr(line, ",y)")) ||
                                             (!strncmp(line, "ifneq ", 6) && strstr(line, ",)")));
                        size_t n = needs ? strspn(opt, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") : 0;
                        _cleanup_free_ char *c = n ? strndup(opt, n) : strdup("");
                        if (!c || strv_push(&conds, c) < 0) {
                                hit_free(ret);
                                return -ENOMEM;
                        }
                        continue;
                }
                size_t depth = strv_length(conds);
                if (!strncmp(line, "else", 4) && depth) {
                        conds[depth - 1][0] = '\0';
                        continue;
                }
                if (!strncmp(line, "endif", 5) && depth) {
                        free(conds[depth - 1]);
                        conds[depth - 1] = NULL;
                        continue;
                }
                char *op = strstr(line, "=");
                if (!op || op == line)
                        continue;
                char *var_end = op;
                if (var_end[-1] == '+' || var_end[-1] == ':' || var_end[-1] == '?')
                        var_end--;
                while (var_end > line && isspace((unsigned char)var_end[-1]))
                        var_end--;
                if (!has_word(op + 1, target))
                        continue;
                char *var = strndup(line, (size_t)(var_end - line));
                char **cs = NULL;
                for (size_t i = 0; i < depth; i++)
                        if (conds[i][0] && strv_push(&cs, conds[i]) < 0) {
                                free(var);
                                strv_free(cs);
                                hit_free(ret);
                                return -ENOMEM;
                        }
                if (!var) {
                        strv_free(cs);
                        hit_free(ret);
                        return -ENOMEM;
                }
                /* A list kbuild builds from: obj-, lib-, or a composite's parts (name-y, name-objs,
                 * name-$(CONFIG_X)); subdir-, ccflags- and the like name no objects to build. */
                bool builds = !strncmp(var, "obj-", 4) || !strncmp(var, "lib-", 4) || !strncmp(var, "core-", 5) ||
                              !strncmp(var, "drivers-", 8) || strstr(var, "-y") || strstr(var, "-objs") || strstr(var, "-$(CONFIG_");
                if (!builds || strstr(var, "flags") || !strncmp(var, "subdir-", 7) || !strncmp(var, "always", 6)) {
                        free(var);
                        strv_free(cs);
                        continue;
                }
                if (!ret->var) {
                        *ret = (struct hit){ var, cs, NULL };
                        continue;
                }
                /* Another line naming it (pty.o under LEGACY_PTYS and UNIX98_PTYS): an alternative. */
                strv_free(cs);
                int pr = strv_push(&ret->alts, var);
                free(var);
                if (pr < 0) {
                        hit_free(ret);
                        return -ENOMEM;
                }
        }
        return ret->var ? 0 : -ENOENT;
}

/* The first CONFIG_ name in VAR (malloc'd), or NULL: "obj-y" builds whatever the config. */
static char *first_option(const char *var)
{
        const char *p = strstr(var, "CONFIG_");
        return p ? strndup(p, strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")) : NULL;
}

/* The options of the line that names the target.  Several lines naming it are alternatives
 * (either builds it): one entry "A|B"; and if one of them needs no option, none is needed. */
static int add_line_options(char ***opts, const struct hit *h)
{
        if (!h->alts)
                return add_options(opts, h->var, strlen(h->var));
        _cleanup_free_ char *any = first_option(h->var);
        for (char **a = h->alts; any && *a; a++) {
                _cleanup_free_ char *alt = first_option(*a);
                if (!alt) {
                        free(any);
                        any = NULL;
                        break;
                }
                char *joined = NULL;
                if (!strstr(any, alt) && asprintf(&joined, "%s|%s", any, alt) < 0)
                        return -ENOMEM;
                if (joined) {
                        free(any);
                        any = joined;
                }
        }
        if (!any)
                return 0;
        return strv_contains(*opts, any) ? 0 : strv_push(opts, any);
}

/* The composite's name in a parts list: "dm-mod" of "dm-mod-y", "dm-mod-objs" or
 * "dm-mod-$(CONFIG_DM_UEVENT)" (a name may hold dashes itself). */
static size_t composite_name_length(const char *var)
{
        const char *cond = strstr(var, "-$(");
        if (cond)
                return (size_t)(cond - var);
        size_t n = strlen(var);
        if (n > 5 && streq(var + n - 5, "-objs"))
                return n - 5;
        const char *dash = strrchr(var, '-');
        return dash ? (size_t)(dash - var) : n;
}

int kmakefile_object_options(const char *srcdir, const char *obj, char ***ret)
{
        _cleanup_strv_free_ char **opts = NULL;
        _cleanup_free_ char *dir = strdup(obj);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        _cleanup_free_ char *target = strdup(slash ? slash + 1 : dir);
        if (!target)
                return -ENOMEM;
        if (slash)
                *slash = '\0';
        else
                dir[0] = '\0';
        for (int hop = 0; hop < MAX_HOPS; hop++) {
                struct hit h;
                int r = find_target(srcdir, dir, target, &h);
                if (r == -ENOMEM)
                        return r;
                /* An object (or composite) its own directory does not name is not built here,
                 * whatever the directories above say. */
                if (r == -ENOENT && strlen(target) > 2 && streq(target + strlen(target) - 2, ".o"))
                        return -ENOENT;
                if (r == 0) {
                        r = add_line_options(&opts, &h);
                        for (char **c = h.conds; r == 0 && c && *c; c++)
                                r = add_options(&opts, *c, strlen(*c));
                        strv_free(h.conds);
                        strv_free(h.alts);
                        /* A composite object's part: the composite is what the directory builds. */
                        bool composite = strncmp(h.var, "obj-", 4) && strncmp(h.var, "lib-", 4) && strncmp(h.var, "core-", 5) &&
                                         strncmp(h.var, "drivers-", 8);
                        if (composite) {
                                size_t n = composite_name_length(h.var);
                                free(target);
                                target = NULL;
                                if (asprintf(&target, "%.*s.o", (int)n, h.var) < 0) {
                                        free(h.var);
                                        return -ENOMEM;
                                }
                                free(h.var);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        free(h.var);
                        if (r < 0)
                                return r;
                }
                /* Up a directory: the parent names this one ("dir/"). */
                if (!*dir)
                        break;
                slash = strrchr(dir, '/');
                free(target);
                target = NULL;
                if (asprintf(&target, "%s/", slash ? slash + 1 : dir) < 0)
                        return -ENOMEM;
                if (slash)
                        *slash = '\0';
                else
                        dir[0] = '\0';
        }
        *ret = TAKE_PTR(opts);
        return 0;
}

/* The .cmd file beside OBJ: "dir/.name.o.cmd". */
int kbuild_object_tested(const char *tree, const char *obj, char ***ret)
{
        const char *slash = strrchr(obj, '/');
        _cleanup_free_ char *cmd = NULL, *text = NULL;
        if (asprintf(&cmd, "%s/%.*s.%s.cmd", tree, slash ? (int)(slash - obj + 1) : 0, obj, slash ? slash + 1 : obj) < 0)
                return -ENOMEM;
        int r = read_full_file(cmd, &text, NULL);
        if (r < 0)
                return r;
        char **names = NULL;
        static const char key[] = "include/config/";
        for (const char *p = strstr(text, key); p; p = strstr(p, key)) {
                p += sizeof key - 1;
                size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyz");
                if (n == 0 || p[n] != ')')
                        continue;
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "CONFIG_%.*s", (int)n, p) < 0 || (!strv_contains(names, name) && strv_push(&names, name) < 0)) {
                        strv_free(names);
                        return -ENOMEM;
                }
        }
        *ret = names;
        return 0;
}
