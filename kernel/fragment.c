#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fragment.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* Kconfig is read the way kconfig reads it: from the top file, following `source` lines, so
 * that the conditions of enclosing `if` blocks and of `menu ... depends on` reach the entries
 * of sourced files.  For the entry CONFIG_NAME, *deps collects those conditions and its own
 * "depends on" lines. */
struct kwalk {
        const char *srcdir, *sym;
        char ***deps;
        bool found;
        char **conds; /* the stack of enclosing conditions; "" for a menu without one */
        char **walked; /* "DEV:INODE" of every file read: each is read once (see kwalk_file) */
        int depth;
        char **selectors; /* the entries with a "select SYM" line */
        char *entry;      /* the entry whose attributes are being read (a top-level config) */
        bool in_choice;   /* between "choice" and "endchoice" */
        char **members;   /* the config entries of that choice so far */
        char **choice;    /* the members of the choice holding the entry, once found */
        char *sym_file;   /* the Kconfig file holding the entry */
        char **entries;   /* with collect: "NAME FILE" for every config entry (see kconfig_file_siblings) */
        bool collect;
        bool has_prompt;  /* the entry has a prompt ... */
        char *prompt_if;  /* ... shown only "if" this (NULL when always shown) */
};

static void kwalk_file(struct kwalk *w, const char *relpath);

/* A condition of the entry (parenthesised when joined with &&, so that A || B keeps its
 * meaning); only a hint for the user, so a failed allocation drops it. */
static void push_dep(char ***deps, const char *expr)
{
        if (!expr[0] || strv_contains(*deps, expr))
                return;
        if (strstr(expr, "||"))
                (void)strv_pushf(deps, "(%s)", expr);
        else
                (void)strv_push(deps, expr);
}

/* A source, osource or rsource line of RELPATH: walk the file it names. */
static void kwalk_source(struct kwalk *w, const char *relpath, const char *s)
{
        char *q1 = strchr(s, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        if (!q2)
                return;
        _cleanup_free_ char *rel = strndup(q1 + 1, (size_t)(q2 - q1 - 1));
        /* $(SRCARCH) is the only variable source lines use on x86. */
        char *var = rel ? strstr(rel, "$(SRCARCH)") : NULL;
        _cleanup_free_ char *expanded = NULL;
        if (var && asprintf(&expanded, "%.*sx86%s", (int)(var - rel), rel, var + 10) < 0)
                return;
        const char *target = expanded ? expanded : rel;
        _cleanup_free_ char *relative = NULL;
        if (s[0] == 'r') { /* rsource: relative to this file */
                _cleanup_free_ char *dir = strdup(relpath);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash)
                        *slash = '\0';
                if (asprintf(&relative, "%s/%s", slash ? dir : ".", target) < 0)
                        return;
        }
        w->depth++;
        kwalk_file(w, relative ? relative : target);
        w->depth--;
}

static void kwalk_lines(struct kwalk *w, const char *relpath, char *text);

/* A kernel's Kconfig files source each other by paths inside the tree: a path that leaves it
 * ("/dev/zero", "../../x") is not one of them, and is not read. */
static bool inside_tree(const char *relpath)
{
        if (relpath[0] == '/' || relpath[0] == '\0')
                return false;
        for (const char *p = relpath; *p; p += strcspn(p, "/"), p += *p == '/')
                if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
                        return false;
        return true;
}

/* The biggest Kconfig file of Linux 6.1 is 60 KB: a bigger one is not a Kconfig file. */
#define KCONFIG_FILE_MAX (4u << 20)

/* Each file is read once, known by its inode rather than its name: "a//Kconfig", "./a/Kconfig"
 * and a link are one file.  By name, a tree whose files source one another under other
 * spellings was read again at every level (fuzzing found one that ran for minutes); a kernel's
 * Kconfig sources each file once anyway, and refuses loops. */
