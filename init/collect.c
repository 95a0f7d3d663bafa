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
        _cleanup_free_ char *buf = malloc((size_t)size);
        if (!buf)
                return -ENOMEM;
        int n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
        if (n < 0) {
                init_error("cannot read the kernel log: %s", strerror(errno));
                return -errno;
        }
        _cleanup_close_ int fd = open(dev, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                init_error("cannot open %s: %s", dev, strerror(errno));
                return -errno;
        }
        char head[64];
        int hl = snprintf(head, sizeof head, "LEANBOOT-KLOG %d\n", n);
        int r = write_full(fd, head, (size_t)hl);
        if (r >= 0)
                r = write_full(fd, buf, (size_t)n);
        if (r >= 0)
                r = write_full(fd, "\nLEANBOOT-END\n", 14);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r < 0)
                init_error("cannot write the kernel log to %s: %s", dev, strerror(-r));
        return r;
}
