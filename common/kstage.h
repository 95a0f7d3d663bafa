/* The kernel stage apart from the boot initcalls: where a boot's time went between the kernel's
 * first log line and "Run /init", outside every initcall, from a kernel log's printk timestamps
 * (the ring buffer read whole: every level, as the bench keeps it).
 *
 * initcall_debug times each initcall.  The rest of the kernel stage (setup_arch, the timers'
 * calibration, smp_init, the checks after the initcalls) shows only as stretches between two
 * log lines.  On a defconfig kernel the tailor had cut down, booted under TCG, 204 ms lay between
 * the last early initcall and "devtmpfs: initialized" (a one-CPU kernel calibrating its local
 * APIC timer in smp_init: noapictimer skips it), and 115 ms before "x86/mm: Checked W+X mappings"
 * (DEBUG_WX walking the page tables), of 371 ms outside the initcalls and 11.5 in them.
 * The two lines bound a stretch; neither names what ran in it. */
#ifndef LEANBOOT_KSTAGE_H
#define LEANBOOT_KSTAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "initcall.h"

struct kstage_stretch {
        double start_us; /* the earlier line's timestamp */
        double usecs;    /* of it outside the boot initcalls */
        char *after;     /* the message of the line before the stretch (no prefixes; a control or
                          * non-ASCII byte, such as a console's escape code, reads as '?') */
        char *before;    /* the message of the line that ends it (likewise) */
};

struct kstage {
        double end_us;       /* "Run /init", else the last timestamp read; -1: no timestamps */
        bool reached_init;   /* end_us is "Run /init" */
        double outside_us;   /* the kernel stage's time outside the boot initcalls */
        struct kstage_stretch *longest; /* the longest stretches, the longest first */
        size_t n;
};

/* Read TEXT, whose initcalls (initcall_parse) are L: a boot initcall's time, from its start to
 * its start plus its duration, is not outside.  At most MAX stretches are kept.  0 or -ENOMEM. */
int kstage_parse(const char *text, const struct initcall_log *l, size_t max, struct kstage *ret);
void kstage_free(struct kstage *k);

#endif
