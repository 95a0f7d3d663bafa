/* One boot of an appliance under QEMU, observed from the host.
 * Used by `leanboot run` (one boot, output streamed) and `leanboot bench` (many, timed). */
#ifndef LEANBOOT_BOOT_H
#define LEANBOOT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"

/* At most this many bytes are added to a command line by the boot itself (tsc_early_khz=, the
 * payload's port, reboot=t, the boot's nonce): callers keep their command lines
 * boot_cmdline_reserved() under the kernel's limit. */
#define BOOT_CMDLINE_RESERVED 128
/* On microvm QEMU adds "virtio_mmio.device=512@0xfeb00e00:12 " for each disk, at most this. */
#define BOOT_CMDLINE_PER_MMIO_DISK 48

/* Extra disks a microvm boot takes: QEMU gives its virtio-mmio transports interrupts 12
 * downwards from the root's, and the fifth device would share the RTC's (8). */
#define MICROVM_MAX_DISKS 3

/* What a boot on MACHINE with DISKS disks besides the root adds to its command line, at most. */
size_t boot_cmdline_reserved(enum machine machine, size_t disks);

struct boot_config {
        const char *appliance;  /* directory made by `leanboot build` */
        const char *cmdline;    /* the whole kernel command line */
        /* Resolved (KVM or TCG).  When auto chose KVM and KVM kills a boot before the init's
         * first marker, the boot is run again under TCG and *accel says so from then on. */
        struct accel_choice *accel;
        enum machine machine;   /* MACHINE_PC or MACHINE_MICROVM (resolved) */
        int memory_mb, smp;
        char **disks;           /* extra disks (virtio-blk, after the root) */
        const char *root_overlay; /* a qcow2 overlay to boot as the root, or NULL: the root with snapshot=on */
        int timeout_s;          /* 0: none */
        bool interactive;       /* give QEMU our stdin (a shell in the guest) */
        bool show_console;      /* echo the guest's console (kernel log, markers) to stderr (debug) */
        bool stream_payload;    /* write the payload's output (its own serial port) to stdout */
};

struct stage_mark {
        char *name;
        uint64_t host_us;  /* CLOCK_MONOTONIC, relative to QEMU's exec */
        uint64_t guest_us; /* guest CLOCK_BOOTTIME */
        uint64_t tsc;      /* the guest's TSC (ns of instruction-time under the instruction clock); 0: not said */
};

struct boot_result {
        int exit_status;         /* the payload's, from the exit marker; -1 when none came */
        int qemu_status;         /* QEMU's own exit status */
        bool timed_out;
        char *panic_line;        /* "Kernel panic - not syncing: ..." or NULL */
        char *qemu_stderr;
        char *console_tail;      /* the last lines the guest printed on its console */
        char *accel_failure;     /* KVM ended this boot (QEMU's words), or NULL */
        struct stage_mark *marks;
        size_t n_marks;
        uint64_t host_first_output_us, host_exit_us;
};

/* The host's TSC rate in kHz (constant-TSC x86 hosts), which is the guest's under TCG; else 0.
 * Boots under TCG pass it as tsc_early_khz=. */
unsigned host_tsc_khz(void);

/* Do boots on CLOCK read the root through io_uring (see boot.c)?  Said in reports, since it
 * changes what the instruction clock counts. */
bool boot_root_reads_io_uring(enum guest_clock clock);

/* Boot once; returns 0 when QEMU ran (whatever the guest did), -errno when it could not. */
int boot_appliance(const struct boot_config *c, struct boot_result *ret);
void boot_result_free(struct boot_result *r);
/* The name of the last stage marker seen, or "firmware/kernel" when none. */
const char *boot_last_stage(const struct boot_result *r);

#endif
