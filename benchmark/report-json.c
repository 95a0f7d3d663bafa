/* A bench's results as JSON (README "Measuring", **JSON**: keys that tools and tests rely on). */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "report.h"
#include "../common/fileio.h"

json_object *json_num_or_null(double v)
{
        return isnan(v) ? NULL : json_object_new_double(round(v * 1000) / 1000);
}

static json_object *summary_json(const struct summary *s)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "median_ms", json_num_or_null(s->median));
        json_object_object_add(o, "mean_ms", json_num_or_null(s->mean));
        json_object_object_add(o, "sd_ms", json_num_or_null(s->sd));
        json_object_object_add(o, "min_ms", json_num_or_null(s->min));
        json_object_object_add(o, "max_ms", json_num_or_null(s->max));
        json_object_object_add(o, "spread_pct", json_num_or_null(s->spread));
        return o;
}

static json_object *json_host(const struct report *rp)
{
        json_object *h = json_object_new_object();
        json_object_object_add(h, "accel", json_object_new_string(accel_name(rp->accel->accel)));
        json_object_object_add(h, "accel_reason", json_object_new_string(rp->accel->reason));
        json_object_object_add(h, "clock", json_object_new_string(guest_clock_name(rp->accel->clock)));
        json_object_object_add(h, "machine", json_object_new_string(report_machines(rp)));
        json_object_object_add(h, "root_reads", json_object_new_string(boot_root_reads_io_uring(rp->accel->clock) ? "io_uring" : "threads"));
        json_object_object_add(h, "clock_unit", json_object_new_string(rp->accel->clock == GUEST_CLOCK_INSN ? "ms of " INSN_CLOCK_NOTE : "ms"));
        json_object_object_add(h, "qemu", json_object_new_string(rp->qemu));
        json_object_object_add(h, "cpu", json_object_new_string(rp->cpu));
        json_object_object_add(h, "smp", json_object_new_int(1));
        json_object_object_add(h, "memory_mb", json_object_new_int(rp->q->memory_mb));
        return h;
}

static json_object *json_failures(const struct variant *v)
{
        json_object *fl = json_object_new_array();
        for (size_t k = 0; k < v->n_reasons; k++) {
                json_object *e = json_object_new_object();
                json_object_object_add(e, "reason", json_object_new_string(v->reasons[k].text));
                json_object_object_add(e, "count", json_object_new_int((int)v->reasons[k].count));
                json_object_array_add(fl, e);
        }
        return fl;
}

/* Initcalls: count (median over boots) and the slowest by median. */
static json_object *json_initcalls(const struct variant *v)
{
        json_object *ic = json_object_new_object(), *top = json_object_new_array();
        double *counts = calloc(v->n + 1, sizeof *counts);
        for (size_t k = 0; counts && k < v->n; k++)
                counts[k] = (double)v->samples[k].ic.n;
        struct summary cs = { 0 };
        if (counts && v->n)
                summarize(counts, v->n, &cs);
        free(counts);
        json_object_object_add(ic, "count", json_object_new_int((int)cs.median));
        struct ic_key *keys = NULL;
        size_t nk = 0;
        initcall_keys_collect(v, &keys, &nk);
        for (size_t k = 0; k < nk; k++)
                keys[k].med_a = variant_initcall_median(v, keys[k].name, keys[k].module, keys[k].occ);
        if (nk > 1) /* qsort's array may not be NULL, even empty */
                qsort(keys, nk, sizeof *keys, initcall_key_by_a);
        for (size_t k = 0; k < nk && k < 20; k++) {
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(keys[k].name));
                json_object_object_add(e, "module", json_object_new_string(keys[k].module));
                json_object_object_add(e, "median_ms", json_num_or_null(keys[k].med_a));
                json_object_array_add(top, e);
        }
        free(keys);
        json_object_object_add(ic, "top", top);
        return ic;
}

static json_object *json_variant(const struct variant *v)
{
        json_object *j = json_object_new_object(), *st = json_object_new_object();
        json_object_object_add(j, "name", json_object_new_string(v->name));
        json_object_object_add(j, "appliance", json_object_new_string(v->appliance));
        json_object_object_add(j, "machine", json_object_new_string(machine_name(v->machine)));
        json_object_object_add(j, "kernel", json_object_new_string(v->kernel));
        json_object_object_add(j, "append", json_object_new_string(v->append ? v->append : ""));
        json_object_object_add(j, "runs", json_object_new_int((int)v->n));
        json_object_object_add(j, "failed", json_object_new_int((int)v->failed));
        json_object_object_add(j, "failures", json_failures(v));
        for (int s = 0; s < N_STAGES; s++)
                if (v->has[s])
                        json_object_object_add(st, stage_names[s], summary_json(&v->sum[s]));
        json_object_object_add(j, "stages", st);
        json_object_object_add(j, "initcalls", json_initcalls(v));
        json_object *samples = json_object_new_array();
        for (size_t k = 0; k < v->n; k++) {
                json_object *e = json_object_new_object();
                for (int s = 0; s < N_STAGES; s++)
                        if (v->has[s])
                                json_object_object_add(e, stage_names[s], json_num_or_null(v->samples[k].st[s]));
                json_object_array_add(samples, e);
        }
        json_object_object_add(j, "samples_ms", samples);
        return j;
}

