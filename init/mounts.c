#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "init.h"

struct mount_spec {
        const char *source, *target, *type;
        unsigned long flags;
        const char *data;
};

/* What these need of the kernel is also in common/guest-needs.c, which the tailor keeps on. */
static const struct mount_spec mounts[] = {
        { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
        { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
        { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
        { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666" },
        { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
        { "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
};

int mount_basic_filesystems(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
                const struct mount_spec *m = &mounts[i];
                (void)mkdir(m->target, 0755);
                if (mount(m->source, m->target, m->type, m->flags, m->data) < 0 && errno != EBUSY) {
                        int r = -errno;
                        init_error("cannot mount %s on %s: %s", m->type, m->target, strerror(-r));
                        return r;
                }
        }
        return 0;
}
