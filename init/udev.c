/* udev in three modes.
 *   off:  devtmpfs alone (enough for virtio disks and the console).
 *   fast: start udevd, trigger only the subsystems the appliance needs and wait for exactly
 *         those events (udevadm trigger --settle), then for the queue to drain (inotify on
 *         /run/udev), all under one deadline; no fixed sleeps.
 *   full: what libguestfs does: trigger everything and `udevadm settle`.
 * fast without waiting (the libguestfs profile): the events are triggered, and whoever needs a
 * device settles for it (guestfsd runs `udevadm settle` before it touches one). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

static const char *const udevd_paths[] = {
        "/lib/systemd/systemd-udevd", "/usr/lib/systemd/systemd-udevd", "/sbin/udevd",
};

int udev_mode_from_string(const char *s, enum udev_mode *ret)
{
        if (streq(s, "off"))
                *ret = UDEV_OFF;
        else if (streq(s, "fast"))
                *ret = UDEV_FAST;
        else if (streq(s, "full"))
                *ret = UDEV_FULL;
        else
                return -EINVAL;
        return 0;
}

const char *udev_find_daemon(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(udevd_paths); i++)
                if (access(udevd_paths[i], X_OK) == 0)
                        return udevd_paths[i];
        return NULL;
}

static int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run a helper with what is left of the deadline; kill it if it overruns. */
static int run_bounded(char *const *argv, int64_t deadline)
{
        int64_t left = deadline - mono_ms();
        if (left <= 0)
                return -ETIMEDOUT;
        pid_t pid = spawn_child(argv, false);
        if (pid < 0)
                return (int)pid;
        int st = wait_child(pid, (int)left);
        if (st == -ETIMEDOUT) {
                kill(pid, SIGKILL);
                (void)wait_child(pid, -1);
                init_error("'%s %s' did not finish in time", argv[0], argv[1]);
                return -ETIMEDOUT;
        }
        if (st != 0) {
                init_error("'%s %s' failed with status %d", argv[0], argv[1], st);
                return -EIO;
        }
        return 0;
}

/* Wait until /run/udev/queue does not exist (udevd removes it when idle). */
static int wait_queue_empty(int64_t deadline)
{
        _cleanup_close_ int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (ifd < 0)
                return -errno;
        if (inotify_add_watch(ifd, "/run/udev", IN_DELETE | IN_MOVED_FROM) < 0)
                return -errno;
        for (;;) {
                if (access("/run/udev/queue", F_OK) < 0)
                        return 0;
                int64_t left = deadline - mono_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = ifd, .events = POLLIN };
                if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
                        return -errno;
                char buf[4096];
                while (read(ifd, buf, sizeof buf) > 0)
                        ;
        }
}

int udev_start(enum udev_mode mode, const char *subsystems, unsigned timeout_ms, bool wait)
{
        if (mode == UDEV_OFF)
                return 0;
        const char *udevd = udev_find_daemon();
        if (!udevd) {
                init_error("leanboot.udev asks for udev, but no udevd is in the appliance");
                return -ENOENT;
        }
        int64_t deadline = mono_ms() + timeout_ms;
        char *daemon_argv[] = { (char *)udevd, "--daemon", "--resolve-names=never", NULL };
        int r = run_bounded(daemon_argv, deadline);
        if (r < 0)
                return r;

        if (mode == UDEV_FULL) {
                char *trig[] = { "udevadm", "trigger", "--action=add", NULL };
                char timeout_arg[32];
                snprintf(timeout_arg, sizeof timeout_arg, "--timeout=%u", (timeout_ms + 999) / 1000);
                char *settle[] = { "udevadm", "settle", timeout_arg, NULL };
                r = run_bounded(trig, deadline);
                return r < 0 ? r : run_bounded(settle, deadline);
        }

        /* fast: one --subsystem-match per requested subsystem. */
        _cleanup_free_ char *subs = strdup(subsystems);
        if (!subs)
                return -ENOMEM;
        size_t n = 1;
        for (char *c = subs; *c; c++)
                n += *c == ',';
        _cleanup_free_ char **argv = calloc(n * 2 + 5, sizeof *argv);
        _cleanup_free_ char *args = calloc(n, 64);
        if (!argv || !args)
                return -ENOMEM;
        size_t k = 0;
        argv[k++] = "udevadm";
        argv[k++] = "trigger";
        argv[k++] = "--action=add";
        if (wait)
                argv[k++] = "--settle";
        char *save = NULL;
        size_t i = 0;
        for (char *s = strtok_r(subs, ",", &save); s; s = strtok_r(NULL, ",", &save), i++) {
                snprintf(args + i * 64, 64, "--subsystem-match=%s", s);
                argv[k++] = args + i * 64;
        }
        r = run_bounded(argv, deadline);
        if (r < 0 || !wait)
                return r;
        r = wait_queue_empty(deadline);
        if (r == -ETIMEDOUT)
                init_error("udev queue did not drain within %u ms", timeout_ms);
        return r;
}
