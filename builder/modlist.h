/* The appliance's module list: requested names resolved with libkmod on the host into
 * paths relative to /lib/modules/VERSION, dependencies (and pre-softdeps) first, no
 * duplicates, built-in modules left out.  The init loads it in order with finit_module. */
#ifndef LEANBOOT_MODLIST_H
#define LEANBOOT_MODLIST_H

#include <stdbool.h>
#include <stddef.h>

struct modlist {
        char **paths;
        size_t n;
};

/* Resolve names (module names or aliases) against MODDIR (/lib/modules/VERSION).
 * On an unknown name returns -ENOENT and sets *ret_bad to a copy of it. */
int modlist_resolve(const char *moddir, char *const *names, size_t n_names, struct modlist *ret,
                    char **ret_bad);
/* One path per line, ending in a newline; "" for an empty list. */
int modlist_format(const struct modlist *l, char **ret_text);
/* Parse the format above (blank lines and '#' comments ignored). */
int modlist_parse(const char *text, struct modlist *ret);
int modlist_add(struct modlist *l, const char *path);
/* True when the list holds module NAME (its file NAME.ko, compressed or not). */
bool modlist_has(const struct modlist *l, const char *name);
void modlist_free(struct modlist *l);

#endif
