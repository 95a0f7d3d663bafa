/* The tailor's outputs: the fragment (what was cut, each with its saving), and the report of the
 * start and final kernels side by side, per option, per build (terminal, JSON, HTML). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "tailor.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/markup.h"
#include "../common/strv.h"

static const char *unit(const struct tailor_state *s)
{
        return s->clock && streq(s->clock, "insn") ? "insn-ms" : "ms";
}

/* The measured saving of the build that dropped C: the best before it minus that build's. */
static long long build_saving_us(const struct tailor_state *s, int build, long long *ret_before)
{
        long long before = s->start.initcalls_us;
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                if (t->build == build) {
                        if (ret_before)
                                *ret_before = before;
                        return before - t->m.initcalls_us;
                }
                if (t->result && (streq(t->result, "faster") || streq(t->result, "start")))
                        before = t->m.initcalls_us;
        }
        return 0;
}

/* Whether OPTION has its own line in the fragment, or one written before cut I's. */
static bool is_cut_or_written(const struct tailor_state *s, size_t i, const char *option)
{
        for (size_t k = 0; k < s->ncuts; k++) {
                const struct cut *c = &s->cuts[k];
                if (c->status != CUT_DROPPED)
                        continue;
                if (streq(c->option, option) || (c->alt && streq(c->alt, option)) || (c->shown_by && streq(c->shown_by, option)))
                        return true;
                if (k < i && strv_contains(c->also_off, option))
                        return true;
        }
        return false;
}

/* Whether a dropped cut before cut I already turned OPTION on to show its prompt (the fragment
 * says CONFIG_EXPERT=y once). */
static bool shown_before(const struct tailor_state *s, size_t i, const char *option)
{
        for (size_t k = 0; k < i; k++)
                if (s->cuts[k].status == CUT_DROPPED && s->cuts[k].shown_by && streq(s->cuts[k].shown_by, option))
                        return true;
        return false;
}

/* S on one line (a comment in the fragment): line breaks become spaces.  Caller frees. */
static char *one_line(const char *s)
{
        char *c = strdup(s ? s : "");
        for (char *p = c; p && *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        return c;
}

static void fill_fragment(FILE *f, const void *data)
{
        const struct tailor_state *s = data;
        _cleanup_free_ char *payload = one_line(s->payload), *host = one_line(s->check_host);
        fprintf(f, "# Written by leanboot kernel tailor: the options the payload does not need, cut from the\n"
                   "# starting kernel (%s) by measuring (clock %s, machine %s).\n"
                   "# check: %s%s%s%s%s\n"
                   "# initcalls: %.3f -> %.3f %s (start -> final)%s\n"
                   "# Use it as a --fragment after what the tailor started from.\n",
                s->from, s->clock, s->machine, s->check, s->payload ? " payload: " : "", s->payload ? payload : "",
                s->check_host ? "; on the host: " : "", s->check_host ? host : "", (double)s->start.initcalls_us / 1000, (double)s->best.initcalls_us / 1000, unit(s),
                s->done ? "" : "\n# (not finished: its budget ran out; the tailor resumes from its state)");
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *c = &s->cuts[i];
                if (c->status != CUT_DROPPED)
                        continue;
                if (c->why) { /* it went with another cut */
                        fprintf(f, "\n# %s: %d initcall(s), %.3f %s in the kernel it was cut from; %s (build %d)\n", c->option,
                                c->initcalls, (double)c->cost_us / 1000, unit(s), c->why, c->build);
                } else {
                        fprintf(f, "\n# %s: %d initcall(s), %.3f %s in the kernel it was cut from; build %d dropped it "
                                   "(that build saved %.3f %s)%s%s%s%s\n",
                                c->option, c->initcalls, (double)c->cost_us / 1000, unit(s), c->build,
                                (double)build_saving_us(s, c->build, NULL) / 1000, unit(s), c->alt ? "; its choice takes " : "",
                                c->alt ? c->alt : "", c->shown_by ? "; its prompt shows with " : "", c->shown_by ? c->shown_by : "");
                }
                if (c->origin)
                        fprintf(f, "# (proposed as it %s)\n", c->origin);
                if (c->shown_by && !shown_before(s, i, c->shown_by))
                        fprintf(f, "%s=y\n", c->shown_by);
                if (c->alt)
                        fprintf(f, "%s=y\n", c->alt);
                fprintf(f, "# %s is not set\n", c->option);
                /* What was cut together with it (what kept an option on), where kconfig let it go. */
                bool said = false;
                for (char **o = c->with; o && *o; o++) {
                        if (!strv_contains(c->also_off, *o) || is_cut_or_written(s, i, *o))
                                continue;
                        if (!said)
                                fprintf(f, "# cut together with it:\n");
                        said = true;
                        fprintf(f, "# %s is not set\n", *o);
                }
                /* What kconfig turns off with it, said off too: a start fragment that asks for one
                 * of them (base.config asks for UNIX, which goes with NET) would otherwise fail
                 * kernel build's check of the merged fragments. */
                said = false;
                for (char **o = c->also_off; o && *o; o++) {
                        if (is_cut_or_written(s, i, *o) || strv_contains(c->with, *o))
                                continue;
                        if (!said)
                                fprintf(f, "# kconfig turns these off with it:\n");
                        said = true;
                        fprintf(f, "# %s is not set\n", *o);
                }
        }
}

