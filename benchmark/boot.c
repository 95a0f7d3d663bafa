#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/spawn.h"
#include "../common/strv.h"

#define MARKER "leanboot: "
#define INIT_MSG "leanboot-init: "
#define PANIC "Kernel panic - not syncing"
#define TAIL_BYTES 4096

static uint64_t mono_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

enum accel accel_resolve(enum accel want, bool notice)
{
        if (want != ACCEL_AUTO)
                return want;
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                close(fd);
                return ACCEL_KVM;
        }
        if (notice)
                log_info("no usable /dev/kvm: using TCG (software emulation, several times slower than KVM)");
        return ACCEL_TCG;
}

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

const char *accel_name(enum accel a)
{
        return a == ACCEL_KVM ? "kvm" : "tcg";
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

static int add_disk(char ***argv, const char *path, const char *id, bool snapshot)
{
        _cleanup_free_ char *esc = drive_file_escape(path);
        if (!esc)
                return -ENOMEM;
        const char *dot = strrchr(path, '.');
        const char *fmt = dot && streq(dot, ".qcow2") ? "qcow2" : "raw";
        strv_push(argv, "-drive");
        strv_pushf(argv, "file=%s,format=%s,if=none,id=%s,cache=unsafe%s", esc, fmt, id,
                   snapshot ? ",snapshot=on" : "");
        strv_push(argv, "-device");
        return strv_pushf(argv, "virtio-blk-pci,drive=%s", id);
}

static char **qemu_argv(const struct boot_config *c)
{
        char **a = NULL;
        _cleanup_free_ char *kernel = path_join(c->appliance, "kernel");
        _cleanup_free_ char *initrd = path_join(c->appliance, "initrd");
        _cleanup_free_ char *root = path_join(c->appliance, "root");
        strv_push(&a, QEMU_PATH);
        strv_push(&a, "-no-user-config");
        strv_push(&a, "-nodefaults");
        strv_push(&a, "-display");
        strv_push(&a, "none");
        strv_push(&a, "-no-reboot");
        strv_push(&a, "-machine");
        strv_pushf(&a, "accel=%s", accel_name(c->accel));
        strv_push(&a, "-cpu");
        strv_push(&a, c->accel == ACCEL_KVM ? "host" : "max");
        strv_push(&a, "-m");
        strv_pushf(&a, "%d", c->memory_mb);
        strv_push(&a, "-smp");
        strv_pushf(&a, "%d", c->smp);
        strv_push(&a, "-kernel");
        strv_push(&a, kernel);
        strv_push(&a, "-initrd");
        strv_push(&a, initrd);
        strv_push(&a, "-append");
        unsigned tsc_khz = c->accel == ACCEL_TCG ? host_tsc_khz() : 0;
        if (tsc_khz)
                strv_pushf(&a, "%s tsc_early_khz=%u", c->cmdline, tsc_khz);
        else
                strv_push(&a, c->cmdline);
        if (c->root_overlay)
                add_disk(&a, c->root_overlay, "root", false);
        else
                add_disk(&a, root, "root", true);
        size_t i = 0;
        for (char **d = c->disks; d && *d; d++, i++) {
                char id[32];
                snprintf(id, sizeof id, "disk%zu", i);
                add_disk(&a, *d, id, false);
        }
        strv_push(&a, "-chardev");
        strv_push(&a, "stdio,id=console,signal=off");
        strv_push(&a, "-serial");
        strv_push(&a, "chardev:console");
        /* The init ends the boot through this device: no ACPI power-off path to wait for. */
        strv_push(&a, "-device");
        strv_push(&a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
        return a;
}

struct console {
        const struct boot_config *c;
        struct boot_result *r;
        uint64_t t0;
        char *line;          /* pending bytes of the current line */
        size_t len, cap;
        bool in_payload;     /* between the payload's start marker and the shutdown marker */
        char tail[TAIL_BYTES];
        size_t tail_len;
};

static void tail_add(struct console *k, const char *s, size_t n)
{
        if (n >= TAIL_BYTES) {
                s += n - TAIL_BYTES;
                n = TAIL_BYTES;
        }
        if (k->tail_len + n > TAIL_BYTES) {
                size_t drop = k->tail_len + n - TAIL_BYTES;
                memmove(k->tail, k->tail + drop, k->tail_len - drop);
                k->tail_len -= drop;
        }
        memcpy(k->tail + k->tail_len, s, n);
        k->tail_len += n;
}

static void out_bytes(int fd, const char *s, size_t n)
{
        /* The guest's tty turns \n into \r\n; the host wants plain lines. */
        size_t start = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\r') {
                        write_full(fd, s + start, i - start);
                        start = i + 1;
                }
        }
        write_full(fd, s + start, n - start);
}

