#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "../common/clock.h"
#include "../common/fileio.h"
#include "../common/contract.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/marker.h"
#include "../common/spawn.h"
#include "../common/strv.h"


/* Under TCG the guest's TSC runs at the host's TSC rate (QEMU reads the host's counter).  The
 * guest kernel calibrates it against the emulated PIT, which under a loaded host fails now and
 * then ("Fast TSC calibration failed"): a cut-down kernel without ACPI then has no HPET or PM
 * timer to fall back on and keeps time with jiffies, so every guest timestamp of that boot
 * moves in 4 ms steps (1 boot in 6 while a kernel compiled beside it).  Measured once here, the
 * rate goes to the guest as tsc_early_khz=, which skips that calibration.  0 when unknown. */
unsigned host_tsc_khz(void)
{
#if defined(__x86_64__) || defined(__i386__)
        static unsigned cached;
        if (cached)
                return cached;
        _cleanup_free_ char *info = NULL;
        if (read_full_file("/proc/cpuinfo", &info, NULL) < 0 || !strstr(info, " constant_tsc"))
                return 0; /* a TSC whose rate changes with the CPU's frequency: nothing to tell */
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC_RAW, &a);
        uint64_t t0 = __builtin_ia32_rdtsc();
        struct timespec d = { 0, 20 * 1000 * 1000 };
        while (nanosleep(&d, &d) < 0 && errno == EINTR)
                ;
        uint64_t t1 = __builtin_ia32_rdtsc();
        clock_gettime(CLOCK_MONOTONIC_RAW, &b);
        double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
        if (ns <= 0 || t1 <= t0)
                return 0;
        cached = (unsigned)((double)(t1 - t0) / ns * 1e6 + 0.5);
        return cached;
#else
        return 0;
#endif
}

/* Can this process set up an io_uring (a kernel with it, not disabled by sysctl or seccomp)? */
static bool host_has_io_uring(void)
{
#ifdef __NR_io_uring_setup
        static int known = -1;
        if (known < 0) {
                unsigned char params[120] = { 0 }; /* struct io_uring_params */
                long fd = syscall(__NR_io_uring_setup, 1, params);
                known = fd >= 0;
                if (fd >= 0)
                        close((int)fd);
        }
        return known;
#else
        return false;
#endif
}

/* QEMU's -drive option splits on commas; a comma in a file name is written twice. */
static char *drive_file_escape(const char *path)
{
        size_t n = strlen(path), commas = 0;
        for (size_t i = 0; i < n; i++)
                commas += path[i] == ',';
        char *r = malloc(n + commas + 1), *o = r;
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                *o++ = path[i];
                if (path[i] == ',')
                        *o++ = ',';
        }
        *o = '\0';
        return r;
}

/* A virtio disk as the machine has them: on the PCI bus, or memory-mapped on microvm.  EXTRA:
 * more -drive options ("" for none).  On the instruction clock the guest's "request ready" write
 * is handled in the vCPU's own thread (ioeventfd=off; microvm's transports get it from
 * qemu_argv) instead of being passed to QEMU's main loop, so that a request and (with io_uring)
 * its completion happen inside the guest's instruction: with the main loop in between, the
 * guest idled for it, and the cut-down kernel's partition-table read in virtio_blk's probe cost
 * 0 to 160 insn-us of the kernel stage, 1 boot in 10 to 20, as the host was quick or slow. */
static int add_disk(char ***argv, const struct boot_config *c, const char *path, const char *id, bool snapshot,
                    const char *extra)
{
        _cleanup_free_ char *esc = drive_file_escape(path);
        if (!esc)
                return -ENOMEM;
        const char *dot = strrchr(path, '.');
        const char *fmt = dot && streq(dot, ".qcow2") ? "qcow2" : "raw";
        int r = strv_push(argv, "-drive");
        r = r ?: strv_pushf(argv, "file=%s,format=%s,if=none,id=%s,cache=unsafe%s%s", esc, fmt, id,
                            snapshot ? ",snapshot=on" : "", extra);
        r = r ?: strv_push(argv, "-device");
        if (c->machine == MACHINE_MICROVM)
                return r ?: strv_pushf(argv, "virtio-blk-device,drive=%s", id);
        return r ?: strv_pushf(argv, "virtio-blk-pci,drive=%s%s", id, c->accel->clock == GUEST_CLOCK_INSN ? ",ioeventfd=off" : "");
}