static void kwalk_file(struct kwalk *w, const char *relpath)
{
        if (w->depth > 32 || !inside_tree(relpath))
                return;
        _cleanup_free_ char *path = path_join(w->srcdir, relpath), *text = NULL, *id = NULL;
        _cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            asprintf(&id, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino) < 0 ||
            strv_contains(w->walked, id) || read_full_fd_max(fd, KCONFIG_FILE_MAX, &text, NULL) < 0 ||
            strv_push(&w->walked, id) < 0)
                return;
        kwalk_lines(w, relpath, text);
}

/* An attribute line S of the entry: a prompt ("bool "Virtual terminal" if EXPERT", or "prompt
 * "..." if ..."), and the condition that shows it. */
static void read_prompt(struct kwalk *w, const char *s)
{
        static const char *const typed[] = { "bool", "tristate", "string", "int", "hex", "prompt" };
        size_t k = strcspn(s, " \t");
        bool is_typed = false;
        for (size_t i = 0; i < ARRAY_SIZE(typed); i++)
                is_typed |= strlen(typed[i]) == k && strncmp(s, typed[i], k) == 0;
        const char *q = s + k + strspn(s + k, " \t");
        if (!is_typed || *q != '"')
                return;
        /* the closing quote (a prompt may hold an escaped one) */
        const char *e = q + 1;
        while (*e && *e != '"')
                e += e[0] == '\\' && e[1] ? 2 : 1;
        if (!*e)
                return;
        w->has_prompt = true;
        e++;
        e += strspn(e, " \t");
        if (strncmp(e, "if", 2) == 0 && (e[2] == ' ' || e[2] == '\t')) {
                e += 3;
                e += strspn(e, " \t");
                size_t len = strcspn(e, "#");
                while (len > 0 && (e[len - 1] == ' ' || e[len - 1] == '\t'))
                        len--;
                w->prompt_if = len ? strndup(e, len) : NULL;
        }
}

static void kwalk_lines(struct kwalk *w, const char *relpath, char *text)
{
        size_t sl = strlen(w->sym);
        bool in_entry = false, in_menu_head = false, in_help = false;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *s = l;
                while (*s == ' ' || *s == '\t')
                        s++;
                bool top = s == l && *s && *s != '#';
                if (top) {
                        if (strncmp(s, "config ", 7) != 0 && strncmp(s, "menuconfig ", 11) != 0) {
                                free(w->entry);
                                w->entry = NULL;
                        }
                        in_entry = false; /* a new top-level statement ends an entry, a menu head, a help text */
                        in_menu_head = false;
                        in_help = false;
                }
                if (in_help)
                        continue; /* help text may say "if you ..." or "depends on ..." */
                if (!top) {
                        /* Indented lines are attributes of the entry or menu above; a prompt
                         * line is only a prompt (its own statement), so it is read here and
                         * the chain below still sees every other kind. */
                        if (in_entry && !w->has_prompt)
                                read_prompt(w, s);
                        if (streq(s, "help") || streq(s, "---help---"))
                                in_help = true;
                        else if (strncmp(s, "select ", 7) == 0 && w->entry) {
                                const char *t = s + 7;
                                while (*t == ' ' || *t == '\t')
                                        t++;
                                if (strncmp(t, w->sym, sl) == 0 && (t[sl] == '\0' || t[sl] == ' ' || t[sl] == '\t') &&
                                    !strv_contains(w->selectors, w->entry))
                                        (void)strv_push(&w->selectors, w->entry);
                        } else if (strncmp(s, "depends on ", 11) == 0) {
                                size_t n = strv_length(w->conds);
                                if (in_entry)
                                        push_dep(w->deps, s + 11);
                                else if (in_menu_head && n > 0 && !w->conds[n - 1][0]) {
                                        free(w->conds[n - 1]);
                                        w->conds[n - 1] = strdup(s + 11);
                                }
                        }
                        continue;
                }
                size_t n = strv_length(w->conds);
                if (strncmp(s, "if ", 3) == 0) {
                        (void)strv_push(&w->conds, s + 3); /* dropped on ENOMEM: the hint loses a condition */
                } else if ((strncmp(s, "endif", 5) == 0 && (!s[5] || s[5] == ' ' || s[5] == '\t' || s[5] == '#')) ||
                           (strncmp(s, "endmenu", 7) == 0 && (!s[7] || s[7] == ' ' || s[7] == '\t' || s[7] == '#'))) {
                        /* "endif # CGROUPS": a comment may follow */
                        if (n > 0) {
                                free(w->conds[n - 1]);
                                w->conds[n - 1] = NULL;
                        }
                } else if (strncmp(s, "menu ", 5) == 0) {
                        (void)strv_push(&w->conds, "");
                        in_menu_head = true;
                } else if (strncmp(s, "source ", 7) == 0 || strncmp(s, "osource ", 8) == 0 ||
                           strncmp(s, "rsource ", 8) == 0) {
                        kwalk_source(w, relpath, s);
                } else if (streq(s, "choice") || strncmp(s, "choice ", 7) == 0) {
                        w->in_choice = true;
                        strv_free(w->members);
                        w->members = NULL;
                } else if (strncmp(s, "endchoice", 9) == 0) {
                        if (w->in_choice && w->found && !w->choice && strv_contains(w->members, w->sym))
                                w->choice = TAKE_PTR(w->members);
                        w->in_choice = false;
                } else if (strncmp(s, "config ", 7) == 0 || strncmp(s, "menuconfig ", 11) == 0) {
                        const char *name = s + (s[0] == 'c' ? 7 : 11);
                        free(w->entry);
                        w->entry = strndup(name, strcspn(name, " \t"));
                        if (w->in_choice)
                                (void)strv_push(&w->members, name);
                        if (w->collect && w->entry)
                                (void)strv_pushf(&w->entries, "%s %s", w->entry, relpath);
                        if (strncmp(name, w->sym, sl) == 0 && (name[sl] == '\0' || name[sl] == ' ')) {
                                in_entry = true;
                                if (!w->found)
                                        w->sym_file = strdup(relpath);
                                w->found = true;
                                for (char **c = w->conds; c && *c; c++)
                                        push_dep(w->deps, *c);
                        }
                }
        }
}

