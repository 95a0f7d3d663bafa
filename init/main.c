/* leanboot-init: the lean PID 1 of a leanboot appliance.
 *
 * supermin's mini-initrd mounts the ext2 root and execs /init (this program).  Each step is
 * a stage with a marker on the console; any failure prints one "leanboot-init: error:" line
 * and powers off with a non-zero status.  PID 1 never returns from main. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "init.h"
#include "../common/cmdline.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/strv.h"

#define UDEV_SUBSYSTEMS_DEFAULT "block"
/* guestfsd's channel appears as /dev/virtio-ports/NAME through udev. */
#define UDEV_SUBSYSTEMS_LIBGUESTFS "block,virtio-ports"
/* A bound for a hung udev, not a target: a full trigger under loaded TCG takes seconds. */
#define UDEV_TIMEOUT_MS_DEFAULT 30000

static void setup_environment(void)
{
        clearenv();
        setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
        setenv("HOME", "/root", 1);
        setenv("TERM", "linux", 1);
        setenv("LANG", "C.UTF-8", 1);
}

static void step_modules(void)
{
        stage_begin("modules");
        unsigned loaded = 0, present = 0;
        if (load_module_list(APPLIANCE_MODULES_LIST, &loaded, &present) < 0)
                power_off(INIT_STATUS_FAILED);
}

static void step_udev(const struct cmdline *cl, bool debug, bool guestfs)
{
        stage_begin("udev");
        enum udev_mode mode = udev_find_daemon() ? UDEV_FAST : UDEV_OFF;
        const char *v = cmdline_get(cl, CMDLINE_UDEV);
        if (v && udev_mode_from_string(v, &mode) < 0) {
                init_error(CMDLINE_UDEV "=%s: expected off, fast or full", v);
                power_off(INIT_STATUS_FAILED);
        }
        const char *subs = cmdline_get(cl, CMDLINE_UDEV_SUBSYSTEMS);
        const char *tmo = cmdline_get(cl, CMDLINE_UDEV_TIMEOUT);
        unsigned timeout_ms = tmo ? (unsigned)strtoul(tmo, NULL, 10) : UDEV_TIMEOUT_MS_DEFAULT;
        if (debug)
                init_say("udev mode %s", mode == UDEV_OFF ? "off" : mode == UDEV_FAST ? "fast" : "full");
        const char *def = guestfs ? UDEV_SUBSYSTEMS_LIBGUESTFS : UDEV_SUBSYSTEMS_DEFAULT;
        /* guestfsd lists /dev/disk/by-path as soon as its main() runs, but first spends about half
         * a second loading its libraries.  With the preloaded waiter in the appliance, udev's
         * start and event handling run in a helper while guestfsd loads, and the waiter holds
         * guestfsd's main() until the helper says udev is done (init/shim/udev-wait.c). */
        if (guestfs && mode != UDEV_OFF && access(APPLIANCE_UDEV_WAIT_SHIM, R_OK) == 0) {
                (void)mkdir(APPLIANCE_RUN_DIR, 0755);
                pid_t pid = fork();
                if (pid == 0) {
                        int r = udev_start(mode, subs && *subs ? subs : def, timeout_ms);
                        /* Ready even on failure: guestfsd then starts and reports what it lacks. */
                        int fd = open(APPLIANCE_UDEV_READY_FILE, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                        if (fd >= 0)
                                close(fd);
                        _exit(r < 0 ? 1 : 0);
                }
                if (pid > 0) {
                        libguestfs_daemon_env_add("LD_PRELOAD", APPLIANCE_UDEV_WAIT_SHIM);
                        libguestfs_daemon_env_add("LEANBOOT_UDEV_READY", APPLIANCE_UDEV_READY_FILE);
                        const char *gv = cmdline_get(cl, "guestfs_verbose");
                        if (debug || (gv && streq(gv, "1")))
                                libguestfs_daemon_env_add("LEANBOOT_UDEV_VERBOSE", "1");
                        return;
                }
        }
        if (udev_start(mode, subs && *subs ? subs : def, timeout_ms) < 0)
                power_off(INIT_STATUS_FAILED);
}

static int hook_filter(const struct dirent *d)
{
        return d->d_name[0] != '.';
}

static void step_hooks(void)
{
        struct dirent **list = NULL;
        int n = scandir(APPLIANCE_HOOKS_DIR, &list, hook_filter, alphasort);
        if (n < 0)
                return; /* no hooks directory: nothing to run */
        for (int i = 0; i < n; i++) {
                char stage[300];
                snprintf(stage, sizeof stage, "hook:%s", list[i]->d_name);
                stage_begin(stage);
                _cleanup_free_ char *path = path_join(APPLIANCE_HOOKS_DIR, list[i]->d_name);
                char *argv[] = { path, NULL };
                int st = path ? run_child_and_wait(argv, false) : -ENOMEM;
                if (st != 0) {
                        init_error("hook %s failed with status %d", list[i]->d_name, st);
                        power_off(INIT_STATUS_FAILED);
                }
                free(list[i]);
        }
        free(list);
}

/* The payload: leanboot.run= (argv from the host) wins over the appliance's built-in --run
 * (a shell command); with neither, a shell when debugging, else nothing. */
static int step_payload(const struct cmdline *cl, bool debug, bool guestfs)
{
        char **argv = NULL;
        const char *enc = cmdline_get(cl, CMDLINE_RUN);
        _cleanup_free_ char *builtin = NULL;
        char *sh_argv[] = { "/bin/sh", "-c", NULL, NULL };
        char *shell_argv[] = { "/bin/sh", NULL };

        if (guestfs && !(enc && *enc)) {
                argv = libguestfs_daemon_argv(cl);
                if (!argv)
                        return INIT_STATUS_FAILED;
        } else if (enc && *enc) {
                int r = argv_decode(enc, &argv, NULL);
                if (r < 0) {
                        init_error(CMDLINE_RUN "= is not a valid encoded command line");
                        return INIT_STATUS_FAILED;
                }
        } else if (read_full_file(APPLIANCE_BUILTIN_RUN, &builtin, NULL) == 0) {
                sh_argv[2] = builtin;
        } else if (!debug) {
                init_say("no payload to run (leanboot.run= or build --run)");
                return 0;
        }

        stage_begin("payload");
        const char *rescue = guestfs ? cmdline_get(cl, "guestfs_rescue") : NULL;
        if (rescue && streq(rescue, "1") && !(enc && *enc)) {
                int rst = libguestfs_rescue(cl, argv);
                strv_free(argv);
                return rst;
        }
        bool daemon = guestfs && !(enc && *enc);
        int st = run_child_and_wait_env(argv ? argv : builtin ? sh_argv : shell_argv, true,
                                        daemon ? libguestfs_daemon_env() : NULL);
        if (guestfs && argv && st != 0)
                init_error("%s exited with status %d", argv[0], st < 0 ? INIT_STATUS_FAILED : st);
        strv_free(argv);
        return st < 0 ? INIT_STATUS_FAILED : st;
}

/* The builder's word on what this appliance is for (common/contract.h). */
static enum appliance_profile read_profile(void)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(APPLIANCE_PROFILE_FILE, &text, NULL) < 0)
                return PROFILE_PLAIN;
        text[strcspn(text, "\n")] = '\0';
        return streq(text, APPLIANCE_PROFILE_LIBGUESTFS) ? PROFILE_LIBGUESTFS : PROFILE_PLAIN;
}

