/* initcall_debug records from a kernel log.
 *
 * Accepted line shapes (anything else is skipped):
 *   [    0.211416] initcall con_init+0x0/0x22c returned 0 after 0 usecs
 *   initcall foo_init+0x0/0x10 [foo] returned 0 after 5 usecs        (no timestamp; module)
 *   <7>[    1.0] initcall 0xffffffff81a2b3c4 returned -19 after 12 usecs (syslog level; no KALLSYMS)
 *   7,1234,1402427,-;initcall n_null_init+0x0/0x1e returned 0 after 31 usecs   (/dev/kmsg)
 *   [    0.211400] calling  con_init+0x0/0x22c @ 1                       (start time)
 * Newer kernels print "after N usecs"; some print msecs ("after N msecs"): both are read.
 * Initcalls called before the log's "clocksource: Switched to clocksource X" line were timed by
 * the kernel on the tick (4 ms steps); for them, when both lines carry timestamps, the duration
 * is the difference of the printk timestamps instead (local_clock: fine-grained), less the
 * cost of a "calling" line, measured on the same log's later initcalls (the median of their
 * timestamp span minus the kernel's own duration).
 * Records are keyed by (function, module, occurrence): names are not unique. */
#ifndef LEANBOOT_INITCALL_H
#define LEANBOOT_INITCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct initcall {
        char *name;       /* function ("con_init") or raw address ("0xffffffff81a2b3c4") */
        char *module;     /* "" when built in */
        unsigned occurrence; /* 0 for the first record with this (name, module), 1 for the next... */
        long long usecs;  /* duration */
        double start_us;  /* kernel time it started: the "calling" line, else end - duration; -1 unknown */
        int ret;
        bool from_timestamps; /* duration from the printk timestamps, not the kernel's "after" */
};

struct initcall_log {
        struct initcall *calls;
        size_t n;
        size_t lines_skipped; /* lines that looked like initcall records but did not parse whole */
        size_t from_timestamps; /* records timed from printk timestamps (see above) */
        double calling_line_cost_us; /* taken off each of them */
        double run_init_us;   /* "Run /init as init process" time, -1 if absent: end of the kernel stage */
};

int initcall_parse(const char *text, struct initcall_log *ret);
void initcall_log_free(struct initcall_log *l);
long long initcall_total_us(const struct initcall_log *l);
/* The kernel's own boot initcalls (built in: all run before the first user-space program) and
 * the init functions of modules, which user space loads later (the initrd, udev, the init):
 * real costs, but not of the kernel's boot, so reported apart. */
enum initcall_part { INITCALLS_BOOT, INITCALLS_MODULES };
long long initcall_part_us(const struct initcall_log *l, enum initcall_part part, size_t *ret_count);
/* Index of the record with this key, or -1. */
ssize_t initcall_find(const struct initcall_log *l, const char *name, const char *module, unsigned occurrence);

#endif