/* What a walk holds when it ends (its answers taken, or not wanted). */
static void kwalk_done(struct kwalk *w)
{
        strv_free(w->conds);
        strv_free(w->walked);
        strv_free(w->members);
        strv_free(w->selectors);
        strv_free(w->choice);
        strv_free(w->entries);
        free(w->entry);
        free(w->sym_file);
        free(w->prompt_if);
}

/* Walk the whole Kconfig tree for NAME's entry. */
static char *kwalk_entry(const char *srcdir, const char *name, char ***ret_choice, char ***ret_selectors)
{
        if (strncmp(name, "CONFIG_", 7) == 0)
                name += 7;
        char **deps = NULL;
        struct kwalk w = { .srcdir = srcdir, .sym = name, .deps = &deps };
        kwalk_file(&w, "Kconfig");
        if (ret_selectors)
                *ret_selectors = TAKE_PTR(w.selectors);
        if (ret_choice)
                *ret_choice = TAKE_PTR(w.choice);
        char *r = !w.found ? NULL : deps ? strv_join(deps, " && ") : strdup("");
        strv_free(deps);
        kwalk_done(&w);
        return r;
}

char *kconfig_depends(const char *srcdir, const char *name)
{
        return kwalk_entry(srcdir, name, NULL, NULL);
}

char **kconfig_choice_members(const char *srcdir, const char *name)
{
        char **members = NULL;
        free(kwalk_entry(srcdir, name, &members, NULL));
        return members;
}

char *kconfig_prompt_condition(const char *srcdir, const char *name)
{
        if (strncmp(name, "CONFIG_", 7) == 0)
                name += 7;
        char **deps = NULL;
        struct kwalk w = { .srcdir = srcdir, .sym = name, .deps = &deps };
        kwalk_file(&w, "Kconfig");
        strv_free(deps);
        char *cond = !w.has_prompt ? NULL : w.prompt_if ? TAKE_PTR(w.prompt_if) : strdup("");
        kwalk_done(&w);
        return cond;
}