int main(void)
{
        if (getpid() != 1) {
                fprintf(stderr, "leanboot-init: must run as PID 1 inside a leanboot appliance\n");
                return 1;
        }
        stage_begin("init");
        /* From here on, exiting would panic the kernel: every path ends in power_off(). */
        if (supervise_setup() < 0) {
                init_error("cannot set up signal handling");
                power_off(INIT_STATUS_FAILED);
        }
        reboot(RB_DISABLE_CAD); /* Ctrl-Alt-Del becomes SIGINT, forwarded to the payload */
        setup_environment();
        umask(022);

        stage_begin("mounts");
        if (mount_basic_filesystems() < 0)
                power_off(INIT_STATUS_FAILED);
        stage_enable_kmsg();
        create_static_nodes();

        stage_begin("cmdline");
        _cleanup_free_ char *text = NULL;
        struct cmdline cl = { NULL, 0 };
        int r = read_full_file("/proc/cmdline", &text, NULL);
        if (r >= 0)
                r = cmdline_parse(text, &cl);
        if (r < 0) {
                init_error("cannot read /proc/cmdline: %s", strerror(-r));
                power_off(INIT_STATUS_FAILED);
        }
        stage_set_nonce(cmdline_get(&cl, CMDLINE_NONCE));
        bool debug = cmdline_has(&cl, CMDLINE_DEBUG);
        payload_output_open(&cl);

        bool guestfs = read_profile() == PROFILE_LIBGUESTFS;
        readahead_start(APPLIANCE_READAHEAD_LIST);
        step_modules();
        step_udev(&cl, debug, guestfs);
        /* No hwclock: the kernel set the system time from the RTC (kvmclock in a VM). */
        if (guestfs) {
                stage_begin("libguestfs");
                libguestfs_prepare(&cl);
        }
        step_hooks();
        int status = step_payload(&cl, debug, guestfs);
        const char *collect = cmdline_get(&cl, CMDLINE_COLLECT);
        if (collect && *collect) {
                stage_begin("collect");
                (void)collect_kernel_log(collect);
        }
        cmdline_free(&cl);
        power_off(status);
}
