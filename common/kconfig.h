/* Kernel config fragments and .config files: parsing, and which requested options a
 * configuration lacks.  Both formats are the kernel's own: "CONFIG_X=VALUE" and
 * "# CONFIG_X is not set".  In common/: the builder reads a kernel's config (which machines it
 * boots on) and kernel/ builds and checks them. */
#ifndef LEANBOOT_KCONFIG_H
#define LEANBOOT_KCONFIG_H

#include <stddef.h>

struct kopt {
        char *name;  /* "CONFIG_X" */
        char *value; /* "y", "m", "n" (for "is not set"), a number, or a quoted string */
        char *file;  /* where it was asked for */
        unsigned line;
};

struct kconfig {
        struct kopt *opts;
        size_t n;
};

/* Parse a fragment or a .config.  Bad lines give -EINVAL with *ret_error set to
 * "FILE:LINE: what is wrong" (malloc'd).  Later settings of the same option replace earlier
 * ones, as merge_config.sh does. */
int kconfig_parse(const char *text, const char *file, struct kconfig *c, char **ret_error);
int kconfig_load(const char *path, struct kconfig *c, char **ret_error);
const struct kopt *kconfig_find(const struct kconfig *c, const char *name);
/* The value in effect: "n" for an option absent or not set. */
const char *kconfig_value(const struct kconfig *c, const char *name);
/* How many options are enabled (any value but n). */
size_t kconfig_enabled(const struct kconfig *c);
void kconfig_free(struct kconfig *c);

/* The requested options whose value in `final` differs: indexes into requested->opts. */
int kconfig_missing(const struct kconfig *requested, const struct kconfig *final, size_t **ret_idx,
                    size_t *ret_n);

#endif