int tailor_write_fragment(const struct tailor_state *s, const char *path)
{
        return write_stream_atomic(path, fill_fragment, s);
}

static size_t count_status(const struct tailor_state *s, enum cut_status st)
{
        size_t n = 0;
        for (size_t i = 0; i < s->ncuts; i++)
                n += s->cuts[i].status == st;
        return n;
}

static double pct(long long a, long long b)
{
        return a ? 100.0 * (double)(b - a) / (double)a : 0;
}

/* What is left of the kernel stage around the initcalls, and where the final kernel spends it. */
static void print_kernel_stages(const struct tailor_stages *k)
{
        if (k->start.end_us >= 0 && k->final.end_us >= 0)
                printf("kernel stage outside the initcalls: start %.3f of %.3f, final %.3f of %.3f (a map's boot of each)\n",
                       k->start.outside_us / 1000, k->start.end_us / 1000, k->final.outside_us / 1000, k->final.end_us / 1000);
        if (k->final.n)
                printf("the final kernel's longest stretches there, each between two log lines:\n");
        for (size_t i = 0; i < k->final.n; i++)
                printf("%10.3f  after  %.100s\n%10s  before %.100s\n", k->final.longest[i].usecs / 1000, k->final.longest[i].after, "",
                       k->final.longest[i].before);
}

void tailor_print_report(const struct tailor_state *s, const struct tailor_stages *k, double seconds)
{
        const char *u = unit(s);
        printf("\ntailor: from %s, clock %s, machine %s; %d build(s), %d map(s), %.0f s%s\n", s->from, s->clock, s->machine,
               s->builds, s->rounds, seconds, s->done ? "" : " (budget spent: not finished)");
        if (s->check_host)
                printf("host check: %s\n", s->check_host);
        printf("%-16s %14s %14s %9s\n", "", "start", "final", "change");
        printf("%-16s %14.3f %14.3f %8.1f%%\n", "initcalls", (double)s->start.initcalls_us / 1000,
               (double)s->best.initcalls_us / 1000, pct(s->start.initcalls_us, s->best.initcalls_us));
        printf("%-16s %14.3f %14.3f %8.1f%%\n", "kernel", (double)s->start.kernel_us / 1000, (double)s->best.kernel_us / 1000,
               pct(s->start.kernel_us, s->best.kernel_us));
        printf("%-16s %14.3f %14.3f %8.1f%%\n", "total", (double)s->start.total_us / 1000, (double)s->best.total_us / 1000,
               pct(s->start.total_us, s->best.total_us));
        printf("%-16s %14lld %14lld %8.1f%%\n", "image bytes", s->start.image_size, s->best.image_size,
               pct(s->start.image_size, s->best.image_size));
        printf("%-16s %14d %14d %9d\n", "options", s->start.options, s->best.options, s->best.options - s->start.options);
        printf("(times in %s, medians; build %d is the final kernel)\n", u, s->best_build);
        print_kernel_stages(k);
        printf("\n");
        printf("%-30s %10s  %-8s %s\n", "option", u, "status", "why / build");
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *c = &s->cuts[i];
                static const char *const names[] = { "untried", "dropped", "kept" };
                printf("%-30s %10.3f  %-8s ", c->option, (double)c->cost_us / 1000, names[c->status]);
                if (c->status == CUT_DROPPED)
                        printf("build %d%s%s%s%s%s%s\n", c->build, c->alt ? ", replaced by " : "", c->alt ? c->alt : "",
                               c->shown_by ? ", its prompt shown by " : "", c->shown_by ? c->shown_by : "", c->why ? ", " : "",
                               c->why ? c->why : "");
                else
                        printf("%s\n", c->why ? c->why : "");
                if (c->origin)
                        printf("%-30s %10s  %-8s (proposed as it %s)\n", "", "", "", c->origin);
        }
        printf("\n%-6s %-14s %10s %8s %8s %9s  %s\n", "build", "result", u, "build s", "objects", "ccache", "cuts tried");
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                _cleanup_free_ char *list = t->dropped ? strv_join(t->dropped, " ") : NULL;
                char hits[32] = "-";
                /* Only compiles count: with none, ccache's counters moved for kbuild's compiler probes. */
                if (t->objects > 0 && t->ccache_hits >= 0 && t->ccache_hits + t->ccache_misses > 0)
                        snprintf(hits, sizeof hits, "%.0f%%", 100.0 * (double)t->ccache_hits / (double)(t->ccache_hits + t->ccache_misses));
                char ic[32] = "-";
                if (t->m.valid)
                        snprintf(ic, sizeof ic, "%.3f", (double)t->m.initcalls_us / 1000);
                printf("%-6d %-14s %10s %8.0f %8lld %9s  %s\n", t->build, t->result ? t->result : "?", ic, t->build_seconds,
                       t->objects, hits, list ? list : "(the starting kernel)");
        }
        printf("\n%zu dropped, %zu kept, %zu untried\n", count_status(s, CUT_DROPPED), count_status(s, CUT_KEPT),
               count_status(s, CUT_QUEUED));
}

