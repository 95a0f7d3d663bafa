/* One line of a kernel log, as the console, dmesg or /dev/kmsg gives it: its prefixes and its
 * printk timestamp.
 *
 * Accepted prefixes (each optional, in this order):
 *   7,1234,1402427,-;MESSAGE        /dev/kmsg: priority, sequence, microseconds, flags
 *   <7>                             a syslog level (dmesg -r, the ring buffer read raw)
 *   [    0.211416]                  the timestamp (printk.time), then spaces
 * The log is the guest's, so its numbers are not trusted: a timestamp past a year is not a
 * boot's (an audit's "[1e308]" gave negative totals) and reads as absent. */
#ifndef LEANBOOT_KLOG_H
#define LEANBOOT_KLOG_H

#include <stdbool.h>

/* The message of the line at LINE (which may go on past a newline: only this line is read), past
 * its prefixes; *ret_us gets its timestamp in microseconds, -1 when it has none. */
const char *klog_strip_prefixes(const char *line, double *ret_us);

/* Whether the line at MSG (up to its newline) is the kernel's "Run /init as init process" (or
 * another program's, with init=): the kernel stage's end, user space's start.  Found anywhere
 * in the line, as a console log may carry other text before it. */
bool klog_is_run_init(const char *msg);

#endif
