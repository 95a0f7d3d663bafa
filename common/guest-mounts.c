/* The lean init's mounts (guest-mounts.h). */
#include <config.h>

#include <sys/mount.h>

#include "guest-mounts.h"
#include "macro.h"

const struct guest_mount guest_mounts[] = {
        { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "CONFIG_PROC_FS" },
        { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "CONFIG_SYSFS" },
        { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", "CONFIG_DEVTMPFS" },
        { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666", "CONFIG_UNIX98_PTYS" },
        /* mode=: shmem without TMPFS takes no mount options (EINVAL) */
        { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", "CONFIG_TMPFS" },
        { "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", "CONFIG_TMPFS" },
};
const size_t guest_mounts_count = ARRAY_SIZE(guest_mounts);
