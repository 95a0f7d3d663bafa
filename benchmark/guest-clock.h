/* Which clock a boot's figures are read on.
 *
 * wall: the guest's clock follows the host's (KVM, or TCG keeping real time), so every figure
 *   carries the host's load.
 * insn: the instruction clock.  QEMU's TCG with -icount shift=0,sleep=on advances the guest's
 *   clock by one nanosecond per guest instruction; while the guest idles it passes at the host's
 *   pace up to the guest's next timer.  So a stage that only computes, or waits for its own
 *   timers, takes the same guest time on any host under any load; a wait for the host's disk
 *   costs what it took, not a whole timer period.
 *   Its unit is "1 instruction at 1 ns", not wall time: the figures are for comparing variants,
 *   not for saying how long a boot takes. */
#ifndef LEANBOOT_GUEST_CLOCK_H
#define LEANBOOT_GUEST_CLOCK_H

enum guest_clock { GUEST_CLOCK_WALL, GUEST_CLOCK_INSN };

/* The unit note every output shows beside instruction-time figures. */
#define INSN_CLOCK_NOTE "instruction-time: 1 unit = 1 instruction at 1 ns; not wall time"

/* The unit figures on this clock are given in: "ms", or "insn-ms" (milliseconds of
 * instruction-time), so that no table, verdict or chart passes one off as the other. */
const char *guest_clock_unit(enum guest_clock c);
/* "wall" or "insn"; -EINVAL otherwise. */
int guest_clock_from_string(const char *s, enum guest_clock *ret);
const char *guest_clock_name(enum guest_clock c);
/* The QEMU arguments that make the clock (none for wall); 0 or -ENOMEM. */
int guest_clock_qemu_args(char ***argv, enum guest_clock c);
/* The guest TSC's rate in kHz that the kernel is told (tsc_early_khz=): under icount the TSC
 * counts instruction-time nanoseconds, so 1000000; for wall, host_tsc_khz (0: not told). */
unsigned guest_clock_tsc_khz(enum guest_clock c, unsigned host_tsc_khz);

#endif
