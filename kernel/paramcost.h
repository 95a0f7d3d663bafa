/* What param_sysfs_init spends its time on.  Every built-in module parameter that sysfs shows
 * gets, at boot, a sysfs attribute under /sys/module/NAME/parameters, and Linux 6.1's
 * kernel_add_sysfs_param removes and makes again the module's whole attribute group at each
 * parameter, then sends a uevent: a module with k parameters costs about k + k² attribute
 * operations (an estimate by object: the parts of a module built from several objects, or of
 * one MODULE_PARAM_PREFIX, count apart, so such a module's share is low).  The defconfig kernel
 * spends 2.9 insn-ms there, base.config's 0.7.  No option
 * builds param_sysfs_init itself (kernel/params.o); the options that build the objects
 * declaring parameters decide its cost, and the tailor proposes them with their estimated share.
 * Known bug (session 14): tailor.c's propose_param_options looks for param_sysfs_init with a NULL
 * module, but the initcall parser gives built-in initcalls the module "", so the rule never
 * fires; the fix (initcall_find(l, "param_sysfs_init", "", 0)) was found after the session's CI
 * had started, and waits for a CI of its own (it adds proposals to the tailor tests' runs). */
#ifndef LEANBOOT_PARAMCOST_H
#define LEANBOOT_PARAMCOST_H

#include <stddef.h>

#include "objsyms.h"
#include "../common/kconfig.h"

struct param_share {
        char *option;    /* "CONFIG_X": the option naming the objects (kmakefile.h) */
        unsigned params; /* their parameters that sysfs shows */
        double share;    /* of param_sysfs_init's cost: their k + k² over all built-in objects' */
        char *object;    /* the one with the most parameters */
};

/* The shares of the options building, in the kernel of config REF, the objects IDX found with
 * module parameters (SRC: the source tree); the objects every kernel builds count in the whole
 * but get no share.  *ret sorted by share, the largest first (possibly NULL); 0 or -errno. */
int param_shares(const struct objsyms *idx, const char *src, const struct kconfig *ref, struct param_share **ret, size_t *ret_n);
void param_shares_free(struct param_share *v, size_t n);

#endif
