/* What the guest side needs of a kernel (guest-needs.h). */
#include <config.h>

#include "guest-needs.h"
#include "macro.h"

static const struct {
        const char *option, *why;
} needs[] = {
        /* init/mounts.c's table, in its order: a mount that fails stops the init. */
        { "CONFIG_PROC_FS", "the init mounts proc on /proc" },
        { "CONFIG_SYSFS", "the init mounts sysfs on /sys" },
        { "CONFIG_DEVTMPFS", "the init mounts devtmpfs on /dev" },
        { "CONFIG_UNIX98_PTYS", "the init mounts devpts on /dev/pts" },
        /* The measure: initcall_debug's lines in the kernel log, each naming its function. */
        { "CONFIG_PRINTK", "the measure reads the initcalls from the kernel log" },
        { "CONFIG_KALLSYMS", "the map names each initcall by its function" },
};

const char *kconfig_guest_lacks(const struct kconfig *c, const char **ret_why)
{
        for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
                if (!streq(kconfig_value(c, needs[i].option), "y")) {
                        *ret_why = needs[i].why;
                        return needs[i].option;
                }
        return NULL;
}
