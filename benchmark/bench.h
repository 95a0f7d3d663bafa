#ifndef LEANBOOT_BENCH_H
#define LEANBOOT_BENCH_H

#include <stdbool.h>

#include "accel.h"

int cmd_bench(int argc, char **argv);

struct bench_request {
        const char *a, *b;            /* appliance directories (b may be NULL: B is A + append_b) */
        const char *append_a, *append_b;
        int runs, warmup, timeout_s, memory_mb;
        const char *json, *html;
        const char *logs_dir;         /* keep each timed boot's kernel log here (NAME-RUN.log) */
        bool initcalls;               /* collect initcall_debug records */
        bool collection_cost;         /* A without collection, B = A with it: the bench's own cost */
        const char *peer;             /* "libguestfs": A is libguestfs's own appliance, B is a (leanboot) one */
        enum accel accel;             /* --accel: auto (default), kvm or tcg */
        enum guest_clock clock;       /* --clock: wall (default) or insn */
        enum machine machine;         /* --machine: auto (default), pc or microvm */
        enum machine machine_b;       /* --machine-b: B's, when not A's (auto: as --machine) */
        double min_effect;            /* --min-effect: percent of A below which a difference does not count */
        double fail_if_slower;        /* --fail-if-slower: percent; < 0 when there is no gate */
        int gate_stage;               /* --stage: the stage the gate looks at (enum stage) */
        bool record;                  /* --record: append to the boot-time history */
        const char *record_db;        /*   in this database (NULL: the default one) */
        const char *label;            /* --label: what the recorded bench is called */
};
/* Run a bench and write its outputs; returns 0, 1 when every boot of a variant failed, 2 for
 * bad input, or EXIT_GATE.  Used by `bench` and `demo`. */
int bench_run(const struct bench_request *req);

#endif
