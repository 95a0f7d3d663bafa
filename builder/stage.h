/* The tree that becomes leanboot.tar.gz in supermin.d: /init, its mount points and
 * /etc/leanboot (stage.c). */
#ifndef LEANBOOT_STAGE_H
#define LEANBOOT_STAGE_H

#include "plan.h"

/* Fill STAGE; *ret_hook_names gets the hooks' names as installed (for the manifest). */
int make_stage(const char *stage, const struct build_opts *o, const struct build_plan *p, char ***ret_hook_names);

#endif
