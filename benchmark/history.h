/* The boot-time history: every recorded bench in one SQLite database, so that a stage's figure
 * can be followed from one change to the next (the libguestfs work's "progress graph").
 *
 * Schema (version HISTORY_SCHEMA_VERSION, in meta.schema_version):
 *   bench(id, recorded_at, label, host, cpu, qemu, accel, clock, runs, leanboot_version)
 *   variant(bench_id, name, appliance, machine, manifest_hash, inputs_hash, kernel, kernel_config_hash,
 *           cmdline, boots, failed)
 *   stage(bench_id, variant, stage, unit, n, median, mean, sd, min, max, spread_pct)
 *   comparison(bench_id, stage, ratio, diff, ci_lo, ci_hi, p_value, effect_pct, verdict)
 * A bench is written in one IMMEDIATE transaction; a second writer waits for the first (busy
 * timeout) instead of failing or interleaving, and a reader sees whole benches only. */
#ifndef LEANBOOT_HISTORY_H
#define LEANBOOT_HISTORY_H

#include "report.h"

#define HISTORY_SCHEMA_VERSION 1

/* DB, or $XDG_DATA_HOME/leanboot/history.db (~/.local/share/...) when NULL: malloc'd. */
char *history_default_path(const char *db);
/* Can DB (NULL: the default) be opened for writing, its schema created or understood?  0, or
 * -errno with the reason logged (before a bench spends its boots). */
int history_check_writable(const char *db);
/* Append the bench in rp under LABEL (may be NULL).  0, or -errno with the reason logged. */
int history_record(const char *db, const char *label, const struct report *rp);

int cmd_history(int argc, char **argv);

#endif
