/* What param_sysfs_init spends its time on.  Every built-in module parameter that sysfs shows
 * gets, at boot, a sysfs attribute under /sys/module/NAME/parameters, and Linux 6.1's
 * kernel_add_sysfs_param removes and makes again the module's whole attribute group at each
 * parameter, then sends a uevent: a module with k parameters costs about k + k² attribute
 * operations (an estimate by object: the parts of a module built from several objects, or of
 * one MODULE_PARAM_PREFIX, count apart, so such a module's share is low).  The defconfig kernel
 * starts at 10.3 insn-ms there (2.9 once tailored), base.config's at 0.7.  No option builds
 * param_sysfs_init itself (kernel/params.o); the options that build the objects declaring
 * parameters decide its cost, and the tailor proposes them with their estimated share.  On
 * base.config only SERIAL_8250's share (24%, 0.16 ms) is over tailor.sh's 0.1 ms floor, and the
 * PC machine keeps it. */
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