/* On the instruction clock, the root's reads (the appliance's raw image, under the bench's qcow2
 * overlay or run's snapshot) go through io_uring: a read the host's page cache holds then
 * completes within the guest's own request, so the guest never idles waiting for the host and
 * no host time enters its clock (with the thread pool, the cut-down kernel's partition-table read
 * in virtio_blk's probe cost 0 to 200 insn-us of the kernel stage, as the host's thread was
 * quick or slow).  The overlay's own writes keep the thread pool: io_uring hands buffered writes
 * to a worker, slower than it.  "" where io_uring cannot be used here. */
static const char *root_read_options(enum guest_clock clock, bool overlay)
{
        if (!boot_root_reads_io_uring(clock))
                return "";
        return overlay ? ",backing.file.aio=io_uring" : ",aio=io_uring";
}

size_t boot_cmdline_reserved(enum machine machine, size_t disks)
{
        return BOOT_CMDLINE_RESERVED + (machine == MACHINE_MICROVM ? (disks + 1) * BOOT_CMDLINE_PER_MMIO_DISK : 0);
}

bool boot_root_reads_io_uring(enum guest_clock clock)
{
        return clock == GUEST_CLOCK_INSN && host_has_io_uring();
}

/* The kernel command line as booted: the caller's, then what this boot adds for its machine.
 * The host attaches two UARTs, so it tells the kernel to register two, last so that it wins over
 * the appliance's own 8250.nr_uarts=1 (the builder's default, for launchers with one UART): with
 * one slot, a kernel that enumerates the ports through ACPI (Debian's) gives ttyS0 to the second
 * UART, and the console would land on the payload's port. */
static char *boot_cmdline(const struct boot_config *c, enum accel accel, const char *nonce)
{
        char *r = NULL;
        unsigned tsc_khz = accel == ACCEL_TCG ? guest_clock_tsc_khz(c->accel->clock, host_tsc_khz()) : 0;
        char tsc[48] = "";
        if (tsc_khz)
                snprintf(tsc, sizeof tsc, " tsc_early_khz=%u", tsc_khz);
        /* microvm: should the init's isa-debug-exit write not end QEMU, a triple-fault reboot
         * (which -no-reboot turns into an exit) rather than the kernel's slow reboot methods. */
        if (asprintf(&r, "%s%s 8250.nr_uarts=2 " CMDLINE_OUTPUT "=" OUTPUT_PORT "%s%s " CMDLINE_NONCE "=%s", c->cmdline, tsc,
                     c->interactive ? "," OUTPUT_TERMINAL : "", c->machine == MACHINE_MICROVM ? " reboot=t" : "", nonce) < 0)
                return NULL;
        return r;
}

/* The firmware for both machines: qboot, which only sets up what a kernel needs (memory map,
 * PCI on the PC machine, ACPI and SMBIOS tables from QEMU) and boots the kernel QEMU hands it,
 * where QEMU has it; else QEMU's default, SeaBIOS, which also looks for disks, option ROMs and a
 * boot menu.  With every leanboot boot a -kernel boot, nothing SeaBIOS adds is used: on the PC
 * machine qboot took the firmware stage from 189 to 165 ms for Debian's kernel and from 105 to
 * 88 ms for the cut-down one (TCG, 8 + 8 boots). */
static const char *fast_firmware(void)
{
        /* Where Debian's qemu-system-data puts it; the path is given whole, so another QEMU
         * (LEANBOOT_QEMU) with other data directories gets the same file. */
        static const char *const paths[] = { "/usr/share/qemu/qboot.rom", "/usr/local/share/qemu/qboot.rom" };
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
                if (access(paths[i], R_OK) == 0)
                        return paths[i];
        return NULL;
}

