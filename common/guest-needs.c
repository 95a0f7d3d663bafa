/* What the guest side needs of a kernel (guest-needs.h). */
#include <config.h>

#include <stdio.h>

#include "guest-mounts.h"
#include "guest-needs.h"
#include "macro.h"

/* Beyond the mounts.  (udev's wait needs INOTIFY_USER, and udevd NET for its uevents: only with
 * leanboot.udev, which the payload's check decides.) */
static const struct {
        const char *option, *why;
} needs[] = {
        { "CONFIG_SIGNALFD", "the init reads its children's signals from a signalfd" },
        /* The measure: initcall_debug's lines in the kernel log, each naming its function. */
        { "CONFIG_PRINTK", "the measure reads the initcalls from the kernel log" },
        { "CONFIG_KALLSYMS", "the map names each initcall by its function" },
};

const char *kconfig_guest_lacks(const struct kconfig *c, const char **ret_why)
{
        static char why[96];
        for (size_t i = 0; i < guest_mounts_count; i++)
                if (!streq(kconfig_value(c, guest_mounts[i].option), "y")) {
                        snprintf(why, sizeof why, "the init mounts %s on %s", guest_mounts[i].type, guest_mounts[i].target);
                        *ret_why = why;
                        return guest_mounts[i].option;
                }
        for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
                if (!streq(kconfig_value(c, needs[i].option), "y")) {
                        *ret_why = needs[i].why;
                        return needs[i].option;
                }
        return NULL;
}
