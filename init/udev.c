/* udev in three modes.
 *   off:  devtmpfs alone (enough for virtio disks and the console).
 *   fast: start udevd, trigger only the subsystems the appliance needs (the init writes the
 *         uevent files itself) and wait for exactly those events (udevd's netlink broadcast),
 *         then for the queue to drain (inotify on /run/udev), all under one deadline; no fixed
 *         sleeps.
 *   full: what libguestfs does: trigger everything and `udevadm settle`.
 * The libguestfs profile runs fast mode in a helper child while guestfsd loads (init/main.c).
 * Unbound loop devices are not triggered: a kernel with loop built in has eight of them, each an
 * event for udev's rules to process (about 10 ms each under TCG) with nothing to find; binding
 * one later (losetup) sends its own change event. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "../common/clock.h"
#include "../common/contract.h"
#include "../common/fileio.h"

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

/* Run a helper with what is left of the deadline; kill it if it overruns. */
static int run_bounded(char *const *argv, int64_t deadline)
{
        int64_t left = deadline - now_msec();
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
        /* SIGTERM is the power-off's (poweroff.c): a payload that ended before udev was up. */
        if (st == 128 + SIGTERM)
                return -EINTR;
        if (st != 0) {
                init_error("'%s %s' failed with status %d", argv[0], argv[1], st);
                return -EIO;
        }
        return 0;
}

/* A loop device with no backing file has no loop/ directory in sysfs. */
static bool unbound_loop_device(const char *dir, const char *name)
{
        if (strncmp(name, "loop", 4) != 0 || !name[4] || strspn(name + 4, "0123456789") != strlen(name + 4))
                return false;
        char path[600];
        snprintf(path, sizeof path, "%s/%s/loop", dir, name);
        return access(path, F_OK) < 0;
}

/* What `udevadm trigger --action=add --subsystem-match=S` does, without starting udevadm (a
 * second process linked against libsystemd-shared: about 100 ms under TCG): write the action to
 * the uevent file of every device of the subsystem, whether it is a class or a bus.  The
 * action carries a synthetic UUID, which the kernel puts in the event as SYNTH_UUID. */
static void trigger_subsystem(const char *subsystem, const char *action, unsigned *count)
{
        for (int i = 0; i < 2; i++) {
                char dir[256];
                if (i == 0)
                        snprintf(dir, sizeof dir, "/sys/class/%s", subsystem);
                else
                        snprintf(dir, sizeof dir, "/sys/bus/%s/devices", subsystem);
                _cleanup_closedir_ DIR *d = opendir(dir);
                struct dirent *e;
                while (d && (e = readdir(d))) {
                        if (e->d_name[0] == '.' || unbound_loop_device(dir, e->d_name))
                                continue;
                        char path[600];
                        snprintf(path, sizeof path, "%s/%s/uevent", dir, e->d_name);
                        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
                        if (fd >= 0 && write_full(fd, action, strlen(action)) >= 0)
                                (*count)++;
                }
        }
}

/* A UUID that is unique within this boot (the kernel only checks its form). */
static void make_synth_uuid(char uuid[37])
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long n = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
        snprintf(uuid, 37, "6c65616e-626f-4f74-8000-%012llx", n & 0xffffffffffffull);
}

/* udevd re-broadcasts every event it has processed to netlink group 2 (what `udevadm monitor
 * --udev` shows); opened before triggering, so none is missed. */
static int monitor_open(void)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        if (fd < 0)
                return -errno;
        struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = 2 };
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Wait for FD to become readable, at most until DEADLINE: 0, -ETIMEDOUT or -errno. */
static int poll_until(int fd, int64_t deadline)
{
        int64_t left = deadline - now_msec();
        if (left <= 0)
                return -ETIMEDOUT;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, (int)left) < 0 && errno != EINTR ? -errno : 0;
}

/* Wait until udevd has processed COUNT events carrying SYNTH_UUID=uuid. */
static int wait_synth_events(int mon, const char *uuid, unsigned count, int64_t deadline)
{
        char key[64];
        int kl = snprintf(key, sizeof key, "SYNTH_UUID=%s", uuid);
        unsigned seen = 0;
        while (seen < count) {
                int r = poll_until(mon, deadline);
                if (r < 0)
                        return r;
                char buf[8192];
                ssize_t n;
                while ((n = recv(mon, buf, sizeof buf, 0)) > 0)
                        if (memmem(buf, (size_t)n, key, (size_t)kl))
                                seen++;
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
                int r = poll_until(ifd, deadline);
                if (r < 0)
                        return r;
                char buf[4096];
                while (read(ifd, buf, sizeof buf) > 0)
                        ;
        }
}

int udev_start(enum udev_mode mode, const char *subsystems, unsigned timeout_ms)
{
        if (mode == UDEV_OFF)
                return 0;
        const char *udevd = udev_find_daemon();
        if (!udevd) {
                init_error(CMDLINE_UDEV " asks for udev, but no udevd is in the appliance");
                return -ENOENT;
        }
        int64_t deadline = now_msec() + timeout_ms;
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

        /* fast: the init triggers the requested subsystems itself (see trigger_subsystem). */
        _cleanup_close_ int mon = monitor_open();
        if (mon < 0)
                init_error("cannot listen for udev's events (%s): waiting for the queue only", strerror(-mon));
        char uuid[37];
        make_synth_uuid(uuid);
        char action[64];
        snprintf(action, sizeof action, "add %s", uuid);
        _cleanup_free_ char *subs = strdup(subsystems);
        if (!subs)
                return -ENOMEM;
        unsigned triggered = 0;
        char *save = NULL;
        for (char *sub = strtok_r(subs, ",", &save); sub; sub = strtok_r(NULL, ",", &save))
                trigger_subsystem(sub, action, &triggered);
        if (mon >= 0) {
                r = wait_synth_events(mon, uuid, triggered, deadline);
                if (r == -ETIMEDOUT)
                        init_error("udev did not process the %u triggered events within %u ms", triggered, timeout_ms);
                if (r < 0)
                        return r;
        }
        r = wait_queue_empty(deadline);
        if (r == -ETIMEDOUT)
                init_error("udev queue did not drain within %u ms", timeout_ms);
        return r;
}