/* ttyS0, the console (kernel log, the init's markers), goes to fd 3 (a pipe of ours); ttyS1, the
 * payload's port, to QEMU's stdio, so an interactive shell gets our terminal. */
static char **qemu_argv(const struct boot_config *c, enum accel accel, const char *nonce)
{
        _cleanup_strv_free_ char **a = NULL;
        /* Absolute paths only: QEMU reads "nbd:HOST:PORT" or "ssh:..." at the start of a -drive
         * file name as a protocol, so a directory named so (given relative) would make QEMU
         * connect somewhere instead of opening the file. */
        _cleanup_free_ char *app = realpath(c->appliance, NULL);
        if (!app)
                return NULL;
        _cleanup_free_ char *kernel = path_join(app, "kernel");
        _cleanup_free_ char *initrd = path_join(app, "initrd");
        _cleanup_free_ char *root = path_join(app, "root");
        _cleanup_free_ char *cmdline = boot_cmdline(c, accel, nonce);
        if (!kernel || !initrd || !root || !cmdline)
                return NULL;
        int r = strv_push(&a, qemu_binary());
        r = r ?: qemu_machine_args(&a, accel, c->accel->clock, c->machine, c->memory_mb, c->smp);
        const char *fw = fast_firmware();
        if (fw) {
                r = r ?: strv_push(&a, "-bios");
                r = r ?: strv_push(&a, fw);
        }
        if (c->machine == MACHINE_MICROVM && c->accel->clock == GUEST_CLOCK_INSN) {
                r = r ?: strv_push(&a, "-global");
                r = r ?: strv_push(&a, "virtio-mmio.ioeventfd=off");
        }
        r = r ?: strv_push(&a, "-kernel");
        r = r ?: strv_push(&a, kernel);
        r = r ?: strv_push(&a, "-initrd");
        r = r ?: strv_push(&a, initrd);
        r = r ?: strv_push(&a, "-append");
        r = r ?: strv_push(&a, cmdline);
        r = r ?: add_disk(&a, c, c->root_overlay ? c->root_overlay : root, "root", !c->root_overlay,
                          root_read_options(c->accel->clock, c->root_overlay != NULL));
        size_t i = 0;
        for (char **d = c->disks; r >= 0 && d && *d; d++, i++) {
                char id[32];
                snprintf(id, sizeof id, "disk%zu", i);
                _cleanup_free_ char *disk = realpath(*d, NULL);
                r = disk ? add_disk(&a, c, disk, id, false, "") : -errno;
        }
        r = r ?: strv_push(&a, "-chardev");
        r = r ?: strv_push(&a, "file,id=console,path=/dev/fd/3");
        r = r ?: strv_push(&a, "-serial");
        r = r ?: strv_push(&a, "chardev:console");
        r = r ?: strv_push(&a, "-chardev");
        r = r ?: strv_push(&a, "stdio,id=payload,signal=off");
        /* microvm makes one ISA UART of -serial; the second is added as the PC would have it. */
        if (c->machine == MACHINE_MICROVM) {
                r = r ?: strv_push(&a, "-device");
                r = r ?: strv_push(&a, "isa-serial,chardev=payload,iobase=0x2f8,irq=3");
        } else {
                r = r ?: strv_push(&a, "-serial");
                r = r ?: strv_push(&a, "chardev:payload");
        }
        return r < 0 ? NULL : TAKE_PTR(a);
}

/* What one QEMU run is read through: its stdout (the payload's port), fd 3 (the console) and
 * its stderr. */
enum { CH_PAYLOAD, CH_CONSOLE, CH_STDERR, N_CHANNELS };

