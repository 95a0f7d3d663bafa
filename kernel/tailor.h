/* leanboot kernel tailor: find the kernel config a payload needs, by measuring (tailor.c).
 *
 * The loop: build the starting kernel, boot it with the user's appliance and payload, map each
 * initcall to the Kconfig option that builds it (kmap.h), propose cuts by measured cost, let the
 * kernel's own kconfig resolve each (ktree.h), build the candidate in a kept tree, boot it, keep
 * the cuts when the payload passes and the kernel is faster, bisect a failing batch down to the
 * options it needs; report with a fragment of what was cut.  Every step is saved in a state file
 * (tailor-state.c), so an interrupted tailor resumes; the reports are tailor-report.c's. */
#ifndef LEANBOOT_TAILOR_H
#define LEANBOOT_TAILOR_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/kstage.h"

int kernel_tailor(int argc, char **argv);

enum cut_status { CUT_QUEUED, CUT_DROPPED, CUT_KEPT };

/* One option the map says costs initcall time. */
struct cut {
        char *option;       /* "CONFIG_X" */
        char *alt;          /* a choice member turned on in its place ("CONFIG_SLAB"), or NULL */
        char *shown_by;     /* what is turned on to show its prompt ("CONFIG_EXPERT", for VT's
                             * "if EXPERT"): without it, kconfig keeps it at its default; or NULL */
        char **with;        /* options cut together with it, a strv ("CONFIG_X"), or NULL: what
                             * keeps an option on, when no one of them alone takes it off */
        long long cost_us;  /* initcall time mapped to it: by the map that proposed it, or that last
                             * weighed it again (a verdict of kconfig's or the machine's) */
        int initcalls;      /* how many initcalls that is */
        char **also_off;    /* what kconfig turned off with it (its dependents), a strv */
        enum cut_status status;
        char *why;          /* kept: why; dropped: NULL */
        int build;          /* the build that decided it (0: decided without one) */
        char *origin;       /* why it was proposed, when not for initcalls of its own: "selects
                             * CRYPTO_JITTERENTROPY", or a cost that moved; NULL: the map's */
};

/* What a kernel measured: medians over the bench's boots (µs; instruction-time with insn). */
struct measure {
        long long initcalls_us, kernel_us, total_us;
        long long image_size;
        int options;        /* options enabled in its .config */
        bool valid;
};

/* One candidate built and booted. */
struct trial {
        int build;
        char **dropped;     /* the cuts tried on top of the best so far */
        char *result;       /* "faster", "not faster", "payload failed", "build failed" */
        struct measure m;
        double build_seconds;
        long long objects, ccache_hits, ccache_misses;
        char *config_hash;  /* SHA-256 of the resolved .config it built, or NULL */
};

struct tailor_state {
        char *from, *check, *payload, *machine, *clock; /* the question, as asked */
        char *check_host;   /* --check-host CMD, or NULL */
        char *run_key;      /* the question's hash (the run directory's name), NULL in a state
                             * saved before it was kept */
        struct measure start, best;
        int best_build;     /* the build whose kernel is the best so far */
        struct cut *cuts;
        size_t ncuts;
        int **stack;        /* groups still to try: cut indexes, -1 ended; the last is next */
        size_t nstack;
        struct trial *trials;
        size_t ntrials;
        int builds;
        double seconds;     /* spent in earlier sessions of this tailor */
        bool mapped;        /* the start is measured and its cuts proposed */
        int rounds;         /* maps made: the start's, then the best kernel's after each round */
        double host_check_seconds; /* how long the host check took on the start (0: none, or not known) */
        int dropped_at_map; /* cuts dropped when the last map was made: a round that drops more
                             * earns another map (costs shift: 0.2% of a smaller total is less) */
        bool done;
};

int tailor_state_load(const char *path, struct tailor_state *ret);
int tailor_state_save(const char *path, const struct tailor_state *s);
void tailor_state_free(struct tailor_state *s);
/* What one cut owns (its strings), freed. */
void tailor_cut_free(struct cut *c);
/* Push a group (N indexes) on the stack. */
int tailor_push_group(struct tailor_state *s, const int *idx, size_t n);
size_t tailor_group_len(const int *g);

/* The fragment: one "# CONFIG_X is not set" per dropped option, after a comment with its saving. */
int tailor_write_fragment(const struct tailor_state *s, const char *path);
/* The start's and the final kernel's kernel stage outside the initcalls, each from a map's boot
 * of it (common/kstage.h: end_us -1 where that log is gone).  The tailor weighs initcalls only;
 * this says what is left around them (a timer calibration, DEBUG_WX). */
struct tailor_stages {
        struct kstage start, final;
};
#define TAILOR_STRETCHES 3
/* Terminal summary on stdout; JSON and HTML reports when their paths are set. */
void tailor_print_report(const struct tailor_state *s, const struct tailor_stages *k, double seconds);
int tailor_write_json(const struct tailor_state *s, const struct tailor_stages *k, double seconds, const char *path);
int tailor_write_html(const struct tailor_state *s, const struct tailor_stages *k, double seconds, const char *path);

#endif
