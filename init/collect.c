/* After the timed boot, the kernel's ring buffer (initcall_debug records, the stage markers
 * the init wrote to /dev/kmsg) goes to the host on a channel of its own, never the slow
 * console: leanboot.collect=root@OFFSET.  The bench boots the root from a qcow2 overlay that
 * is larger than the root file system; the log goes to the root disk at OFFSET, past the file
 * system's end, and the bench reads it out of the overlay once QEMU has exited.  No device is
 * added for it, so the boot being measured is the boot a user gets (benchmark/qcow2.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init.h"
#include "../common/contract.h"
#include "../common/fileio.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10
/* O_DIRECT wants buffer, offset and length aligned to the logical block size. */
#define DATA_ALIGN 4096

/* The block device the root file system is on, from its device number (no /dev/root needed). */
static char *root_device(void)
{
        struct stat st;
        if (stat("/", &st) < 0)
                return NULL;
        char path[96];
        snprintf(path, sizeof path, "/sys/dev/block/%u:%u/uevent", major(st.st_dev), minor(st.st_dev));
        _cleanup_free_ char *uevent = NULL;
        if (read_full_file(path, &uevent, NULL) < 0)
                return NULL;
        const char *name = strstr(uevent, "DEVNAME=");
        if (!name)
                return NULL;
        name += 8;
        char *dev = NULL;
        return asprintf(&dev, "/dev/%.*s", (int)strcspn(name, "\n"), name) < 0 ? NULL : dev;
}

int collect_kernel_log(const char *where)
{
        uint64_t offset;
        char *end = NULL;
        if (strncmp(where, "root@", 5) != 0 || (offset = strtoull(where + 5, &end, 10), *end != '\0') ||
            offset % DATA_ALIGN != 0) {
                init_error(CMDLINE_COLLECT "=%s: expected root@OFFSET (a multiple of %d)", where, DATA_ALIGN);
                return -EINVAL;
        }
        _cleanup_free_ char *dev = root_device();
        if (!dev) {
                init_error(CMDLINE_COLLECT ": cannot tell which disk holds the root");
                return -ENOENT;
        }
        int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
        if (size <= 0)
                size = 1 << 20;
        /* One aligned buffer for the header, the log and the trailer, written with O_DIRECT: no
         * page cache to fill and no fsync to wait for before the power-off. */
        size_t cap = ((size_t)size + 2 * DATA_ALIGN + 63) & ~(size_t)(DATA_ALIGN - 1);
        _cleanup_free_ char *out = NULL;
        if (posix_memalign((void **)&out, DATA_ALIGN, cap) != 0)
                return -ENOMEM;
        int hl = snprintf(out, 64, KLOG_HEADER_FORMAT, size);
        int n = klogctl(SYSLOG_ACTION_READ_ALL, out + 64, size);
        if (n < 0) {
                init_error("cannot read the kernel log: %s", strerror(errno));
                return -errno;
        }
        /* The header's length is only known now: write it, then move the log up against it. */
        hl = snprintf(out, 64, KLOG_HEADER_FORMAT, n);
        memmove(out + hl, out + 64, (size_t)n);
        memcpy(out + hl + n, KLOG_TRAILER, sizeof KLOG_TRAILER - 1);
        size_t len = (size_t)hl + (size_t)n + sizeof KLOG_TRAILER - 1;
        size_t padded = (len + DATA_ALIGN - 1) & ~(size_t)(DATA_ALIGN - 1);
        memset(out + len, 0, padded - len);

        _cleanup_close_ int fd = open(dev, O_WRONLY | O_CLOEXEC | O_DIRECT);
        if (fd < 0) {
                init_error("cannot open %s: %s", dev, strerror(errno));
                return -errno;
        }
        for (size_t done = 0; done < padded;) {
                ssize_t w = pwrite(fd, out + done, padded - done, (off_t)(offset + done));
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        int r = w < 0 ? -errno : -EIO;
                        init_error("cannot write the kernel log to %s at %" PRIu64 ": %s", dev, offset, strerror(-r));
                        return r;
                }
                done += (size_t)w;
        }
        return 0;
}
