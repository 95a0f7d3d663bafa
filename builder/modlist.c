#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libkmod.h>

#include "modlist.h"
#include "../common/macro.h"

void modlist_free(struct modlist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->paths[i]);
        free(l->paths);
        l->paths = NULL;
        l->n = 0;
}

static bool modlist_contains(const struct modlist *l, const char *path)
{
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->paths[i], path))
                        return true;
        return false;
}

int modlist_add(struct modlist *l, const char *path)
{
        if (modlist_contains(l, path))
                return 0;
        char **n = realloc(l->paths, (l->n + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        l->paths = n;
        if (!(l->paths[l->n] = strdup(path)))
                return -ENOMEM;
        l->n++;
        return 0;
}

bool modlist_has(const struct modlist *l, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = 0; i < l->n; i++) {
                const char *slash = strrchr(l->paths[i], '/');
                const char *base = slash ? slash + 1 : l->paths[i];
                if (strncmp(base, name, n) == 0 && strncmp(base + n, ".ko", 3) == 0)
                        return true;
        }
        return false;
}

static void unref_list(struct kmod_list **l)
{
        if (*l)
                kmod_module_unref_list(*l);
}

/* Depth-first: a module's pre-softdeps and hard dependencies go before it. */
static int add_module(struct modlist *l, struct kmod_module *mod, const char *moddir, int depth)
{
        if (depth > 64)
                return -ELOOP;
        __attribute__((cleanup(unref_list))) struct kmod_list *pre = NULL, *post = NULL;
        if (kmod_module_get_softdeps(mod, &pre, &post) == 0) {
                struct kmod_list *it;
                kmod_list_foreach(it, pre) {
                        struct kmod_module *d = kmod_module_get_module(it);
                        int r = add_module(l, d, moddir, depth + 1);
                        kmod_module_unref(d);
                        if (r < 0)
                                return r;
                }
        }
        __attribute__((cleanup(unref_list))) struct kmod_list *deps = kmod_module_get_dependencies(mod);
        struct kmod_list *it;
        kmod_list_foreach(it, deps) {
                struct kmod_module *d = kmod_module_get_module(it);
                int r = add_module(l, d, moddir, depth + 1);
                kmod_module_unref(d);
                if (r < 0)
                        return r;
        }
        const char *path = kmod_module_get_path(mod);
        if (!path)
                return 0; /* built into the kernel: nothing to load */
        size_t ml = strlen(moddir);
        if (strncmp(path, moddir, ml) == 0 && path[ml] == '/')
                path += ml + 1;
        return modlist_add(l, path);
}

int modlist_resolve(const char *moddir, char *const *names, size_t n_names, struct modlist *ret,
                    char **ret_bad)
{
        struct kmod_ctx *ctx = kmod_new(moddir, NULL);
        if (!ctx)
                return -ENOENT;
        int r = kmod_load_resources(ctx);
        struct modlist l = { NULL, 0 };
        for (size_t i = 0; r >= 0 && i < n_names; i++) {
                __attribute__((cleanup(unref_list))) struct kmod_list *found = NULL;
                r = kmod_module_new_from_lookup(ctx, names[i], &found);
                if (r >= 0 && !found) {
                        r = -ENOENT;
                        if (ret_bad)
                                *ret_bad = strdup(names[i]);
                        break;
                }
                struct kmod_list *it;
                kmod_list_foreach(it, found) {
                        struct kmod_module *m = kmod_module_get_module(it);
                        r = add_module(&l, m, moddir, 0);
                        kmod_module_unref(m);
                        if (r < 0)
                                break;
                }
        }
        kmod_unref(ctx);
        if (r < 0) {
                modlist_free(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int modlist_format(const struct modlist *l, char **ret_text)
{
        size_t len = 1;
        for (size_t i = 0; i < l->n; i++)
                len += strlen(l->paths[i]) + 1;
        char *t = malloc(len), *o = t;
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++)
                o = stpcpy(stpcpy(o, l->paths[i]), "\n");
        *o = '\0';
        *ret_text = t;
        return 0;
}

int modlist_parse(const char *text, struct modlist *ret)
{
        struct modlist l = { NULL, 0 };
        const char *p = text;
        while (*p) {
                size_t len = strcspn(p, "\n");
                while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
                        len--;
                if (len > 0 && p[0] != '#') {
                        _cleanup_free_ char *line = strndup(p, len);
                        int r = line ? modlist_add(&l, line) : -ENOMEM;
                        if (r < 0) {
                                modlist_free(&l);
                                return r;
                        }
                }
                p += strcspn(p, "\n");
                if (*p)
                        p++;
        }
        *ret = l;
        return 0;
}