char *kconfig_names_on(char *const *names, const struct kconfig *c)
{
        _cleanup_strv_free_ char **on = NULL;
        for (char *const *n = names; n && *n; n++) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "CONFIG_%s", *n) < 0)
                        return NULL;
                const char *v = kconfig_value(c, full);
                if (!streq(v, "n") && strv_pushf(&on, "%s(=%s)", *n, v) < 0)
                        return NULL;
        }
        return on ? strv_join(on, ", ") : strdup("");
}

char **kconfig_selectors(const char *srcdir, const char *name)
{
        char **sel = NULL;
        free(kwalk_entry(srcdir, name, NULL, &sel));
        return sel;
}

char **kconfig_file_siblings(const char *srcdir, const char *name)
{
        if (strncmp(name, "CONFIG_", 7) == 0)
                name += 7;
        struct kwalk w = { .srcdir = srcdir, .sym = name, .deps = NULL, .collect = true };
        char **deps = NULL;
        w.deps = &deps;
        kwalk_file(&w, "Kconfig");
        char **out = NULL;
        for (char **e = w.entries; w.sym_file && e && *e; e++) {
                const char *sp = strchr(*e, ' ');
                if (sp && streq(sp + 1, w.sym_file) && (size_t)(sp - *e) > 0) {
                        _cleanup_free_ char *n = strndup(*e, (size_t)(sp - *e));
                        if (!n || (!strv_contains(out, n) && strv_push(&out, n) < 0)) {
                                strv_free(out);
                                out = NULL;
                                break;
                        }
                }
        }
        strv_free(deps);
        kwalk_done(&w);
        return out;
}

char **kconfig_conjuncts(const char *expr)
{
        char **out = NULL;
        int depth = 0;
        const char *term = expr;
        for (const char *p = expr;; p++) {
                bool end = *p == '\0' || (depth == 0 && p[0] == '&' && p[1] == '&');
                if (*p == '(')
                        depth++;
                else if (*p == ')')
                        depth--;
                if (!end)
                        continue;
                /* A term that is one symbol, blanks aside: "FTRACE", not "!X", "A || B", "X=y". */
                const char *a = term, *b = p;
                while (a < b && isspace((unsigned char)*a))
                        a++;
                while (b > a && isspace((unsigned char)b[-1]))
                        b--;
                size_t n = (size_t)(b - a), ok = strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyz");
                bool constant = n == 1 && (*a == 'y' || *a == 'n' || *a == 'm');
                if (n > 0 && ok >= n && !constant) {
                        _cleanup_free_ char *sym = strndup(a, n);
                        if (!sym || (!strv_contains(out, sym) && strv_push(&out, sym) < 0)) {
                                strv_free(out);
                                return NULL;
                        }
                }
                if (*p == '\0')
                        break;
                term = p + 2;
                p++;
        }
        return out;
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

char *kconfig_unmet(const char *expr, const struct kconfig *c, bool want_y)
{
        char **unmet = NULL;
        for (const char *p = expr; *p;) {
                if (!(isalnum((unsigned char)*p) || *p == '_')) {
                        p++;
                        continue;
                }
                size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyz");
                /* A term is negated when the last thing before it is '!' (blanks aside). */
                const char *q = p;
                while (q > expr && isspace((unsigned char)q[-1]))
                        q--;
                bool negated = q > expr && q[-1] == '!';
                bool constant = n == 1 && (*p == 'y' || *p == 'n' || *p == 'm');
                char name[160];
                snprintf(name, sizeof name, "CONFIG_%.*s", (int)n, p);
                const char *v = kconfig_value(c, name);
                /* Asked for y, a dependency that is m limits it to m: not met either. */
                bool off = streq(v, "n") || (want_y && streq(v, "m"));
                char *term = NULL;
                if (!constant && off != negated &&
                    (asprintf(&term, "%s%.*s(=%s)", negated ? "!" : "", (int)n, p, v) < 0 || strv_consume(&unmet, term) < 0)) {
                        strv_free(unmet);
                        return NULL;
                }
                p += n;
        }
        char *r = unmet ? strv_join(unmet, ", ") : strdup("");
        strv_free(unmet);
        return r;
}
