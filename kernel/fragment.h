/* Kernel config fragments against a kernel source tree: why an option was dropped (its Kconfig
 * dependencies).  Parsing fragments and .config files is common/kconfig.h's. */
#ifndef LEANBOOT_FRAGMENT_H
#define LEANBOOT_FRAGMENT_H

#include "../common/kconfig.h"

/* What CONFIG_NAME's Kconfig entry in a kernel source tree depends on: its "depends on" lines
 * and enclosing "if" conditions, joined with " && "; "" when it has none; NULL when no Kconfig
 * file defines it.  The reason an option was dropped. */
char *kconfig_depends(const char *srcdir, const char *name);
/* EXPR with each symbol's value in c appended: "VIRTIO(=y) && BLK_DEV(=n)". */
char *kconfig_annotate(const char *expr, const struct kconfig *c);

#endif
