/* One side of a bench: an appliance (or libguestfs with one) booted over and over, with its
 * kernel command line, root overlay, samples and the reasons its failed boots failed. */
#ifndef LEANBOOT_VARIANT_H
#define LEANBOOT_VARIANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/initcall.h"
#include "stages.h"
#include "../common/machine.h"
#include "../common/stats.h"

/* The root overlay's tail, past the root file system, where the init writes the kernel log. */
#define DATA_TAIL_BYTES (16 << 20)
/* The ring buffer must hold the whole initcall_debug log, but a buffer larger than the
 * kernel's static one is allocated and zeroed at boot, with its record descriptors: a cost
 * inside the measured boot (8 MiB: +181 ms, +19%, on the cut-down kernel under TCG).  Warm-up
 * boots run with 1 MiB, which holds a stock Debian kernel's log (about 120 KB) many times over;
 * the timed boots then get twice the largest log a warm-up returned, rounded up to a power of
 * two.  A size the kernel's own buffer already has (128 KiB by default) costs nothing: the
 * kernel keeps its static buffer, and that is what the cut-down kernel's ~60 KB log gets. */
#define LOG_BUF_WARMUP (1u << 20)
#define LOG_BUF_MIN (64u << 10)

struct sample {
        double st[N_STAGES]; /* ms; NAN when this boot could not tell */
        struct initcall_log ic;
};

struct failure_reason {
        char *text;
        size_t count;
};

struct variant {
        const char *name, *appliance;
        enum machine machine;   /* what its boots run on (resolved from --machine and its kernel) */
        bool peer;              /* measured through libguestfs: launch + shutdown */
        const char *guestfs_path; /* NULL: libguestfs's own appliance */
        char *append, *cmdline, *kernel;
        bool collect;          /* the init copies the kernel log into the overlay's tail */
        unsigned log_buf_len;  /* the ring buffer asked for (log_buf_len=) */
        size_t log_bytes_max;  /* the largest kernel log that came back */
        int run_no;            /* the timed run being booted, 1-based; 0 for a warm-up */
        uint64_t root_size;    /* where that tail starts */
        char *overlay_dir, *overlay_template, *overlay; /* qcow2 on the appliance's root, each boot's copy */
        struct sample *samples;
        size_t n, failed;
        size_t tried;          /* boots tried, warm-up included */
        struct failure_reason *reasons; /* the distinct reasons boots failed, with their counts */
        size_t n_reasons;
        bool warned_no_tsc;    /* said once: its init's markers carry no TSC (--clock insn) */
        struct summary sum[N_STAGES];
        bool has[N_STAGES];
};

/* A variant whose first boots all failed will not get better: the bench stops there instead
 * of failing every remaining boot (each may wait for the timeout). */
#define HOPELESS_AFTER 3

/* A variant booting appliance DIR with APPEND; initcalls: collect the kernel log.  0, or
 * -errno with the error logged. */
int variant_setup(struct variant *v, const char *name, const char *dir, const char *append, bool initcalls,
                  enum machine machine);
/* --peer libguestfs: A is libguestfs with its own appliance, B with APPLIANCE (a fixed one). */
int variant_setup_peer(struct variant v[2], const char *appliance);
void variant_free(struct variant *v);
/* The kernel log the init left in the boot's overlay, parsed (and kept in logs_dir if set). */
int variant_read_log(struct variant *v, const char *logs_dir, struct initcall_log *ret);
/* After the warm-up: the timed boots' ring buffer, from the largest log the warm-up returned. */
void variant_size_log_buffer(struct variant *v);
/* Count a failed boot under its reason (taking why); true when the reason is new. */
bool variant_note_failure(struct variant *v, char *why);
/* Did KVM end this variant's failed boots (so that --accel tcg is the advice)? */
bool variant_accel_suspect(const struct variant *v);
/* Every boot tried so far failed, and HOPELESS_AFTER were tried. */
bool variant_hopeless(const struct variant *v);

#endif
