/* What the tailor's parts share (tailor.c: the loop and the command; tailor-boot.c: booting and
 * benching a candidate; tailor-propose.c: the map and the rules that propose cuts): its options,
 * its working context, and the calls one part makes into another.  Private to the tailor. */
#ifndef LEANBOOT_TAILOR_CTX_H
#define LEANBOOT_TAILOR_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include "ktree.h"
#include "tailor.h"
#include "../common/extfs.h"
#include "../common/initcall.h"
#include "../common/initrd-format.h"
#include "../common/kconfig.h"
#include "../common/machine.h"

struct tailor_opts {
        const char *from;      /* --from base|defconfig|CONFIG */
        char **fragments;      /* --fragment F: added to the start */
        char *check;           /* --check APPLIANCE[:'PAYLOAD']: the appliance ... */
        char *payload;         /* ... and the payload, or NULL: the appliance's own */
        const char *check_host; /* --check-host CMD: run on the host against each candidate */
        const char *output;    /* -o FRAGMENT */
        const char *json, *html;
        const char *state;     /* --state FILE */
        const char *source;    /* --source */
        const char *wrapper;   /* --cc WRAPPER (distcc, icecc) */
        bool ccache;           /* not --no-ccache */
        bool fresh;            /* --fresh: forget an earlier state */
        char **keep;           /* --keep OPTION */
        int budget_builds;     /* --budget N (builds, the start's included) */
        int budget_minutes;    /* --budget Nm */
        int runs, jobs, timeout_s;
        bool timeout_given;    /* --timeout: also the host check's limit (else one from the start's) */
        long long min_cost_us; /* --min-cost USEC (default: 0.2% of the start's initcall time) */
        double min_effect_pct; /* --min-effect PCT: a smaller saving does not count */
        enum guest_clock_arg { CLOCK_INSN, CLOCK_WALL } clock;
        enum machine machine;
};

/* Where one tailor keeps its work: the tree (shared by every tailor from the same start) and
 * this tailor's own directory (state, candidates). */
struct tailor_ctx {
        const struct tailor_opts *o;
        struct ktree tree;
        char *src;
        char *rundir;
        char *state_path;
        char *start_config;
        char *guestfs_settings; /* LIBGUESTFS_BACKEND_SETTINGS for the host check ("" none), or NULL: not asked yet */
        struct extfs_info root_fs; /* the appliance's root, which every candidate must mount ... */
        bool root_known;           /* ... when it is an ext2/3/4 image */
        struct initrd_format initrd; /* the appliance's initrd, which every candidate must unpack ... */
        bool initrd_known;           /* ... when its format is one the kernel knows */
        struct tailor_state s;
        double t0;
};

/* ---- tailor-boot.c: a candidate's appliance, its checks and its bench -------------------------- */

/* "insn" or "wall": the clock of every boot. */
const char *tailor_clock_name(const struct tailor_opts *o);
/* rundir/kN/WHAT: the Nth build's kernel, config, appliance, logs (malloc'd, NULL on ENOMEM). */
char *tailor_build_path(const struct tailor_ctx *x, int build, const char *what);
/* Build BUILD's appliance: its kernel in the checked appliance's initrd and root (build --like). */
int tailor_make_appliance(const struct tailor_ctx *x, int build);
/* Remove BUILD's appliance, once nothing boots it again; its kernel, config and logs stay. */
void tailor_drop_appliance(const struct tailor_ctx *x, int build);
/* The payload in the guest, then the host check where there is one: the exit status (0 when
 * both pass); *RET_WHAT says which failed. */
int tailor_run_checks(struct tailor_ctx *x, int build, const char **ret_what);
/* --min-effect of INITCALLS_US: the least saving a candidate must measure to count. */
double tailor_min_effect_us(const struct tailor_ctx *x, long long initcalls_us);
/* Bench build A against build B (0: A alone): see tailor-boot.c. */
int tailor_bench(const struct tailor_ctx *x, int a, int b, const char *logs, struct measure *ma, struct measure *mb,
                 bool *ret_faster, long long grow_us, struct initcall_log *ret_grown);

/* Boot build BUILD with ftrace's events in its log (bgwork.h), keeping the kernel logs in DIR
 * (A-01.log) and what the bench said in DIR/bench.txt: boots read for what ran when, not timed.
 * 0, -EIO when the bench failed, or -errno; logs nothing. */
int tailor_trace_background(const struct tailor_ctx *x, int build, const char *dir);

/* ---- tailor-propose.c: the map, the rules that propose cuts, and kconfig's verdicts ----------- */

bool tailor_is_on(const struct kconfig *c, const char *name);
/* What the kernel's kconfig makes of the start with CHANGES: written to OUT, loaded into *RET. */
int tailor_resolve_changes(struct tailor_ctx *x, char *const *changes, const char *out, struct kconfig *ret);
/* The kconfig changes of one cut (it, what goes with it, its prompt's and its choice's). */
int tailor_push_cut(const struct cut *c, char ***changes);
/* The changes that make the best kernel from the start. */
int tailor_best_changes(const struct tailor_state *s, char ***ret);
/* How many cuts are dropped so far. */
int tailor_dropped_count(const struct tailor_state *s);
/* Was C kept without a build (kconfig, the machine, the guest, too small to measure), not by
 * --keep? */
bool tailor_decided_without_build(const struct tailor_ctx *x, const struct cut *c);
/* --min-cost, or its default share of TOTAL (the best kernel's initcall time). */
long long tailor_min_cost_us(const struct tailor_ctx *x, long long total);
/* Map the boots in LOGS (the best kernel's, WHAT names it) to options, and queue the cuts worth a
 * build, every rule's, as the next round's groups. */
int tailor_map_and_propose(struct tailor_ctx *x, const char *logs, const char *what);
/* A resumed run's queued cuts, weighed again by this leanboot's rules. */
int tailor_weigh_queued_again(struct tailor_ctx *x);
/* The cuts that take the cost a candidate moved to other initcalls (GROWN): *RET_NEW. */
int tailor_propose_moved(struct tailor_ctx *x, const int *g, const struct initcall_log *grown, int build, int **ret_new);

#endif
