/* After the timed boot, the kernel's ring buffer (initcall_debug records, the stage markers
 * the init wrote to /dev/kmsg) goes to the host on a channel of its own: the raw virtio disk
 * whose serial is leanboot.collect=SERIAL.  Nothing of it crosses the slow console. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "init.h"
#include "../common/fileio.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10
/* O_DIRECT wants buffer, offset and length aligned to the logical block size. */
#define DATA_ALIGN 4096

static char *find_disk_by_serial(const char *serial)
{
        _cleanup_closedir_ DIR *d = opendir("/sys/block");
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char path[300];
                snprintf(path, sizeof path, "/sys/block/%s/serial", e->d_name);
                _cleanup_free_ char *s = NULL;
                if (read_full_file(path, &s, NULL) < 0)
                        continue;
                s[strcspn(s, "\n")] = '\0';
                if (streq(s, serial)) {
                        char *dev = NULL;
                        return asprintf(&dev, "/dev/%s", e->d_name) < 0 ? NULL : dev;
                }
        }
        return NULL;
}

int collect_kernel_log(const char *serial)
{
        _cleanup_free_ char *dev = find_disk_by_serial(serial);
        if (!dev) {
                init_error("leanboot.collect=%s: no disk with that serial", serial);
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
        _cleanup_free_ char *buf = malloc((size_t)size);
        if (!buf)
                return -ENOMEM;
        int n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
        if (n < 0) {
                init_error("cannot read the kernel log: %s", strerror(errno));
                return -errno;
        }
        _cleanup_close_ int fd = open(dev, O_WRONLY | O_CLOEXEC | O_DIRECT);
        if (fd < 0) {
                init_error("cannot open %s: %s", dev, strerror(errno));
                return -errno;
        }
        int hl = snprintf(out, cap, "LEANBOOT-KLOG %d\n", n);
        memcpy(out + hl, buf, (size_t)n);
        memcpy(out + hl + n, "\nLEANBOOT-END\n", 14);
        size_t len = (size_t)hl + (size_t)n + 14;
        size_t padded = (len + DATA_ALIGN - 1) & ~(size_t)(DATA_ALIGN - 1);
        memset(out + len, 0, padded - len);
        int r = write_full(fd, out, padded);
        if (r < 0)
                init_error("cannot write the kernel log to %s: %s", dev, strerror(-r));
        return r;
}