static void add_mark(struct console *k, const char *name, uint64_t guest_us, uint64_t host_us)
{
        struct stage_mark *m = realloc(k->r->marks, (k->r->n_marks + 1) * sizeof *m);
        if (!m)
                return;
        k->r->marks = m;
        m[k->r->n_marks++] = (struct stage_mark){ strdup(name), host_us, guest_us };
}

/* A marker line: "leanboot: stage=NAME t_us=N" or "leanboot: exit=N t_us=N". */
static bool handle_marker(struct console *k, const char *m, uint64_t host_us)
{
        char name[256];
        unsigned long long t;
        int st;
        if (sscanf(m, MARKER "stage=%255s t_us=%llu", name, &t) == 2) {
                add_mark(k, name, t, host_us);
                if (streq(name, "payload"))
                        k->in_payload = true;
                else if (streq(name, "shutdown"))
                        k->in_payload = false;
                return true;
        }
        if (sscanf(m, MARKER "exit=%d t_us=%llu", &st, &t) == 2) {
                k->r->exit_status = st;
                add_mark(k, "exit", t, host_us);
                return true;
        }
        return false;
}

static void handle_line(struct console *k, char *s, size_t n, uint64_t host_us)
{
        tail_add(k, s, n);
        char *nl = memchr(s, '\n', n);
        if (nl)
                *nl = '\0';
        char *m = strstr(s, MARKER);
        if (m && m != s && k->in_payload && k->c->stream_payload)
                out_bytes(STDOUT_FILENO, s, (size_t)(m - s)); /* payload output without a final newline */
        if (m && handle_marker(k, m, host_us)) {
                if (k->c->show_console)
                        out_bytes(STDERR_FILENO, m, strlen(m)), write_full(STDERR_FILENO, "\n", 1);
                return;
        }
        if (nl)
                *nl = '\n';
        if (strstr(s, PANIC) && !k->r->panic_line) {
                k->r->panic_line = strndup(s, nl ? (size_t)(nl - s) : n);
                if (k->r->panic_line)
                        k->r->panic_line[strcspn(k->r->panic_line, "\r")] = '\0';
        }
        if (strncmp(s, INIT_MSG, strlen(INIT_MSG)) == 0 && strstr(s, "error:")) {
                out_bytes(STDERR_FILENO, s, n); /* the init's errors are always shown */
                return;
        }
        if (k->in_payload && k->c->stream_payload)
                out_bytes(STDOUT_FILENO, s, n);
        else if (k->c->show_console)
                out_bytes(STDERR_FILENO, s, n);
}

/* Length of the longest suffix of s that is a prefix of "leanboot": held back until the line
 * ends, because it may be the start of a marker. */
static size_t marker_prefix_suffix(const char *s, size_t n)
{
        static const char p[] = "leanboot";
        for (size_t k = sizeof p - 1; k > 0; k--)
                if (n >= k && memcmp(s + n - k, p, k) == 0)
                        return k;
        return 0;
}

