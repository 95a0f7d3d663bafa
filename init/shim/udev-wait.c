/* leanboot-udev-wait.so: preloaded into guestfsd by the lean init's libguestfs profile.
 *
 * guestfsd lists /dev/disk/by-path as soon as its main() starts, so udev must have handled the
 * disks by then; but guestfsd spends its first half second (under TCG) loading its 69 shared
 * libraries, which needs no udev.  The init therefore starts guestfsd at once, next to udev's
 * start-up, and this constructor, which runs after the loader has done its work and before
 * main(), waits until the init's udev helper has created the file named by
 * LEANBOOT_UDEV_READY (the triggered block and virtio-ports events processed).  The wait is
 * bounded; the variables are removed so that guestfsd's own children do not wait again.
 * A wait that hits the bound is reported; with LEANBOOT_UDEV_VERBOSE (guestfs_verbose=1 or
 * leanboot.debug) every wait is, which shows whether udev or the loading is the longer.
 * The library stays in guestfsd after the variables are gone: udev-settle.c answers its
 * `udevadm settle` runs. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "udev-shim.h"
#include "wait-left.h"
#include "../../common/clock.h"

#define WAIT_LIMIT_MS 60000

bool udev_shim_verbose;


__attribute__((constructor)) static void leanboot_wait_for_udev(void)
{
        udev_shim_verbose = getenv("LEANBOOT_UDEV_VERBOSE") != NULL;
        const char *ready = getenv("LEANBOOT_UDEV_READY");
        if (!ready || ready[0] != '/') {
                unsetenv("LD_PRELOAD");
                return;
        }
        char dir[PATH_MAX];
        size_t dl = (size_t)(strrchr(ready, '/') - ready);
        if (dl == 0 || dl >= sizeof dir)
                goto out;
        memcpy(dir, ready, dl);
        dir[dl] = '\0';
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd >= 0 && inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO) < 0) {
                close(fd);
                fd = -1;
        }
        long long start = now_msec(), deadline = start + WAIT_LIMIT_MS;
        bool ready_seen;
        while (!(ready_seen = access(ready, F_OK) == 0) && now_msec() < deadline) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                /* Without inotify, look again every 10 ms.  The time left is read once: read again
                 * after the loop's check it can have run out, and poll(-N) would wait for ever. */
                int left = wait_left_ms(deadline, now_msec());
                if (left == 0)
                        break;
                if (fd < 0 ? usleep(10000) < 0 : poll(&p, 1, left) < 0) {
                        if (errno != EINTR)
                                break;
                }
                char buf[4096];
                while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
                        ;
        }
        if (fd >= 0)
                close(fd);
        if (!ready_seen)
                fprintf(stderr, "leanboot-udev-wait: udev not done after %d s, starting anyway\n", WAIT_LIMIT_MS / 1000);
        else if (udev_shim_verbose)
                fprintf(stderr, "leanboot-udev-wait: waited %lld ms for udev\n", now_msec() - start);
out:
        unsetenv("LEANBOOT_UDEV_READY");
        unsetenv("LEANBOOT_UDEV_VERBOSE");
        unsetenv("LD_PRELOAD");
}