static int open_channels(int rd[N_CHANNELS], int wr[N_CHANNELS])
{
        for (int i = 0; i < N_CHANNELS; i++)
                rd[i] = wr[i] = -1;
        for (int i = 0; i < N_CHANNELS; i++) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0) {
                        int r = -errno;
                        for (int j = 0; j < i; j++)
                                close(rd[j]), close(wr[j]);
                        return r;
                }
                rd[i] = p[0];
                wr[i] = p[1];
        }
        return 0;
}

/* One QEMU run as the host watches it. */
struct watch {
        const struct boot_config *c;
        enum accel accel;
        struct boot_result *r;
        pid_t pid;
        uint64_t t0, deadline; /* CLOCK_MONOTONIC us; deadline 0: none */
        bool killed;
        struct console console;
        char *err;
        size_t err_len;
};

static void kill_qemu(struct watch *w)
{
        kill(w->pid, SIGKILL);
        w->killed = true;
}

static void on_stderr(struct watch *w, const char *buf, size_t n)
{
        char *more = realloc(w->err, w->err_len + n + 1);
        if (!more)
                return;
        w->err = more;
        memcpy(w->err + w->err_len, buf, n);
        w->err_len += n;
        w->err[w->err_len] = '\0';
        /* KVM stopped the vCPU: QEMU pauses the guest and would wait for ever (or the timeout). */
        if (w->accel == ACCEL_KVM && !w->killed && accel_stderr_is_fatal(w->err))
                kill_qemu(w);
}

static void on_bytes(struct watch *w, int channel, const char *buf, size_t n, uint64_t host_us)
{
        if (w->r->host_first_output_us == 0 && channel != CH_STDERR)
                w->r->host_first_output_us = host_us;
        if (channel == CH_CONSOLE) {
                console_feed(&w->console, buf, n, host_us);
        } else if (channel == CH_PAYLOAD) {
                if (w->c->stream_payload)
                        write_full(STDOUT_FILENO, buf, n);
        } else {
                on_stderr(w, buf, n);
        }
}

