#include <config.h>

#include <errno.h>

#include "guest-clock.h"
#include "../common/macro.h"
#include "../common/strv.h"

int guest_clock_from_string(const char *s, enum guest_clock *ret)
{
        if (streq(s, "wall"))
                *ret = GUEST_CLOCK_WALL;
        else if (streq(s, "insn"))
                *ret = GUEST_CLOCK_INSN;
        else
                return -EINVAL;
        return 0;
}

const char *guest_clock_name(enum guest_clock c)
{
        return c == GUEST_CLOCK_INSN ? "insn" : "wall";
}

const char *guest_clock_unit(enum guest_clock c)
{
        return c == GUEST_CLOCK_INSN ? "insn-ms" : "ms";
}

int guest_clock_qemu_args(char ***a, enum guest_clock c)
{
        if (c != GUEST_CLOCK_INSN)
                return 0;
        /* shift=0: one instruction is one nanosecond.  sleep=on, not off: with sleep=off an idle
         * guest's clock jumps straight to its next timer, so a wait for the host's disk costs a
         * whole timer period, or many when the host's I/O thread is slow (the cut-down kernel's
         * initrd stage: 2 to 726 insn-ms under a CPU hog); with sleep=on idle time passes at the
         * host's pace up to the next timer, and a disk wait costs only what it took.
         * align=off: QEMU does not slow the guest down to match the host's clock. */
        int r = strv_push(a, "-icount");
        r = r ?: strv_push(a, "shift=0,sleep=on,align=off");
        /* The RTC on the virtual clock: the kernel's RTC read waits out the update-in-progress
         * window, which on the host's clock lands at a different instruction in every boot. */
        r = r ?: strv_push(a, "-rtc");
        r = r ?: strv_push(a, "base=utc,clock=vm");
        /* The guest's random numbers (RDRAND, KASLR's seed) from a fixed seed: a different
         * kernel layout or hash seed in each boot is a different instruction count. */
        r = r ?: strv_push(a, "-seed");
        return r ?: strv_push(a, "1");
}

unsigned guest_clock_tsc_khz(enum guest_clock c, unsigned host_khz)
{
        return c == GUEST_CLOCK_INSN ? 1000000u : host_khz;
}