static json_object *measure_json(const struct measure *m)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "initcalls_ms", json_object_new_double((double)m->initcalls_us / 1000));
        json_object_object_add(o, "kernel_ms", json_object_new_double((double)m->kernel_us / 1000));
        json_object_object_add(o, "total_ms", json_object_new_double((double)m->total_us / 1000));
        json_object_object_add(o, "image_size", json_object_new_int64(m->image_size));
        json_object_object_add(o, "options", json_object_new_int(m->options));
        return o;
}

int tailor_write_json(const struct tailor_state *s, const struct tailor_stages *k, double seconds, const char *path)
{
        json_object *o = json_object_new_object(), *opts = json_object_new_array(), *builds = json_object_new_array();
        json_object_object_add(o, "schema_version", json_object_new_int(1));
        json_object_object_add(o, "from", json_object_new_string(s->from));
        json_object_object_add(o, "check", json_object_new_string(s->check));
        json_object_object_add(o, "payload", s->payload ? json_object_new_string(s->payload) : NULL);
        json_object_object_add(o, "check_host", s->check_host ? json_object_new_string(s->check_host) : NULL);
        json_object_object_add(o, "clock", json_object_new_string(s->clock));
        json_object_object_add(o, "unit", json_object_new_string(unit(s)));
        json_object_object_add(o, "machine", json_object_new_string(s->machine));
        json_object_object_add(o, "finished", json_object_new_boolean(s->done));
        json_object_object_add(o, "builds", json_object_new_int(s->builds));
        json_object_object_add(o, "rounds", json_object_new_int(s->rounds));
        json_object_object_add(o, "seconds", json_object_new_double(seconds));
        json_object_object_add(o, "start", measure_json(&s->start));
        json_object_object_add(o, "final", measure_json(&s->best));
        json_object_object_add(o, "final_build", json_object_new_int(s->best_build));
        json_object *ks = json_object_new_object();
        json_object_object_add(ks, "start", kstage_to_json(&k->start, KSTAGE_MS));
        json_object_object_add(ks, "final", kstage_to_json(&k->final, KSTAGE_MS));
        json_object_object_add(o, "kernel_stage", ks);
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *c = &s->cuts[i];
                static const char *const names[] = { "untried", "dropped", "kept" };
                json_object *e = json_object_new_object(), *off = json_object_new_array();
                json_object_object_add(e, "option", json_object_new_string(c->option));
                json_object_object_add(e, "status", json_object_new_string(names[c->status]));
                json_object_object_add(e, "cost_ms", json_object_new_double((double)c->cost_us / 1000));
                json_object_object_add(e, "initcalls", json_object_new_int(c->initcalls));
                json_object_object_add(e, "replaced_by", c->alt ? json_object_new_string(c->alt) : NULL);
                json_object_object_add(e, "prompt_shown_by", c->shown_by ? json_object_new_string(c->shown_by) : NULL);
                json_object *with = json_object_new_array();
                for (char **p = c->with; p && *p; p++)
                        json_object_array_add(with, json_object_new_string(*p));
                json_object_object_add(e, "with", with);
                json_object_object_add(e, "why", c->why ? json_object_new_string(c->why) : NULL);
                json_object_object_add(e, "origin", c->origin ? json_object_new_string(c->origin) : NULL);
                json_object_object_add(e, "build", json_object_new_int(c->build));
                if (c->status == CUT_DROPPED)
                        json_object_object_add(e, "build_saving_ms", json_object_new_double((double)build_saving_us(s, c->build, NULL) / 1000));
                for (char **p = c->also_off; p && *p; p++)
                        json_object_array_add(off, json_object_new_string(*p));
                json_object_object_add(e, "also_off", off);
                json_object_array_add(opts, e);
        }
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                json_object *e = json_object_new_object(), *d = json_object_new_array();
                json_object_object_add(e, "build", json_object_new_int(t->build));
                json_object_object_add(e, "result", json_object_new_string(t->result ? t->result : ""));
                for (char **p = t->dropped; p && *p; p++)
                        json_object_array_add(d, json_object_new_string(*p));
                json_object_object_add(e, "cuts", d);
                json_object_object_add(e, "measure", t->m.valid ? measure_json(&t->m) : NULL);
                json_object_object_add(e, "build_seconds", json_object_new_double(t->build_seconds));
                json_object_object_add(e, "objects_compiled", json_object_new_int64(t->objects));
                json_object_object_add(e, "ccache_hits", t->ccache_hits >= 0 ? json_object_new_int64(t->ccache_hits) : NULL);
                json_object_object_add(e, "ccache_misses", t->ccache_misses >= 0 ? json_object_new_int64(t->ccache_misses) : NULL);
                json_object_array_add(builds, e);
        }
        json_object_object_add(o, "options", opts);
        json_object_object_add(o, "trials", builds);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        json_object_put(o);
        return r;
}

