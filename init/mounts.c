#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "init.h"
#include "../common/guest-mounts.h"

/* The table is common/guest-mounts.c's: it also names the option each mount needs, which the kernel
 * tailor keeps on. */
int mount_basic_filesystems(void)
{
        for (size_t i = 0; i < guest_mounts_count; i++) {
                const struct guest_mount *m = &guest_mounts[i];
                (void)mkdir(m->target, 0755);
                if (mount(m->source, m->target, m->type, m->flags, m->data) < 0 && errno != EBUSY) {
                        int r = -errno;
                        init_error("cannot mount %s on %s: %s", m->type, m->target, strerror(-r));
                        return r;
                }
        }
        return 0;
}
