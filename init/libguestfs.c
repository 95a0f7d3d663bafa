/* The libguestfs profile (/etc/leanboot/profile says "libguestfs"): what guestfsd needs and
 * nothing more.  In place of libguestfs's bash /init it drops kmod static-nodes, systemd-tmpfiles,
 * a full udev trigger with `udevadm settle --timeout=600`, hwclock and unconditional lvm/mdadm
 * scans.  What stays: the extra mounts guestfsd expects, udev in fast mode on the block and
 * virtio-ports subsystems without waiting (guestfsd runs `udevadm settle` before it touches a
 * device), guestfsd's channel link /dev/virtio-ports/org.libguestfs.channel.0 made from sysfs,
 * loopback up, a clean LVM configuration, lvm/mdadm activation only when some disk besides the
 * appliance's own root could hold them, SCSI command timeouts of 300 s, then guestfsd with
 * libguestfs's arguments; with guestfs_rescue=1 (virt-rescue), guestfsd in the background and a
 * shell on the serial console. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init.h"
#include "../common/contract.h"
#include "../common/cmdline.h"
#include "../common/fileio.h"

#define GUESTFSD "/usr/sbin/guestfsd"
/* Written by the builder for a stock kernel: virtio_net and its dependencies. */

/* ifconfig lo 127.0.0.1 up, without ip(8). */
static int loopback_up(void)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -errno;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (ioctl(s, SIOCSIFADDR, &ifr) < 0 && errno != EEXIST)
                return -errno;
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* True when a block device other than the root's disk is big enough to hold an LVM physical
 * volume or an md array (1 MiB; libguestfs turns -a /dev/null into a 4 KiB disk). */
#define MIN_DATA_SECTORS 2048
static bool data_disks_present(void)
{
        struct stat root;
        if (stat("/", &root) < 0)
                return true;
        _cleanup_closedir_ DIR *d = opendir("/sys/block");
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.' || strncmp(e->d_name, "loop", 4) == 0 || strncmp(e->d_name, "ram", 3) == 0)
                        continue;
                char p[300];
                _cleanup_free_ char *dev = NULL, *size = NULL;
                snprintf(p, sizeof p, "/sys/block/%s/dev", e->d_name);
                if (read_full_file(p, &dev, NULL) < 0)
                        continue;
                unsigned maj, min;
                if (sscanf(dev, "%u:%u", &maj, &min) != 2 || (maj == major(root.st_dev) && min == minor(root.st_dev)))
                        continue;
                snprintf(p, sizeof p, "/sys/block/%s/size", e->d_name);
                if (read_full_file(p, &size, NULL) == 0 && strtoull(size, NULL, 10) >= MIN_DATA_SECTORS)
                        return true;
        }
        return false;
}

/* Activation helpers may find nothing to do; their failure is reported, not fatal. */
static void run_quietly(char *const *argv)
{
        int st = run_child_and_wait(argv, false);
        if (st != 0)
                init_say("%s %s exited with status %d", argv[0], argv[1] ? argv[1] : "", st);
}

/* libguestfs's init gives SCSI disks a 300 s command timeout, so that slow remote images (NBD,
 * HTTP) do not fail their I/O at the kernel's default 30 s. */
static void scsi_timeouts(void)
{
        _cleanup_closedir_ DIR *d = opendir("/sys/block");
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (strncmp(e->d_name, "sd", 2) != 0)
                        continue;
                char p[300];
                snprintf(p, sizeof p, "/sys/block/%s/device/timeout", e->d_name);
                _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd >= 0)
                        (void)write_full(fd, "300\n", 4);
        }
}

int virtio_port_links(void)
{
        _cleanup_closedir_ DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        int made = 0;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char p[300];
                _cleanup_free_ char *name = NULL;
                snprintf(p, sizeof p, "/sys/class/virtio-ports/%s/name", e->d_name);
                if (read_full_file(p, &name, NULL) < 0)
                        continue;
                name[strcspn(name, "\n")] = '\0';
                if (!name[0] || strchr(name, '/'))
                        continue;
                (void)mkdir("/dev/virtio-ports", 0755);
                char link[400], target[300];
                snprintf(link, sizeof link, "/dev/virtio-ports/%s", name);
                snprintf(target, sizeof target, "../%s", e->d_name);
                if (symlink(target, link) == 0 || errno == EEXIST)
                        made++;
        }
        return made;
}