/* Read every channel until QEMU has closed them all, killing it at the deadline. */
static void watch_channels(struct watch *w, int rd[N_CHANNELS])
{
        struct pollfd p[N_CHANNELS];
        for (int i = 0; i < N_CHANNELS; i++)
                p[i] = (struct pollfd){ .fd = rd[i], .events = POLLIN };
        while (p[0].fd >= 0 || p[1].fd >= 0 || p[2].fd >= 0) {
                int wait_ms = -1;
                if (w->deadline && !w->killed) {
                        uint64_t now = now_usec();
                        if (now >= w->deadline) {
                                w->r->timed_out = true;
                                kill_qemu(w);
                                continue;
                        }
                        wait_ms = (int)((w->deadline - now + 999) / 1000);
                }
                if (poll(p, N_CHANNELS, wait_ms) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                uint64_t now = now_usec() - w->t0;
                for (int i = 0; i < N_CHANNELS; i++) {
                        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        char buf[8192];
                        ssize_t got = read(p[i].fd, buf, sizeof buf);
                        if (got < 0 && errno == EINTR)
                                continue;
                        if (got <= 0) {
                                close(p[i].fd);
                                p[i].fd = -1;
                                continue;
                        }
                        on_bytes(w, i, buf, (size_t)got, now);
                }
        }
        for (int i = 0; i < N_CHANNELS; i++)
                if (p[i].fd >= 0)
                        close(p[i].fd);
}

/* This boot's nonce (common/marker.h): 16 hex digits nobody can guess before the boot. */
static void boot_nonce(char buf[17])
{
        uint64_t v;
        if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
                v = now_usec() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
        snprintf(buf, 17, "%016llx", (unsigned long long)v);
}

/* One QEMU run under ACCEL, read to its end. */
static int boot_qemu(const struct boot_config *c, enum accel accel, struct boot_result *ret)
{
        *ret = (struct boot_result){ .exit_status = -1 };
        char nonce[17];
        boot_nonce(nonce);
        _cleanup_strv_free_ char **argv = qemu_argv(c, accel, nonce);
        if (!argv)
                return -ENOMEM;
        if (log_get_level() >= 2) {
                _cleanup_free_ char *j = strv_join(argv, " ");
                log_debug("%s", j);
        }
        int rd[N_CHANNELS], wr[N_CHANNELS];
        int e = open_channels(rd, wr);
        if (e < 0)
                return e;
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdin_fd = c->interactive ? STDIN_FILENO : -1;
        so.stdout_fd = wr[CH_PAYLOAD];
        so.pass_fd = wr[CH_CONSOLE];
        so.stderr_fd = wr[CH_STDERR];
        /* QEMU puts an interactive terminal in raw mode and restores it when it exits, but not
         * when it is killed (a timeout, a KVM failure): then we do. */
        struct termios saved_tty;
        bool restore_tty = c->interactive && tcgetattr(STDIN_FILENO, &saved_tty) == 0;
        struct watch w = { .c = c, .accel = accel, .r = ret, .t0 = now_usec() };
        w.pid = spawn_argv(argv, &so);
        for (int i = 0; i < N_CHANNELS; i++)
                close(wr[i]);
        if (w.pid < 0) {
                for (int i = 0; i < N_CHANNELS; i++)
                        close(rd[i]);
                return (int)w.pid;
        }
        w.deadline = c->timeout_s > 0 ? w.t0 + (uint64_t)c->timeout_s * 1000000u : 0;
        console_init(&w.console, ret, nonce, STDERR_FILENO, c->show_console, c->stream_payload ? STDOUT_FILENO : -1);
        watch_channels(&w, rd);
        console_finish(&w.console, now_usec() - w.t0);
        ret->qemu_status = wait_exit_status(w.pid);
        if (restore_tty && w.killed)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        ret->host_exit_us = now_usec() - w.t0;
        ret->qemu_stderr = w.err ? w.err : strdup("");
        return 0;
}

static bool has_mark(const struct boot_result *r, const char *name)
{
        for (size_t i = 0; i < r->n_marks; i++)
                if (!name || streq(r->marks[i].name, name))
                        return true;
        return false;
}

int boot_appliance(const struct boot_config *c, struct boot_result *ret)
{
        enum accel accel = c->accel->accel;
        int e = boot_qemu(c, accel, ret);
        if (e < 0 || accel != ACCEL_KVM || ret->exit_status >= 0 || ret->timed_out)
                return e;
        char *why = accel_boot_failure(ret->qemu_stderr, ret->qemu_status, has_mark(ret, NULL));
        if (!why)
                return 0;
        /* KVM itself ended the boot: whatever the cached verdict said, it does not hold now. */
        accel_record_failure(why);
        ret->accel_failure = why;
        /* Run again only a boot that never reached the init: after its first marker, hooks or the
         * payload may have run (and written to disks that are not snapshots). */
        if (!c->accel->chosen || has_mark(ret, NULL))
                return 0;
        char *reason = NULL;
        if (asprintf(&reason, "KVM failed a boot on this host (QEMU: %s)", why) < 0)
                return 0;
        log_info("%s: using TCG from now on", reason);
        free(c->accel->reason);
        c->accel->reason = reason;
        c->accel->accel = ACCEL_TCG;
        boot_result_free(ret);
        return boot_qemu(c, ACCEL_TCG, ret);
}

const char *boot_last_stage(const struct boot_result *r)
{
        for (size_t i = r->n_marks; i > 0; i--)
                if (!streq(r->marks[i - 1].name, "exit"))
                        return r->marks[i - 1].name;
        return "firmware/kernel (no stage marker from the init)";
}

void boot_result_free(struct boot_result *r)
{
        for (size_t i = 0; i < r->n_marks; i++)
                free(r->marks[i].name);
        free(r->marks);
        free(r->panic_line);
        free(r->qemu_stderr);
        free(r->console_tail);
        free(r->accel_failure);
        *r = (struct boot_result){ .exit_status = -1 };
}
