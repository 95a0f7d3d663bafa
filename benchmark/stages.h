/* A boot's stages (README "Measuring"): what each is, and how it is derived from a boot. */
#ifndef LEANBOOT_STAGES_H
#define LEANBOOT_STAGES_H

#include <stdbool.h>

#include "boot.h"
#include "../common/initcall.h"

/* ST_INITCALLS is the kernel's boot initcalls (built in, before the first user-space program),
 * ST_MODULE_INITCALLS the init functions of modules user space loaded later (initcall.h).  Both
 * are sums inside other stages, not spans of the timeline; the sub-stages from ST_MOUNTS on are
 * parts of ST_INIT. */
enum stage {
        ST_TOTAL, ST_TO_READY, ST_FIRMWARE, ST_KERNEL, ST_INITCALLS, ST_MODULE_INITCALLS, ST_INITRD, ST_INIT,
        ST_PAYLOAD, ST_COLLECT, ST_SHUTDOWN, ST_MOUNTS, ST_MODULES, ST_UDEV, ST_HOOKS, N_STAGES
};
extern const char *const stage_names[N_STAGES];
/* A part of the stage before it in stage_display_order, shown indented under it: the boot
 * initcalls under kernel, the sub-stages under init. */
bool stage_is_part(enum stage s);
/* The order reports list stages in: each part under its stage; the module initcalls, a sum
 * spread over initrd and init, last. */
extern const enum stage stage_display_order[N_STAGES];
/* The stage called NAME, or -1. */
int stage_from_name(const char *name);
/* The stages that follow one another in time, for the boot chart. */
#define N_TIMELINE 7
extern const enum stage timeline[N_TIMELINE];

/* The stages of one boot in ms, NAN where this boot cannot tell: host times of the markers and
 * of QEMU's exit, the guest's clock at each marker, and (ic, may be NULL) the kernel log's
 * initcalls and the first userspace program's start.  On the instruction clock no host time is
 * used: what the host would time (total, to_ready, firmware, shutdown) comes from the guest's
 * TSC in the markers, which counts from the machine's start, and a boot whose markers carry
 * none leaves those stages NAN. */
void derive_stages(const struct boot_result *r, const struct initcall_log *ic, enum guest_clock clock, double st[N_STAGES]);
/* The same for a libguestfs launch and shutdown (ms) whose appliance printed markers (r's marks;
 * none with libguestfs's own appliance). */
void derive_peer_stages(const struct boot_result *r, double launch_ms, double shutdown_ms, double st[N_STAGES]);

#endif
