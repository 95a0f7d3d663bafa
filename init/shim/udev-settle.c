/* guestfsd's `udevadm settle`, answered in the child guestfsd has already forked.
 *
 * guestfsd runs `udevadm [--debug] settle [-E FILE]` (fork, then execvp) once per disk while it
 * starts, once more before it reports that it is up, twice when libguestfs shuts it down, and
 * around every partition, LVM, md and unmount operation.  Each run of udevadm takes ~70 ms under
 * TCG, nearly all of it starting udevadm (exec, libsystemd-shared), to do two cheap things.
 * This library is preloaded into guestfsd (udev-wait.c), so guestfsd's execvp() is the one
 * below; for a settle it does what udevadm 252 (src/udev/udevadm-settle.c) does, without the
 * exec:
 *   1. Ping udevd on its control socket and wait until udevd closes the connection.  udevd
 *      serves its control socket at idle priority, after it has queued every uevent the kernel
 *      had sent, so once the ping is answered /run/udev/queue tells the truth.
 *   2. Done when FILE (-E) exists or /run/udev/queue does not; else wait for /run/udev/queue to
 *      be deleted (inotify), up to the timeout (-t, default 120 s).
 * Everything else goes to the real execvp, and so does a settle it cannot do the same way: an
 * option it does not know, no udevd listening (udevadm then returns at once without waiting,
 * having found nothing to ping; the real one says so), or a chroot without udevd's socket. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "settle-args.h"
#include "udev-shim.h"
#include "../../common/clock.h"
#include "../../common/macro.h"

#define UDEV_CONTROL "/run/udev/control"
#define UDEV_RUN_DIR "/run/udev"
#define UDEV_QUEUE "/run/udev/queue"
#define PING_MIN_TIMEOUT_MS (5 * 1000)

/* udevd's control message (UdevCtrlMessageWire in systemd v252's src/udev/udev-ctrl.c): udevd
 * checks the magic and the type; the version string is informational. */
#define UDEV_CTRL_MAGIC 0xdead1deaU
enum { UDEV_CTRL_END_MESSAGES = 0, UDEV_CTRL_PING = 7 };
struct udev_ctrl_wire {
        char version[16];
        unsigned magic;
        int type;
        union {
                int intval;
                char buf[256];
        } value;
};

static int send_ctrl(int fd, int type)
{
        struct udev_ctrl_wire m;
        memset(&m, 0, sizeof m);
        memcpy(m.version, "udev-leanboot", sizeof "udev-leanboot");
        m.magic = UDEV_CTRL_MAGIC;
        m.type = type;
        ssize_t n;
        do
                n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : 0;
}

/* Poll FD for EVENTS until DEADLINE (mono ms): 1 ready, 0 timed out, negative errno. */
static int poll_until(int fd, short events, long long deadline)
{
        for (;;) {
                long long left = deadline - now_msec();
                if (left <= 0)
                        return 0;
                struct pollfd p = { .fd = fd, .events = events };
                int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
                if (r > 0)
                        return 1;
                if (r < 0 && errno != EINTR)
                        return -errno;
        }
}

/* Connect, ping, end the conversation and wait for udevd to hang up.  -ECONNREFUSED/-ENOENT:
 * no udevd; -ETIME: udevd did not answer in time. */
static int udevd_ping(long timeout_ms)
{
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        memcpy(sa.sun_path, UDEV_CONTROL, sizeof UDEV_CONTROL);
        int r = connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ? -errno : 0;
        if (r >= 0)
                r = send_ctrl(fd, UDEV_CTRL_PING);
        if (r >= 0)
                r = send_ctrl(fd, UDEV_CTRL_END_MESSAGES);
        if (r >= 0) {
                long long deadline = now_msec() + (timeout_ms > PING_MIN_TIMEOUT_MS ? timeout_ms : PING_MIN_TIMEOUT_MS);
                r = poll_until(fd, POLLIN, deadline);
                r = r == 0 ? -ETIME : r < 0 ? r : 0;
        }
        close(fd);
        return r;
}

static bool settled(const struct settle_request *req)
{
        if (req->exists && access(req->exists, F_OK) == 0)
                return true;
        return access(UDEV_QUEUE, F_OK) < 0 && errno == ENOENT;
}

/* Wait as udevadm settle does: 0 settled; -ETIME udevd did not answer the ping; -ETIMEDOUT the
 * queue did not empty in time; another negative errno when it could not ask. */
static int settle(const struct settle_request *req)
{
        long long deadline = now_msec() + req->timeout_ms;
        int r = udevd_ping(req->timeout_ms);
        if (r < 0)
                return r;
        int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (in < 0)
                return -errno;
        if (inotify_add_watch(in, UDEV_RUN_DIR, IN_DELETE) < 0) {
                r = -errno;
                close(in);
                return r;
        }
        while (!settled(req)) {
                r = poll_until(in, POLLIN, deadline);
                if (r <= 0) {
                        close(in);
                        return r == 0 ? -ETIMEDOUT : r;
                }
                char buf[4096];
                while (read(in, buf, sizeof buf) > 0)
                        ;
        }
        close(in);
        return 0;
}

int execvp(const char *file, char *const argv[])
{
        struct settle_request req;
        if (settle_args_parse(file, argv, &req)) {
                long long start = now_msec();
                int r = settle(&req);
                if (r == 0 || r == -ETIMEDOUT || r == -ETIME) {
                        if (r == -ETIME)
                                fprintf(stderr, "udevadm settle: udevd did not answer on " UDEV_CONTROL "\n");
                        else if (r == -ETIMEDOUT)
                                fprintf(stderr, "udevadm settle: timed out waiting for the udev queue to empty\n");
                        else if (udev_shim_verbose)
                                fprintf(stderr, "leanboot-udev-wait: settle answered in %lld ms\n", now_msec() - start);
                        _exit(r == 0 ? EXIT_SUCCESS : EXIT_FAILURE); /* udevadm's status */
                }
                /* No udevd to ask, or no inotify: let udevadm decide. */
        }
        int (*real_execvp)(const char *, char *const[]);
        *(void **)&real_execvp = dlsym(RTLD_NEXT, "execvp");
        if (!real_execvp) {
                errno = ENOSYS;
                return -1;
        }
        return real_execvp(file, argv);
}
