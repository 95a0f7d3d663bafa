/* A boot's stages, from what the host saw (boot.h): pure arithmetic on the markers' two clocks
 * and the kernel log's initcalls, so that it can be checked against recorded boots. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "stages.h"
#include "../common/macro.h"

const char *const stage_names[N_STAGES] = {
        "total", "to_ready", "firmware", "kernel", "initcalls", "module_initcalls", "initrd", "init",
        "payload", "collect", "shutdown", "mounts", "modules", "udev", "hooks",
};

bool stage_is_part(enum stage s)
{
        return s == ST_INITCALLS || s >= ST_MOUNTS;
}

const enum stage stage_display_order[N_STAGES] = {
        ST_TOTAL, ST_TO_READY, ST_FIRMWARE, ST_KERNEL, ST_INITCALLS, ST_INITRD, ST_INIT, ST_MOUNTS, ST_MODULES,
        ST_UDEV, ST_HOOKS, ST_PAYLOAD, ST_COLLECT, ST_SHUTDOWN, ST_MODULE_INITCALLS,
};
int stage_from_name(const char *name)
{
        for (int s = 0; s < N_STAGES; s++)
                if (streq(stage_names[s], name))
                        return s;
        return -1;
}

/* The stages that follow one another in time, for the boot chart. */
const enum stage timeline[N_TIMELINE] = { ST_FIRMWARE, ST_KERNEL, ST_INITRD, ST_INIT, ST_PAYLOAD, ST_COLLECT, ST_SHUTDOWN };

static const struct stage_mark *mark(const struct boot_result *r, const char *name)
{
        for (size_t i = 0; i < r->n_marks; i++)
                if (streq(r->marks[i].name, name))
                        return &r->marks[i];
        return NULL;
}

/* A marker's TSC in ms of instruction-time, NAN when it has none. */
static double tsc_ms(const struct stage_mark *m)
{
        return m && m->tsc ? (double)m->tsc / 1e6 : NAN;
}

/* Guest time from marker i to the next marker, in ms: the guest's CLOCK_BOOTTIME, or on the
 * instruction clock its TSC (the machine's one clock, whatever clocksource the kernel chose). */
static double guest_span(const struct boot_result *r, size_t i, enum guest_clock clock)
{
        if (i + 1 >= r->n_marks)
                return NAN;
        if (clock == GUEST_CLOCK_INSN)
                return tsc_ms(&r->marks[i + 1]) - tsc_ms(&r->marks[i]);
        return ((double)r->marks[i + 1].guest_us - (double)r->marks[i].guest_us) / 1000.0;
}

/* What the host times on the wall clock, from the guest's TSC on the instruction clock (QEMU's
 * virtual clock from the machine's start): to the exit marker (QEMU's own start and exit are
 * host work, not the guest's), to the payload's start, and shutdown from its marker to the exit
 * marker, as far as the guest sees it.  Firmware is the machine's time before the kernel's clock
 * started; a kernel whose early clock runs on the tick (Debian's, until its TSC clocksource takes
 * over) gets ahead of the machine's, and then there is no telling: NAN, not a negative figure. */
static void derive_insn_host_stages(const struct boot_result *r, double st[N_STAGES])
{
        const struct stage_mark *init = mark(r, "init"), *pay = mark(r, "payload"), *shut = mark(r, "shutdown"),
                                *exit = mark(r, "exit");
        st[ST_TOTAL] = tsc_ms(exit);
        st[ST_TO_READY] = tsc_ms(pay);
        if (init) {
                double fw = tsc_ms(init) - (double)init->guest_us / 1000.0;
                st[ST_FIRMWARE] = fw >= 0 ? fw : NAN;
        }
        st[ST_SHUTDOWN] = tsc_ms(exit) - tsc_ms(shut);
}

static void derive_wall_host_stages(const struct boot_result *r, double st[N_STAGES])
{
        const struct stage_mark *init = mark(r, "init"), *pay = mark(r, "payload"), *shut = mark(r, "shutdown");
        st[ST_TOTAL] = (double)r->host_exit_us / 1000.0;
        if (pay)
                st[ST_TO_READY] = (double)pay->host_us / 1000.0;
        /* The guest clock starts with the kernel: host arrival minus guest time is the time
         * before the kernel ran (firmware, loading, decompression).  Two clocks, said so. */
        if (init)
                st[ST_FIRMWARE] = ((double)init->host_us - (double)init->guest_us) / 1000.0;
        if (shut)
                st[ST_SHUTDOWN] = ((double)r->host_exit_us - (double)shut->host_us) / 1000.0;
}

void derive_stages(const struct boot_result *r, const struct initcall_log *ic, enum guest_clock clock, double st[N_STAGES])
{
        for (int s = 0; s < N_STAGES; s++)
                st[s] = NAN;
        const struct stage_mark *init = mark(r, "init"), *pay = mark(r, "payload");
        if (clock == GUEST_CLOCK_INSN)
                derive_insn_host_stages(r, st);
        else
                derive_wall_host_stages(r, st);
        if (ic && ic->run_init_us >= 0) {
                st[ST_KERNEL] = ic->run_init_us / 1000.0;
                if (init)
                        st[ST_INITRD] = ((double)init->guest_us - ic->run_init_us) / 1000.0;
        }
        if (ic && ic->n) {
                size_t boot = 0, modules = 0;
                double boot_ms = (double)initcall_part_us(ic, INITCALLS_BOOT, &boot) / 1000.0;
                double modules_ms = (double)initcall_part_us(ic, INITCALLS_MODULES, &modules) / 1000.0;
                st[ST_INITCALLS] = boot ? boot_ms : NAN;
                st[ST_MODULE_INITCALLS] = modules ? modules_ms : NAN;
        }
        if (init && pay)
                st[ST_INIT] = clock == GUEST_CLOCK_INSN ? tsc_ms(pay) - tsc_ms(init)
                                                        : ((double)pay->guest_us - (double)init->guest_us) / 1000.0;
        double hooks = 0;
        bool any_hook = false;
        for (size_t i = 0; i < r->n_marks; i++) {
                const char *n = r->marks[i].name;
                double d = guest_span(r, i, clock);
                if (streq(n, "payload"))
                        st[ST_PAYLOAD] = d;
                else if (streq(n, "collect"))
                        st[ST_COLLECT] = d;
                else if (streq(n, "mounts"))
                        st[ST_MOUNTS] = d;
                else if (streq(n, "modules"))
                        st[ST_MODULES] = d;
                else if (streq(n, "udev"))
                        st[ST_UDEV] = d;
                else if (strncmp(n, "hook:", 5) == 0 && !isnan(d)) {
                        hooks += d;
                        any_hook = true;
                }
        }
        st[ST_HOOKS] = any_hook ? hooks : NAN;
}

void derive_peer_stages(const struct boot_result *r, double launch_ms, double shutdown_ms, double st[N_STAGES])
{
        struct boot_result whole = *r;
        whole.host_exit_us = (uint64_t)((launch_ms + shutdown_ms) * 1000.0);
        derive_stages(&whole, NULL, GUEST_CLOCK_WALL, st);
        /* guestfsd runs as the payload until shutdown: its span is not a boot stage. */
        st[ST_PAYLOAD] = NAN;
        st[ST_TOTAL] = launch_ms + shutdown_ms;
        st[ST_TO_READY] = launch_ms;
        st[ST_SHUTDOWN] = shutdown_ms;
}
