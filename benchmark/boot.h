/* One boot of an appliance under QEMU, observed from the host.
 * Used by `leanboot run` (one boot, output streamed) and `leanboot bench` (many, timed). */
#ifndef LEANBOOT_BOOT_H
#define LEANBOOT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };


struct boot_config {
        const char *appliance;  /* directory made by `leanboot build` */
        const char *cmdline;    /* the whole kernel command line */
        enum accel accel;       /* resolved: ACCEL_KVM or ACCEL_TCG */
        int memory_mb, smp;
        char **disks;           /* extra disks (virtio-blk, after the root) */
        const char *root_overlay; /* a qcow2 overlay to boot as the root, or NULL: the root with snapshot=on */
        int timeout_s;          /* 0: none */
        bool interactive;       /* give QEMU our stdin (a shell in the guest) */
        bool show_console;      /* echo everything the guest prints (debug) */
        bool stream_payload;    /* write the payload's output to stdout as it comes */
};

struct stage_mark {
        char *name;
        uint64_t host_us;  /* CLOCK_MONOTONIC, relative to QEMU's exec */
        uint64_t guest_us; /* guest CLOCK_BOOTTIME */
};

struct boot_result {
        int exit_status;         /* the payload's, from the exit marker; -1 when none came */
        int qemu_status;         /* QEMU's own exit status */
        bool timed_out;
        char *panic_line;        /* "Kernel panic - not syncing: ..." or NULL */
        char *qemu_stderr;
        char *console_tail;      /* the last lines the guest printed */
        struct stage_mark *marks;
        size_t n_marks;
        uint64_t host_first_output_us, host_exit_us;
};

/* kvm when /dev/kvm opens read-write, else tcg; prints a one-line notice for tcg when asked. */
enum accel accel_resolve(enum accel want, bool notice);
const char *accel_name(enum accel a);
/* The host's TSC rate in kHz (constant-TSC x86 hosts), which is the guest's under TCG; else 0.
 * Boots under TCG pass it as tsc_early_khz=. */
unsigned host_tsc_khz(void);

/* Boot once; returns 0 when QEMU ran (whatever the guest did), -errno when it could not. */
int boot_appliance(const struct boot_config *c, struct boot_result *ret);
void boot_result_free(struct boot_result *r);
/* The name of the last stage marker seen, or "firmware/kernel" when none. */
const char *boot_last_stage(const struct boot_result *r);

#endif
