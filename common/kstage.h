/* The kernel stage apart from the boot initcalls: where a boot's time went between the kernel's
 * first log line and "Run /init", outside every initcall, from a kernel log's printk timestamps
 * (the ring buffer read whole: every level, as the bench keeps it).
 *
 * initcall_debug times each initcall.  The rest of the kernel stage (setup_arch, the timers'
 * calibration, smp_init, the checks after the initcalls) shows only as stretches between two
 * log lines.  On the defconfig kernel the tailor cut down in 12 builds, under TCG, 366 of the
 * kernel stage's 378 insn-ms lay outside the initcalls: 204 between the last early initcall and
 * "devtmpfs: initialized" (a one-CPU kernel calibrating its local APIC timer in smp_init, which
 * noapictimer skips), and 115 before "x86/mm: Checked W+X mappings" (DEBUG_WX walking the page
 * tables).  The two lines bound a stretch; neither names what ran in it. */
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
        double first_us;     /* the first timestamp read (0 unless the ring buffer wrapped); -1: none */
        double end_us;       /* "Run /init", else the last timestamp read; -1: no timestamps */
        bool reached_init;   /* end_us is "Run /init" */
        double outside_us;   /* end_us - first_us less the boot initcalls' own durations (not below
                              * 0): the kernel stage less what the bench calls its initcalls */
        struct kstage_stretch *longest; /* the longest stretches, the longest first */
        size_t n;
};

/* Read TEXT, whose initcalls (initcall_parse) are L: a boot initcall's time, from its start to
 * its start plus its duration, is not in a stretch.  At most MAX stretches are kept.  While the
 * printk clock is still coarse (a kernel whose sched_clock runs on jiffies early on), the lines'
 * timestamps and the initcalls' own times disagree by a few ms, and the stretches do not add up
 * to outside_us.  0 or -ENOMEM. */
int kstage_parse(const char *text, const struct initcall_log *l, size_t max, struct kstage *ret);
void kstage_free(struct kstage *k);

/* K as a JSON object: {"first_X", "end_X", "reached_init", "outside_X", "stretches":
 * [{"start_X", "duration_X", "after", "before"}]}, X being "us" (times as read) or "ms" (divided
 * by 1000), as leanboot analyze and the tailor's report write it; NULL (JSON null) when the log
 * had no timestamps. */
enum kstage_unit { KSTAGE_US, KSTAGE_MS };
struct json_object;
struct json_object *kstage_to_json(const struct kstage *k, enum kstage_unit unit);

#endif
