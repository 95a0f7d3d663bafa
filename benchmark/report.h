/* A bench's results (report.c) and their three forms: the terminal's (report-text.c), JSON
 * (report-json.c) and HTML (report-html.c).  Computing prints nothing; writing computes nothing. */
#ifndef LEANBOOT_REPORT_H
#define LEANBOOT_REPORT_H

#include <stdio.h>

#include "accel.h"
#include "bench.h"
#include "variant.h"
#include "../common/kstage.h"

/* The JSON reports' schemas (README "JSON"): a tool reading one checks the version it knows.
 * 2: every key with a unit says it (_ms, _us, _pct), module initcalls apart, schema_version. */
#define BENCH_JSON_SCHEMA_VERSION 2
#define ANALYZE_JSON_SCHEMA_VERSION 2

/* What happened to an initcall from A to B.  Slower or faster only when the boots say so (the
 * bench's own test: p < STATS_ALPHA and a difference that matters, --min-effect); a difference
 * within the noise is IC_SAME, however it reads in the medians. */
enum ic_change { IC_SAME, IC_SLOWER, IC_FASTER, IC_DROPPED, IC_ADDED };
extern const char *const ic_change_names[]; /* "", "slower", "faster", "dropped", "added" */

/* Per-initcall medians, keyed by (name, module, occurrence). */
struct ic_key {
        const char *name, *module;
        unsigned occ;
        double med_a, med_b; /* ms; NAN when absent */
        enum ic_change change;
};

struct report {
        const struct bench_request *q;
        const struct accel_choice *accel;
        char *qemu, *cpu;
        struct variant *v;
        size_t nv;
        struct comparison cmp[N_STAGES];
        char *verdict[N_STAGES];
        struct ic_key *keys;
        size_t nkeys;
};

/* Fill rp (whose q, accel, v and nv are set) from its variants' samples: the host's QEMU and
 * CPU, each variant's summaries and, with two, the comparison per stage and per initcall. */
void report_compute(struct report *rp);
void report_done(struct report *rp);

void report_print(const struct report *rp);
int report_write_json(const struct report *rp, const char *path);
int report_write_html(const struct report *rp, const char *path);
/* leanboot analyze --json: {"initcalls": {"count", "total"}, "list": [{"name", "module", "usecs", "start"}]}. */
int report_write_initcalls_json(const struct initcall_log *l, const struct kstage *k, const char *path);

/* Shared by the forms, and by the history's JSON (history-cmd.c). */
struct json_object;
/* A number rounded to 3 decimals, or JSON null for NaN (a stage a boot could not tell). */
struct json_object *json_num_or_null(double v);
/* O, pretty-printed, written atomically to PATH; O is freed.  0 or -errno. */
int json_write_file(struct json_object *o, const char *path);
/* The machine the bench's boots ran on: "pc", "microvm", or "pc, microvm" when A and B differ. */
const char *report_machines(const struct report *rp);
bool report_has_stage(const struct report *rp, int s);
const struct sample *variant_median_sample(const struct variant *v);
double variant_initcall_median(const struct variant *v, const char *name, const char *module, unsigned occ);
void initcall_keys_collect(const struct variant *v, struct ic_key **keys, size_t *n);
int initcall_key_by_a(const void *x, const void *y);

#endif
