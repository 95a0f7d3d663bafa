/* Which accelerator a boot gets, and the proof behind it.
 *
 * A /dev/kvm that opens is not a KVM that runs our guests: nested hypervisors (PVM), containers
 * handed the wrong device and hosts whose KVM lacks what `-cpu host` asks for all have one.
 * `auto` uses KVM only where a guest has been seen to run on it, with the CPU and accelerator
 * arguments the boots use on the PC machine, and otherwise TCG with QEMU's own words for why.
 * The verdict is one per host, not per machine: cached under $XDG_CACHE_HOME/leanboot/accel,
 * keyed by what can change it (the host kernel, the QEMU binary, the KVM modules); a boot that
 * KVM kills later, on either machine, overrides it (a microvm-only KVM failure then sends the
 * PC machine's boots to TCG too: the cautious side). */
#ifndef LEANBOOT_ACCEL_H
#define LEANBOOT_ACCEL_H

#include <stdbool.h>

#include "guest-clock.h"
#include "../common/machine.h"

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct accel_choice {
        enum accel accel;  /* ACCEL_KVM or ACCEL_TCG */
        bool chosen;       /* auto picked it: a KVM failure in a boot may fall back to TCG */
        char *reason;      /* one line: why this accelerator (for the terminal, JSON and HTML) */
        enum guest_clock clock; /* GUEST_CLOCK_INSN only with TCG */
};

/* "auto", "kvm" or "tcg"; -EINVAL otherwise. */
int accel_from_string(const char *s, enum accel *ret);
const char *accel_name(enum accel a);

/* The QEMU that leanboot runs: $LEANBOOT_QEMU when set, else the one found at configure time. */
const char *qemu_binary(void);
/* The machine half of every QEMU command line leanboot runs, the probe's included, so what the
 * probe proves is what the boots get.  Returns 0 or -ENOMEM. */
int qemu_machine_args(char ***argv, enum accel a, enum guest_clock clock, enum machine machine, int memory_mb, int smp);

/* Resolve WANT.  auto: KVM when proven here, else TCG (and *ret->reason says why); kvm: -ENODEV
 * with the reason when KVM does not work here; tcg: TCG.  refresh: probe again whatever the
 * cache says.  Prints nothing. */
int accel_resolve(enum accel want, bool refresh, struct accel_choice *ret);
/* As accel_resolve for a boot on CLOCK, and prints the one line a user should see: for auto, why
 * TCG; for kvm, the error.  The instruction clock is TCG's: auto then gives TCG without a probe,
 * and kvm is refused (-EOPNOTSUPP, said: a usage error).  Returns what accel_resolve does. */
int accel_resolve_verbose(enum accel want, enum guest_clock clock, struct accel_choice *ret);
void accel_choice_done(struct accel_choice *c);

/* QEMU prints this when KVM stops a vCPU, and then pauses the guest instead of exiting: a boot
 * that shows it is over. */
bool accel_stderr_is_fatal(const char *qemu_stderr);
/* Was this KVM boot ended by KVM itself?  QEMU's stderr and status, and whether the init's first
 * marker came.  A malloc'd reason in QEMU's words, or NULL when the boot failed for another
 * reason (or did not fail). */
char *accel_boot_failure(const char *qemu_stderr, int qemu_status, bool reached_init);
/* A KVM boot failed with REASON: the host's verdict becomes "unusable" with it. */
void accel_record_failure(const char *reason);

#endif