static json_object *json_comparison(const struct report *rp)
{
        json_object *c = json_object_new_object();
        for (int s = 0; s < N_STAGES; s++) {
                if (!rp->verdict[s])
                        continue;
                const struct comparison *m = &rp->cmp[s];
                json_object *e = json_object_new_object(), *ci = json_object_new_array();
                json_object_object_add(e, "ratio", json_num_or_null(m->ratio));
                json_object_object_add(e, "diff_ms", json_num_or_null(m->diff));
                json_object_array_add(ci, json_num_or_null(m->ci_lo));
                json_object_array_add(ci, json_num_or_null(m->ci_hi));
                json_object_object_add(e, "ci99_ms", ci);
                json_object_object_add(e, "effect_pct", json_num_or_null(m->effect_pct));
                json_object_object_add(e, "matters", json_object_new_boolean(comparison_matters(m, rp->q->min_effect)));
                json_object_object_add(e, "p_value", isnan(m->p_value) ? NULL : json_object_new_double(m->p_value));
                json_object_object_add(e, "verdict", json_object_new_string(rp->verdict[s]));
                json_object_object_add(c, stage_names[s], e);
        }
        json_object *d = json_object_new_array();
        for (size_t k = 0; k < rp->nkeys; k++) {
                const struct ic_key *key = &rp->keys[k];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(key->name));
                json_object_object_add(e, "module", json_object_new_string(key->module));
                json_object_object_add(e, "a_ms", json_num_or_null(key->med_a));
                json_object_object_add(e, "b_ms", json_num_or_null(key->med_b));
                json_object_object_add(e, "diff_ms", json_num_or_null((isnan(key->med_b) ? 0 : key->med_b) -
                                                                 (isnan(key->med_a) ? 0 : key->med_a)));
                json_object_object_add(e, "change", json_object_new_string(key->change == IC_SAME ? "none" : ic_change_names[key->change]));
                json_object_array_add(d, e);
        }
        json_object_object_add(c, "initcall_diff", d);
        return c;
}

int json_write_file(json_object *o, const char *path)
{
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        json_object_put(o);
        return r;
}

int report_write_json(const struct report *rp, const char *path)
{
        json_object *o = json_object_new_object(), *vs = json_object_new_array();
        json_object_object_add(o, "schema_version", json_object_new_int(BENCH_JSON_SCHEMA_VERSION));
        json_object_object_add(o, "host", json_host(rp));
        for (size_t i = 0; i < rp->nv; i++)
                json_object_array_add(vs, json_variant(&rp->v[i]));
        json_object_object_add(o, "variants", vs);
        if (rp->nv == 2)
                json_object_object_add(o, "comparison", json_comparison(rp));
        return json_write_file(o, path);
}

/* leanboot analyze --json: one kernel log's initcalls (README "Measuring", **JSON**). */
int report_write_initcalls_json(const struct initcall_log *l, const struct kstage *k, const char *path)
{
        json_object *o = json_object_new_object(), *ic = json_object_new_object(), *list = json_object_new_array();
        json_object_object_add(o, "schema_version", json_object_new_int(ANALYZE_JSON_SCHEMA_VERSION));
        json_object_object_add(ic, "count", json_object_new_int64((int64_t)l->n));
        json_object_object_add(ic, "total_us", json_object_new_int64(initcall_total_us(l)));
        size_t nb = 0, nm = 0;
        json_object_object_add(ic, "boot_us", json_object_new_int64(initcall_part_us(l, INITCALLS_BOOT, &nb)));
        json_object_object_add(ic, "boot_count", json_object_new_int64((int64_t)nb));
        json_object_object_add(ic, "module_us", json_object_new_int64(initcall_part_us(l, INITCALLS_MODULES, &nm)));
        json_object_object_add(ic, "module_count", json_object_new_int64((int64_t)nm));
        json_object_object_add(o, "initcalls", ic);
        for (size_t i = 0; i < l->n; i++) {
                const struct initcall *c = &l->calls[i];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(c->name));
                json_object_object_add(e, "module", json_object_new_string(c->module));
                json_object_object_add(e, "duration_us", json_object_new_int64(c->usecs));
                json_object_object_add(e, "start_us", c->start_us >= 0 ? json_object_new_double(c->start_us) : NULL);
                json_object_array_add(list, e);
        }
        json_object_object_add(o, "list", list);
        if (k->end_us >= 0)
                json_object_object_add(o, "kernel_stage", kstage_to_json(k, KSTAGE_US));
        return json_write_file(o, path);
}