struct html_args {
        const struct tailor_state *s;
        const struct tailor_stages *k;
        double seconds;
};

/* DECIMALS: 3 for times, 0 for counts. */
static void html_row(FILE *f, const char *name, double a, double b, int decimals)
{
        fprintf(f, "<tr><th>%s</th><td>%.*f</td><td>%.*f", name, decimals, a, decimals, b);
        fprintf(f, "</td><td>%+.1f%%</td></tr>\n", a ? 100.0 * (b - a) / a : 0);
}

static void fill_html(FILE *f, const void *data)
{
        const struct html_args *h = data;
        const struct tailor_state *s = h->s;
        const char *u = unit(s);
        fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>leanboot kernel tailor</title>\n"
              "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}"
              "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}"
              ".dropped{color:#060}.kept{color:#900}.bar{background:#4a7;height:.8em;display:inline-block}</style></head><body>\n", f);
        fputs("<h1>leanboot kernel tailor</h1>\n<p>From <b>", f);
        xml_escape(f, s->from);
        fputs("</b>, checked with <code>", f);
        xml_escape(f, s->check);
        if (s->payload) {
                fputs("</code> running <code>", f);
                xml_escape(f, s->payload);
        }
        if (s->check_host) {
                fputs("</code>, then on the host <code>", f);
                xml_escape(f, s->check_host);
        }
        fprintf(f, "</code>; clock %s, machine %s; %d build(s) in %.0f s%s.</p>\n", s->clock, s->machine, s->builds, h->seconds,
                s->done ? "" : " (the budget ran out: not finished)");
        fprintf(f, "<h2>Start and final kernels</h2>\n<table><tr><th class=l></th><th>start</th><th>final (build %d)</th><th>change</th></tr>\n",
                s->best_build);
        char label[64];
        snprintf(label, sizeof label, "initcalls (%s)", u);
        html_row(f, label, (double)s->start.initcalls_us / 1000, (double)s->best.initcalls_us / 1000, 3);
        snprintf(label, sizeof label, "kernel stage (%s)", u);
        html_row(f, label, (double)s->start.kernel_us / 1000, (double)s->best.kernel_us / 1000, 3);
        snprintf(label, sizeof label, "total (%s)", u);
        html_row(f, label, (double)s->start.total_us / 1000, (double)s->best.total_us / 1000, 3);
        html_row(f, "image (bytes)", (double)s->start.image_size, (double)s->best.image_size, 0);
        html_row(f, "options enabled", s->start.options, s->best.options, 0);
        if (h->k->start.end_us >= 0 && h->k->final.end_us >= 0) {
                snprintf(label, sizeof label, "kernel stage outside the initcalls (%s)", u);
                html_row(f, label, h->k->start.outside_us / 1000, h->k->final.outside_us / 1000, 3);
        }
        fputs("</table>\n", f);
        const struct kstage *fin = &h->k->final;
        if (fin->n) {
                fprintf(f, "<p>The tailor weighs initcalls only. The final kernel's longest stretches of the kernel stage outside them "
                           "(a map's boot), each between two log lines:</p>\n<table><tr><th>%s</th><th class=l>after</th><th class=l>before</th></tr>\n",
                        u);
                for (size_t i = 0; i < fin->n; i++) {
                        fprintf(f, "<tr><td>%.3f</td><td class=l><code>", fin->longest[i].usecs / 1000);
                        xml_escape(f, fin->longest[i].after);
                        fputs("</code></td><td class=l><code>", f);
                        xml_escape(f, fin->longest[i].before);
                        fputs("</code></td></tr>\n", f);
                }
                fputs("</table>\n", f);
        }
        fputs("<h2>Options, by the initcall time they brought</h2>\n<table><tr><th class=l>option</th>", f);
        fprintf(f, "<th>cost (%s)</th><th class=l></th><th class=l>status</th><th class=l>why, or the build that dropped it</th></tr>\n", u);
        long long top = s->ncuts ? s->cuts[0].cost_us : 1;
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *c = &s->cuts[i];
                static const char *const names[] = { "untried", "dropped", "kept" };
                fprintf(f, "<tr class=%s><td class=l>", names[c->status]);
                xml_escape(f, c->option);
                fprintf(f, "</td><td>%.3f</td><td class=l><span class=bar style=\"width:%.1fem\"></span></td><td class=l>%s</td><td class=l>",
                        (double)c->cost_us / 1000, top > 0 ? 12.0 * (double)c->cost_us / (double)top : 0, names[c->status]);
                if (c->status == CUT_DROPPED && c->why) {
                        fprintf(f, "build %d: ", c->build);
                        xml_escape(f, c->why);
                } else if (c->status == CUT_DROPPED) {
                        fprintf(f, "build %d (it saved %.3f %s)", c->build, (double)build_saving_us(s, c->build, NULL) / 1000, u);
                        if (c->alt) {
                                fputs("; replaced by ", f);
                                xml_escape(f, c->alt);
                        }
                        if (c->shown_by) {
                                fputs("; its prompt shown by ", f);
                                xml_escape(f, c->shown_by);
                        }
                } else {
                        xml_escape(f, c->why);
                }
                if (c->origin) {
                        fputs("<br><small>proposed as it ", f);
                        xml_escape(f, c->origin);
                        fputs("</small>", f);
                }
                fputs("</td></tr>\n", f);
        }
        fprintf(f, "</table>\n<h2>Builds</h2>\n<table><tr><th>build</th><th class=l>result</th><th>initcalls (%s)</th><th>build s</th>"
                   "<th>objects compiled</th><th>ccache hits</th><th class=l>cuts tried</th></tr>\n", u);
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                _cleanup_free_ char *list = t->dropped ? strv_join(t->dropped, " ") : NULL;
                fprintf(f, "<tr><td>%d</td><td class=l>", t->build);
                xml_escape(f, t->result);
                if (t->m.valid)
                        fprintf(f, "</td><td>%.3f", (double)t->m.initcalls_us / 1000);
                else
                        fputs("</td><td>&ndash;", f);
                fprintf(f, "</td><td>%.0f</td><td>%lld</td><td>", t->build_seconds, t->objects);
                if (t->objects > 0 && t->ccache_hits >= 0 && t->ccache_hits + t->ccache_misses > 0)
                        fprintf(f, "%lld of %lld", t->ccache_hits, t->ccache_hits + t->ccache_misses);
                fputs("</td><td class=l>", f);
                xml_escape(f, list ? list : "(the starting kernel)");
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n</body></html>\n", f);
}

int tailor_write_html(const struct tailor_state *s, const struct tailor_stages *k, double seconds, const char *path)
{
        struct html_args h = { s, k, seconds };
        return write_stream_atomic(path, fill_html, &h);
}
