/* Stage markers: "leanboot: stage=NAME t_us=N" with the guest's CLOCK_BOOTTIME, one line per
 * stage boundary, written whole to the console so the host can timestamp each as it arrives. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "../common/fileio.h"
#include "../common/marker.h"

static int kmsg_fd = -1;
static int console_fd = STDOUT_FILENO;
/* The boot's nonce from the host (CMDLINE_NONCE; see common/marker.h), "" until it is read. */
static char nonce[MARKER_NONCE_MAX + 1];

void stage_set_nonce(const char *value)
{
        if (value && marker_nonce_valid(value))
                snprintf(nonce, sizeof nonce, "%s", value);
        else if (value)
                init_error(CMDLINE_NONCE "=%.40s: not a nonce (1 to %d lowercase hex digits)", value, MARKER_NONCE_MAX);
}

const char *stage_nonce(void)
{
        return nonce;
}

void stage_set_console_fd(int fd)
{
        console_fd = fd;
}

uint64_t boottime_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t guest_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
        return __builtin_ia32_rdtsc();
#else
        return 0;
#endif
}

void stage_enable_kmsg(void)
{
        /* Markers in the ring buffer share the kernel's clock with the initcall records. */
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

static void emit(const char *line, size_t len)
{
        (void)write_full(console_fd, line, len);
}

void stage_begin(const char *name)
{
        char line[MARKER_LINE_MAX];
        uint64_t t_us = boottime_us(), tsc = guest_tsc();
        int n = marker_format_stage(line, sizeof line, name, t_us, tsc, nonce);
        if (n <= 0)
                return;
        emit(line, (size_t)n);
        /* The ring buffer's copy is for people reading the kernel log: it has no nonce, and a
         * prefix of its own that the host never takes for a marker, so that neither a payload
         * running dmesg nor the kernel echoing its log (--debug) adds a stage to the boot. */
        if (kmsg_fd >= 0) {
                char k[MARKER_LINE_MAX + 16];
                int m = snprintf(k, sizeof k, "<7>" KMSG_MARKER_PREFIX "stage=%s t_us=%llu\n", name, (unsigned long long)t_us);
                if (m > 0 && (size_t)m < sizeof k)
                        (void)write(kmsg_fd, k, (size_t)m);
        }
}

void stage_say_output(const char *where)
{
        char line[MARKER_LINE_MAX];
        int n = marker_format_output(line, sizeof line, where, nonce);
        if (n > 0)
                emit(line, (size_t)n);
}

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
        char *msg = NULL, *line = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        int n = asprintf(&line, INIT_MESSAGE_PREFIX "%s%s\n", prefix, msg);
        if (n > 0)
                emit(line, (size_t)n);
        free(line);
        free(msg);
}

void init_say(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsay("", fmt, ap);
        va_end(ap);
}

void init_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsay("error: ", fmt, ap);
        va_end(ap);
}
