/* Internal interfaces of the lean init (guest PID 1). */
#ifndef LEANBOOT_INIT_H
#define LEANBOOT_INIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/exit-status.h"
#include "../common/macro.h"

/* Exit statuses the init reports for its own failures, as coreutils' timeout/env do. */
#define INIT_STATUS_FAILED EXIT_LEANBOOT /* the init (a mount, a hook, udev) failed */
#define INIT_STATUS_CANNOT_EXEC EXIT_CANNOT_EXEC
#define INIT_STATUS_NOT_FOUND EXIT_NOT_FOUND

/* stage.c: markers on the console (and /dev/kmsg once /dev is mounted). */
uint64_t boottime_us(void);
/* The CPU's time-stamp counter (x86), 0 elsewhere: the instruction clock's reading. */
uint64_t guest_tsc(void);
void stage_begin(const char *name);
/* Say where the payload's output goes (the port, or OUTPUT_CONSOLE): the host streams it. */
void stage_say_output(const char *where);
/* The boot's nonce (CMDLINE_NONCE's value, or NULL when the host gave none): every marker from
 * now on carries it. */
void stage_set_nonce(const char *value);
const char *stage_nonce(void);
void stage_enable_kmsg(void);
/* Where markers and messages go: the console (stdout) unless a child moved its stdout away. */
void stage_set_console_fd(int fd);
void init_say(const char *fmt, ...) _printf_(1, 2);
void init_error(const char *fmt, ...) _printf_(1, 2);

/* mounts.c */
int mount_basic_filesystems(void);

/* readahead.c: a child starts reading the files listed in LIST_PATH (one absolute path per
 * line) into the page cache; returns at once. */
void readahead_start(const char *list_path);
/* devnodes.c: /dev nodes that load their module when opened (from modules.devname). */
void create_static_nodes(void);

/* modules.c: load the builder-resolved list with finit_module. */
int load_module_list(const char *list_path, unsigned *ret_loaded, unsigned *ret_present);

/* udev.c */
enum udev_mode { UDEV_OFF, UDEV_FAST, UDEV_FULL };
int udev_mode_from_string(const char *s, enum udev_mode *ret);
const char *udev_find_daemon(void);
/* Start udev in MODE; fast mode waits for the triggered events and then the queue, within timeout_ms. */
int udev_start(enum udev_mode mode, const char *subsystems, unsigned timeout_ms);

/* supervise.c: the signalfd loop; children are reaped all along. */
int supervise_setup(void);
/* Spawn argv (execvp with the appliance PATH) as a new session, wait for it while reaping every
 * other child, forward SIGTERM/SIGINT/SIGHUP to it.  payload: its stdio on the payload's port
 * (output.c) or, without one, the console as its controlling terminal; else the console as it is.
 * Returns the decoded exit status (128+signal for a signal), or -errno if fork failed. */
int run_child_and_wait(char *const *argv, bool payload);
/* The same with ENV_ADD ("NAME=VALUE" strings that outlive the call, NULL-terminated) added to
 * the child's environment only. */
int run_child_and_wait_env(char *const *argv, bool payload, char *const *env_add);
/* Wait up to timeout_ms for pid (reaping others); returns its status or -ETIMEDOUT. */
int wait_child(pid_t pid, int timeout_ms);
pid_t spawn_child(char *const *argv, bool payload);
pid_t spawn_child_env(char *const *argv, bool payload, char *const *env_add);
/* fork(); in the child (return 0) a clean signal mask and a new session.  The parent gets the
 * pid or -errno. */
pid_t fork_session_child(void);

/* output.c: the payload's own port, from leanboot.output= (see common/appliance.h). */
struct cmdline;
void payload_output_open(const struct cmdline *cl);
/* In the payload's child, before exec: its stdio on that port (or the console's terminal). */
void payload_output_attach(void);
/* Wait until the port has sent everything written to it. */
void payload_output_drain(void);

/* collect.c: the kernel log to the disk with this serial (after the timed boot). */
int collect_kernel_log(const char *serial);

/* libguestfs.c: the profile for appliances made from libguestfs's supermin.d. */
int libguestfs_prepare(const struct cmdline *cl);
/* /dev/virtio-ports/NAME links, made from sysfs without waiting for udev. */
int virtio_port_links(void);
/* guestfsd with the arguments libguestfs's own init passes (NULL-terminated, malloc'd). */
char **libguestfs_daemon_argv(const struct cmdline *cl);
/* guestfs_rescue=1 (virt-rescue): the daemon in the background, a shell with job control on the
 * serial console, as libguestfs's init does; returns the shell's status. */
int libguestfs_rescue(const struct cmdline *cl, char *const *daemon_argv);
/* What guestfsd's environment gets beyond PID 1's: the udev waiter it preloads and its settings
 * (init/shim/udev-shim.h).  Only guestfsd: lvm, mdadm, hooks and the rescue shell run without
 * the shim.  NAME and VALUE are kept as given (static strings). */
void libguestfs_daemon_env_add(const char *name, const char *value);
char *const *libguestfs_daemon_env(void);

/* poweroff.c: never returns. */
_noreturn_ void power_off(int status);

#endif
