/* The kernel stage apart from the boot initcalls (kstage.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "klog.h"
#include "kstage.h"
#include "macro.h"

struct span {
        double from, to;
};

static int by_from(const void *a, const void *b)
{
        const struct span *x = a, *y = b;
        return (x->from > y->from) - (x->from < y->from);
}

/* The boot initcalls' times as disjoint spans, in time order: a start estimated from the end
 * less the duration may overlap the one before by a few microseconds. */
static int initcall_spans(const struct initcall_log *l, struct span **ret, size_t *ret_n)
{
        struct span *v = malloc((l->n ? l->n : 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < l->n; i++)
                if (!l->calls[i].module[0] && l->calls[i].start_us >= 0)
                        v[n++] = (struct span){ l->calls[i].start_us, l->calls[i].start_us + (double)l->calls[i].usecs };
        if (n)
                qsort(v, n, sizeof *v, by_from);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                if (m && v[i].from <= v[m - 1].to) {
                        if (v[i].to > v[m - 1].to)
                                v[m - 1].to = v[i].to;
                } else
                        v[m++] = v[i];
        }
        *ret = v;
        *ret_n = m;
        return 0;
}

/* How much of [A, B] the spans cover.  A never decreases from one call to the next, so the
 * spans that end before it are passed once (*AT). */
static double covered(const struct span *v, size_t n, size_t *at, double a, double b)
{
        while (*at < n && v[*at].to <= a)
                (*at)++;
        double c = 0;
        for (size_t i = *at; i < n && v[i].from < b; i++) {
                double lo = v[i].from > a ? v[i].from : a, hi = v[i].to < b ? v[i].to : b;
                if (hi > lo)
                        c += hi - lo;
        }
        return c;
}

/* The guest's line as text safe for a terminal and JSON: a control or non-ASCII byte (a
 * console's escape codes) reads as '?'. */
static char *clean_line(const char *s, size_t len)
{
        char *c = strndup(s, len);
        for (char *p = c; p && *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                        *p = '?';
        return c;
}

/* Keep the stretch if it is among the MAX longest (K->longest, the longest first). */
static int keep_longest(struct kstage *k, size_t max, double start, double usecs, const char *after, size_t alen,
                        const char *before, size_t blen)
{
        if (max == 0 || (k->n == max && k->longest[max - 1].usecs >= usecs))
                return 0;
        if (!k->longest) {
                k->longest = calloc(max, sizeof *k->longest);
                if (!k->longest)
                        return -ENOMEM;
        }
        struct kstage_stretch s = { start, usecs, clean_line(after, alen), clean_line(before, blen) };
        if (!s.after || !s.before) {
                free(s.after);
                free(s.before);
                return -ENOMEM;
        }
        if (k->n == max) { /* the shortest kept makes room */
                free(k->longest[max - 1].after);
                free(k->longest[max - 1].before);
                k->n--;
        }
        size_t i = k->n;
        for (; i > 0 && k->longest[i - 1].usecs < usecs; i--)
                k->longest[i] = k->longest[i - 1];
        k->longest[i] = s;
        k->n++;
        return 0;
}

int kstage_parse(const char *text, const struct initcall_log *l, size_t max, struct kstage *ret)
{
        struct span *spans = NULL;
        size_t nspans = 0, at = 0;
        int r = initcall_spans(l, &spans, &nspans);
        if (r < 0)
                return r;
        struct kstage k = { .first_us = -1, .end_us = -1 };
        double prev = -1;
        const char *prev_msg = NULL;
        size_t prev_len = 0;
        for (const char *line = text; r >= 0 && line && *line;) {
                const char *nl = strchr(line, '\n');
                const char *next = nl ? nl + 1 : NULL;
                double t;
                const char *msg = klog_strip_prefixes(line, &t);
                line = next;
                if (t < 0)
                        continue;
                bool run_init = klog_is_run_init(msg);
                /* a line stamped before the last one (a printk from an interrupt, a console
                 * line written late) starts or ends no stretch; but "Run /init as init
                 * process" is the kernel stage's end, even stamped early */
                if (t < prev) {
                        if (!run_init)
                                continue;
                        k.reached_init = true;
                        break;
                }
                if (k.first_us < 0)
                        k.first_us = t;
                size_t len = strcspn(msg, "\r\n");
                if (prev >= 0 && t > prev) {
                        double out = t - prev - covered(spans, nspans, &at, prev, t);
                        if (out > 0)
                                r = keep_longest(&k, max, prev, out, prev_msg, prev_len, msg, len);
                }
                prev = t;
                prev_msg = msg;
                prev_len = len;
                if (run_init) {
                        k.reached_init = true;
                        break;
                }
        }
        free(spans);
        k.end_us = prev;
        if (prev >= 0) {
                double in = (double)initcall_part_us(l, INITCALLS_BOOT, NULL);
                k.outside_us = prev - k.first_us > in ? prev - k.first_us - in : 0;
        }
        if (r < 0) {
                kstage_free(&k);
                return r;
        }
        *ret = k;
        return 0;
}

void kstage_free(struct kstage *k)
{
        for (size_t i = 0; i < k->n; i++) {
                free(k->longest[i].after);
                free(k->longest[i].before);
        }
        free(k->longest);
        *k = (struct kstage){ .first_us = -1, .end_us = -1 };
}

/* NAME with the unit's suffix: "first" gives "first_us" or "first_ms". */
static void add_time(json_object *o, const char *name, double usecs, enum kstage_unit unit)
{
        char key[32];
        snprintf(key, sizeof key, "%s_%s", name, unit == KSTAGE_MS ? "ms" : "us");
        json_object_object_add(o, key, json_object_new_double(unit == KSTAGE_MS ? usecs / 1000 : usecs));
}

json_object *kstage_to_json(const struct kstage *k, enum kstage_unit unit)
{
        if (k->end_us < 0)
                return NULL;
        json_object *o = json_object_new_object(), *v = json_object_new_array();
        add_time(o, "first", k->first_us, unit);
        add_time(o, "end", k->end_us, unit);
        json_object_object_add(o, "reached_init", json_object_new_boolean(k->reached_init));
        add_time(o, "outside", k->outside_us, unit);
        for (size_t i = 0; i < k->n; i++) {
                json_object *e = json_object_new_object();
                add_time(e, "start", k->longest[i].start_us, unit);
                add_time(e, "duration", k->longest[i].usecs, unit);
                json_object_object_add(e, "after", json_object_new_string(k->longest[i].after));
                json_object_object_add(e, "before", json_object_new_string(k->longest[i].before));
                json_object_array_add(v, e);
        }
        json_object_object_add(o, "stretches", v);
        return o;
}
