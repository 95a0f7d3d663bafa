/* What leanboot's guest side needs of a kernel beyond booting on its machine (machine.h): the
 * lean init's mounts (guest-mounts.h) and its signalfd, and the measure (the kernel log's
 * initcall_debug lines, named by function).  A kernel without one boots, then fails the payload
 * or gives nothing to measure: the tailor keeps these without a build. */
#ifndef LEANBOOT_GUEST_NEEDS_H
#define LEANBOOT_GUEST_NEEDS_H

#include "kconfig.h"

/* The first option of those C does not set to y (NULL: none), and *ret_why what needs it (a
 * static string, good until the next call). */
const char *kconfig_guest_lacks(const struct kconfig *c, const char **ret_why);

#endif