static void console_feed(struct console *k, const char *buf, size_t n, uint64_t host_us)
{
        if (k->r->host_first_output_us == 0 && n > 0)
                k->r->host_first_output_us = host_us;
        for (size_t i = 0; i < n; i++) {
                if (k->len + 2 > k->cap) {
                        size_t ncap = k->cap ? k->cap * 2 : 1024;
                        char *nl = realloc(k->line, ncap);
                        if (!nl)
                                return;
                        k->line = nl;
                        k->cap = ncap;
                }
                k->line[k->len++] = buf[i];
                if (buf[i] == '\n') {
                        k->line[k->len] = '\0';
                        handle_line(k, k->line, k->len, host_us);
                        k->len = 0;
                }
        }
        /* Stream a partial payload line now (a prompt, a progress bar), unless it may hold a marker. */
        if (k->in_payload && k->c->stream_payload && k->len > 0) {
                k->line[k->len] = '\0';
                if (strstr(k->line, "leanboot"))
                        return;
                size_t keep = marker_prefix_suffix(k->line, k->len);
                out_bytes(STDOUT_FILENO, k->line, k->len - keep);
                tail_add(k, k->line, k->len - keep);
                memmove(k->line, k->line + k->len - keep, keep);
                k->len = keep;
        }
}

int boot_appliance(const struct boot_config *c, struct boot_result *ret)
{
        *ret = (struct boot_result){ .exit_status = -1 };
        _cleanup_strv_free_ char **argv = qemu_argv(c);
        if (!argv)
                return -ENOMEM;
        if (log_get_level() >= 2) {
                _cleanup_free_ char *j = strv_join(argv, " ");
                log_debug("%s", j);
        }
        int outp[2], errp[2];
        if (pipe2(outp, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(errp, O_CLOEXEC) < 0) {
                close(outp[0]);
                close(outp[1]);
                return -errno;
        }
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdin_fd = c->interactive ? STDIN_FILENO : -1;
        so.stdout_fd = outp[1];
        so.stderr_fd = errp[1];
        uint64_t t0 = mono_us();
        pid_t pid = spawn_argv(argv, &so);
        close(outp[1]);
        close(errp[1]);
        if (pid < 0) {
                close(outp[0]);
                close(errp[0]);
                return (int)pid;
        }

        struct console k = { .c = c, .r = ret, .t0 = t0 };
        char *errbuf = NULL;
        size_t errlen = 0;
        uint64_t deadline = c->timeout_s > 0 ? t0 + (uint64_t)c->timeout_s * 1000000u : 0;
        struct pollfd p[2] = { { .fd = outp[0], .events = POLLIN }, { .fd = errp[0], .events = POLLIN } };
        while (p[0].fd >= 0 || p[1].fd >= 0) {
                int wait_ms = -1;
                if (deadline) {
                        uint64_t now = mono_us();
                        if (now >= deadline) {
                                ret->timed_out = true;
                                kill(pid, SIGKILL);
                                break;
                        }
                        wait_ms = (int)((deadline - now + 999) / 1000);
                }
                int n = poll(p, 2, wait_ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                uint64_t now = mono_us() - t0;
                for (int i = 0; i < 2; i++) {
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
                        if (i == 0) {
                                console_feed(&k, buf, (size_t)got, now);
                        } else {
                                char *ne = realloc(errbuf, errlen + (size_t)got + 1);
                                if (ne) {
                                        errbuf = ne;
                                        memcpy(errbuf + errlen, buf, (size_t)got);
                                        errlen += (size_t)got;
                                        errbuf[errlen] = '\0';
                                }
                        }
                }
        }
        for (int i = 0; i < 2; i++)
                if (p[i].fd >= 0)
                        close(p[i].fd);
        if (k.len > 0) {
                k.line[k.len] = '\n';
                handle_line(&k, k.line, k.len + 1, mono_us() - t0);
        }
        ret->qemu_status = wait_exit_status(pid);
        ret->host_exit_us = mono_us() - t0;
        ret->qemu_stderr = errbuf ? errbuf : strdup("");
        ret->console_tail = strndup(k.tail, k.tail_len);
        free(k.line);
        return 0;
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
        *r = (struct boot_result){ .exit_status = -1 };
}