int libguestfs_prepare(const struct cmdline *cl)
{
        virtio_port_links();
        /* Mounts and links libguestfs's init made and guestfsd relies on. */
        (void)mkdir("/dev/shm", 01777);
        if (mount("shmfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0 && errno != EBUSY)
                init_error("cannot mount /dev/shm: %s", strerror(errno));
        (void)symlink("/proc/self/fd", "/dev/fd");
        (void)mkdir("/sysroot", 0755);
        (void)mkdir("/run/lock", 0755);
        (void)symlink("../run/lock", "/var/lock");
        if (access("/etc/mtab", F_OK) < 0)
                (void)symlink("/proc/mounts", "/etc/mtab");
        (void)mkdir("/var/tmp", 01777);

        scsi_timeouts();
        int r = loopback_up();
        if (r < 0)
                init_error("cannot bring up the loopback interface: %s", strerror(-r));

        /* A clean LVM environment: defaults, no devices file (RHBZ#1965941). */
        (void)mkdir("/tmp/lvm", 0755);
        static const char lvm_conf[] = "devices {\n\tuse_devicesfile = 0\n}\n";
        if (write_file_atomic("/tmp/lvm/lvm.conf", lvm_conf, sizeof lvm_conf - 1, 0644) < 0)
                init_error("cannot write /tmp/lvm/lvm.conf");
        setenv("LVM_SYSTEM_DIR", "/tmp/lvm", 1);

        if (data_disks_present()) {
                stage_begin("lvm-md");
                char *pvscan[] = { "lvm", "pvscan", "--cache", "--activate", "ay", NULL };
                char *mdadm[] = { "mdadm", "-As", "--auto=yes", "--run", NULL };
                char *ldm[] = { "ldmtool", "create", "all", NULL };
                run_quietly(pvscan);
                run_quietly(mdadm);
                if (access("/usr/bin/ldmtool", X_OK) == 0)
                        run_quietly(ldm);
        }

        const char *net = cmdline_get(cl, "guestfs_network");
        if (net && streq(net, "1")) {
                /* virtio_net is not in the mini-initrd: load it only when the network is wanted. */
                unsigned loaded, present;
                (void)load_module_list(APPLIANCE_NETWORK_MODULES_LIST, &loaded, &present);
                /* Debian's dhclient-script reads /etc/fstab, which supermin's root lacks: the script
                 * fails, dhclient declines the lease and asks again every 10 s, for ever.  And the
                 * resolved hook wants systemd-resolved.  libguestfs's init works around both. */
                if (access("/etc/fstab", F_OK) < 0 && write_file_atomic("/etc/fstab", "", 0, 0644) < 0)
                        init_error("cannot create /etc/fstab for dhclient-script");
                (void)unlink("/etc/dhcp/dhclient-enter-hooks.d/resolved");
                /* The first interface that is not the loopback, configured by DHCP as libguestfs does. */
                _cleanup_closedir_ DIR *d = opendir("/sys/class/net");
                struct dirent *e;
                while (d && (e = readdir(d))) {
                        if (e->d_name[0] == '.' || streq(e->d_name, "lo"))
                                continue;
                        char *dh[] = { "dhclient", e->d_name, NULL };
                        run_quietly(dh);
                        break;
                }
        }
        return 0;
}

char **libguestfs_daemon_argv(const struct cmdline *cl)
{
        char **argv = calloc(8, sizeof *argv);
        size_t n = 0;
        if (!argv)
                return NULL;
        argv[n++] = strdup(GUESTFSD);
        const char *ch = cmdline_get(cl, "guestfs_channel");
        if (ch && *ch) {
                argv[n++] = strdup("--channel");
                argv[n++] = strdup(ch);
        }
        const char *v = cmdline_get(cl, "guestfs_verbose");
        if (v && streq(v, "1"))
                argv[n++] = strdup("--verbose");
        const char *net = cmdline_get(cl, "guestfs_network");
        if (net && streq(net, "1"))
                argv[n++] = strdup("--network");
        return argv;
}

/* A shell on the serial console with it as its controlling terminal (/dev/console cannot be
 * one, so job control would fail there); bash when the appliance has it. */
static pid_t spawn_rescue_shell(const char *tty)
{
        pid_t pid = fork_session_child();
        if (pid != 0)
                return pid;
        char dev[300];
        snprintf(dev, sizeof dev, "/dev/%s", tty);
        int fd = open(dev, O_RDWR); /* the session's first terminal: it becomes the controlling one */
        if (fd < 0) {
                init_error("rescue: cannot open %s: %s", dev, strerror(errno));
                _exit(INIT_STATUS_FAILED);
        }
        for (int i = 0; i < 3; i++)
                dup2(fd, i);
        if (fd > 2)
                close(fd);
        execl("/bin/bash", "bash", (char *)NULL);
        execl("/bin/sh", "sh", (char *)NULL);
        _exit(INIT_STATUS_NOT_FOUND);
}

/* Up to three NAME=VALUE entries and the NULL that ends them. */
static char *daemon_env[4];

void libguestfs_daemon_env_add(const char *name, const char *value)
{
        size_t n = 0;
        while (n < ARRAY_SIZE(daemon_env) - 1 && daemon_env[n])
                n++;
        char *entry = NULL;
        if (n == ARRAY_SIZE(daemon_env) - 1 || asprintf(&entry, "%s=%s", name, value) < 0) {
                init_error("cannot give guestfsd %s", name);
                return;
        }
        daemon_env[n] = entry; /* kept for the life of PID 1 */
}

char *const *libguestfs_daemon_env(void)
{
        return daemon_env;
}

int libguestfs_rescue(const struct cmdline *cl, char *const *daemon_argv)
{
        /* virt-rescue needs the daemon too: it launches through it and mounts -m filesystems. */
        pid_t daemon = spawn_child_env(daemon_argv, false, daemon_env);
        if (daemon < 0)
                init_error("rescue: cannot start %s: %s", daemon_argv[0], strerror((int)-daemon));
        /* As libguestfs's init: give virt-rescue time to connect and mount before the prompt. */
        sleep(2);

        (void)mkdir("/root", 0700);
        /* TERM comes from the host's command line and goes into a shell script: a plain name or
         * nothing (one with quotes or `;` would run as the rescue shell starts). */
        const char *term = cmdline_get(cl, "TERM");
        if (term && !cmdline_value_is_name(term)) {
                init_say("rescue: TERM=%s is not a terminal name; not set", term);
                term = NULL;
        }
        _cleanup_free_ char *rc = NULL;
        if (asprintf(&rc, "%s%s%sPS1='><rescue> '\nexport TERM PS1\n", term ? "TERM=" : "", term ? term : "",
                     term ? "\n" : "") < 0 ||
            write_file_atomic("/root/.bashrc", rc, strlen(rc), 0644) < 0)
                init_error("rescue: cannot write /root/.bashrc");

        /* The serial port libguestfs put the console on (console=ttyS0[,options]). */
        char tty[64] = "ttyS0";
        const char *con = cmdline_get(cl, "console");
        if (con && *con && !strchr(con, '/'))
                snprintf(tty, sizeof tty, "%.*s", (int)strcspn(con, ","), con);

        printf("\n------------------------------------------------------------\n\n"
               "Welcome to virt-rescue, the libguestfs rescue shell.\n\n"
               "Note: The contents of / (root) are the rescue appliance.\n%s\n",
               access("/sysroot/dev", F_OK) == 0 ? "Use 'cd /sysroot' or 'chroot /sysroot' to see guest filesystems.\n"
                                                 : "You have to mount the guest's partitions under /sysroot\n"
                                                   "before you can examine them.\n");
        fflush(stdout);
        pid_t shell = spawn_rescue_shell(tty);
        int st = shell < 0 ? (int)shell : wait_child(shell, -1);
        printf("\nvirt-rescue: Syncing the disk now before exiting ...\n\n");
        fflush(stdout);
        return st < 0 ? INIT_STATUS_FAILED : st;
}
