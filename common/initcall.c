#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "initcall.h"
#include "klog.h"
#include "stats.h"
#include "macro.h"

void initcall_log_free(struct initcall_log *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->calls[i].name);
                free(l->calls[i].module);
        }
        free(l->calls);
        *l = (struct initcall_log){ .run_init_us = -1 };
}

long long initcall_total_us(const struct initcall_log *l)
{
        long long t = 0;
        for (size_t i = 0; i < l->n; i++)
                t += l->calls[i].usecs;
        return t;
}

long long initcall_part_us(const struct initcall_log *l, enum initcall_part part, size_t *ret_count)
{
        long long t = 0;
        size_t n = 0;
        for (size_t i = 0; i < l->n; i++) {
                bool module = l->calls[i].module[0] != '\0';
                if (module == (part == INITCALLS_MODULES)) {
                        t += l->calls[i].usecs;
                        n++;
                }
        }
        if (ret_count)
                *ret_count = n;
        return t;
}

ssize_t initcall_find(const struct initcall_log *l, const char *name, const char *module, unsigned occurrence)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->calls[i].occurrence == occurrence && streq(l->calls[i].name, name) &&
                    streq(l->calls[i].module, module))
                        return (ssize_t)i;
        return -1;
}

/* The log is the guest's, so its numbers are not trusted: an initcall longer than an hour is
 * not a boot's (the audit's "after 9223372036854775807 msecs" gave negative totals and shares
 * like -9e17%).  Such a duration reads as a garbled line (klog.h: the timestamps). */
#define INITCALL_MAX_US (3600LL * 1000000)

/* "NAME+0x0/0x22c [mod]" or "0xffff..." then the rest; returns a pointer after the function
 * (and module), with name/module copied out. */
static const char *parse_function(const char *s, char **ret_name, char **ret_module)
{
        size_t n = strcspn(s, " +\t\n");
        if (n == 0)
                return NULL;
        *ret_name = strndup(s, n);
        s += n;
        if (*s == '+')
                s += strcspn(s, " \t\n"); /* the +0x0/0x22c offset */
        while (*s == ' ')
                s++;
        if (*s == '[') {
                size_t m = strcspn(s + 1, "]");
                if (s[1 + m] != ']') {
                        free(*ret_name);
                        *ret_name = NULL; /* the callers free what they were given */
                        return NULL;
                }
                *ret_module = strndup(s + 1, m);
                s += m + 2;
                while (*s == ' ')
                        s++;
        } else {
                *ret_module = strdup("");
        }
        return s;
}

struct pending { /* "calling" lines waiting for their "initcall ... returned" */
        char *name, *module;
        double ts;
        bool tick; /* called while the kernel still kept time with the tick */
};

/* Where the kernel leaves the tick: until clocksource_done_booting (an fs_initcall) picks a real
 * clocksource, ktime advances in jiffies, so "after N usecs" of every earlier initcall moves in
 * 4 ms steps (a 0.6 ms initcall reads 0 or 4000 us).  The printk timestamps come from
 * local_clock: the TSC on x86, kept within one tick of the tick clock until sched_clock is
 * marked stable (a late_initcall), so fine-grained from the start.  Returns the offset of the
 * first "Switched to clocksource" line naming a real clocksource, or -1 when the log has none
 * (a log that does not start at boot: nothing is taken to be tick-timed). */
static ssize_t tick_clock_end(const char *text)
{
        static const char key[] = "clocksource: Switched to clocksource ";
        for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
                const char *cs = p + sizeof key - 1;
                if (strncmp(cs, "jiffies", 7) != 0 && strncmp(cs, "refined-jiffies", 15) != 0)
                        return p - text;
        }
        return -1;
}

static int push_double(double **v, size_t *n, size_t *cap, double x)
{
        if (*n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 256;
                double *nv = realloc(*v, ncap * sizeof *nv);
                if (!nv)
                        return -ENOMEM;
                *v = nv;
                *cap = ncap;
        }
        (*v)[(*n)++] = x;
        return 0;
}

/* The parse as it goes through the log. */
struct parser {
        struct initcall_log l;
        size_t cap;
        ssize_t tick_end;      /* offset of the clocksource switch line, or -1 */
        double *cost;          /* timestamp span minus the kernel's duration, real-clock initcalls */
        size_t ncost, capcost;
        struct pending *pend;  /* "calling" lines not yet matched */
        size_t npend;
};

static void parser_free_pending(struct parser *ps)
{
        free(ps->cost);
        for (size_t i = 0; i < ps->npend; i++) {
                free(ps->pend[i].name);
                free(ps->pend[i].module);
        }
        free(ps->pend);
}

/* "calling  NAME+0x0/0x22 [MOD] @ 1": waits for its "initcall ... returned" line. */
static int on_calling(struct parser *ps, const char *call, double ts, bool tick)
{
        char *name = NULL, *module = NULL;
        if (!parse_function(call + 9, &name, &module) || !strstr(call, " @ ")) {
                free(name);
                free(module);
                return 0;
        }
        struct pending *np = realloc(ps->pend, (ps->npend + 1) * sizeof *np);
        if (!np) {
                free(name);
                free(module);
                return -ENOMEM;
        }
        ps->pend = np;
        ps->pend[ps->npend++] = (struct pending){ name, module, ts, tick };
        return 0;
}

/* The "calling" line of NAME [MODULE], taken off the pending ones: its timestamp is the
 * initcall's start; on the tick its span replaces the kernel's coarse duration (*us). */
static int match_calling(struct parser *ps, const char *name, const char *module, double ts, long long *us,
                         double *start, bool *from_timestamps)
{
        for (size_t i = ps->npend; i > 0; i--) {
                struct pending *q = &ps->pend[i - 1];
                if (!streq(q->name, name) || !streq(q->module, module))
                        continue;
                if (q->ts >= 0)
                        *start = q->ts;
                /* Timed on the tick: the printk timestamps are the finer clock (what
                 * bootgraph.pl uses for every initcall); the cost of the "calling" line itself is
                 * taken off later. */
                if (q->tick && q->ts >= 0 && ts >= q->ts) {
                        *us = (long long)(ts - q->ts + 0.5);
                        *from_timestamps = true;
                } else if (q->ts >= 0 && ts >= q->ts &&
                           push_double(&ps->cost, &ps->ncost, &ps->capcost, ts - q->ts - (double)*us) < 0) {
                        return -ENOMEM;
                }
                free(q->name);
                free(q->module);
                memmove(q, q + 1, (ps->npend - i) * sizeof *q);
                ps->npend--;
                break;
        }
        return 0;
}

/* "initcall NAME+0x0/0x22 [MOD] returned 0 after 12 usecs": one record. */
static int on_initcall(struct parser *ps, const char *rec, double ts)
{
        _cleanup_free_ char *name = NULL, *module = NULL;
        const char *rest = parse_function(rec + 9, &name, &module);
        int rv;
        long long amount;
        char unit[16] = "";
        if (!rest || sscanf(rest, "returned %d after %lld %15s", &rv, &amount, unit) != 3 ||
            (strncmp(unit, "usecs", 5) != 0 && strncmp(unit, "msecs", 5) != 0) || amount < 0 ||
            amount > (unit[0] == 'm' ? INITCALL_MAX_US / 1000 : INITCALL_MAX_US)) {
                /* Truncated or garbled: counted, not guessed at. */
                ps->l.lines_skipped++;
                return 0;
        }
        long long us = unit[0] == 'm' ? amount * 1000 : amount;
        unsigned occ = 0;
        for (size_t i = 0; i < ps->l.n; i++)
                occ += streq(ps->l.calls[i].name, name) && streq(ps->l.calls[i].module, module);
        double start = ts >= 0 ? ts - (double)us : -1;
        bool from_timestamps = false;
        if (match_calling(ps, name, module, ts, &us, &start, &from_timestamps) < 0)
                return -ENOMEM;
        if (ps->l.n == ps->cap) {
                size_t ncap = ps->cap ? ps->cap * 2 : 256;
                struct initcall *nc = realloc(ps->l.calls, ncap * sizeof *nc);
                if (!nc)
                        return -ENOMEM;
                ps->l.calls = nc;
                ps->cap = ncap;
        }
        ps->l.calls[ps->l.n++] = (struct initcall){ TAKE_PTR(name), TAKE_PTR(module), occ, us, start, rv, from_timestamps };
        ps->l.from_timestamps += from_timestamps;
        return 0;
}

/* One line of the log (without its newline), at offset line_at in it. */
static int on_line(struct parser *ps, char *line, ptrdiff_t line_at)
{
        line[strcspn(line, "\r")] = '\0';
        double ts;
        bool tick = ps->tick_end >= 0 && line_at < ps->tick_end; /* before the switch line */
        const char *s = klog_strip_prefixes(line, &ts);
        /* Console logs may carry other text before the record: look for it anywhere. */
        const char *rec = strstr(s, "initcall ");
        const char *call = strstr(s, "calling  ");
        if (klog_is_run_init(s) && ts >= 0 && ps->l.run_init_us < 0)
                ps->l.run_init_us = ts;
        if (call)
                return on_calling(ps, call, ts, tick);
        return rec ? on_initcall(ps, rec, ts) : 0;
}

/* What a "calling" line costs (formatting, the ring buffer, the console if it printed): the
 * timestamps of the initcalls the kernel timed on a real clocksource exceed its own durations by
 * that much.  Their median is taken off the tick-timed initcalls' timestamp spans (quiet boots:
 * about 9 us; a log printed on a serial console: about 150 us). */
static void take_off_calling_cost(struct parser *ps)
{
        struct summary m = { 0 };
        ps->l.calling_line_cost_us = ps->ncost && summarize(ps->cost, ps->ncost, &m) == 0 ? m.median : 0;
        if (ps->l.calling_line_cost_us < 0)
                ps->l.calling_line_cost_us = 0;
        for (size_t i = 0; i < ps->l.n; i++)
                if (ps->l.calls[i].from_timestamps) {
                        double d = (double)ps->l.calls[i].usecs - ps->l.calling_line_cost_us;
                        ps->l.calls[i].usecs = d > 0 ? (long long)(d + 0.5) : 0;
                }
}

int initcall_parse(const char *text, struct initcall_log *ret)
{
        struct parser ps = { .l = { .run_init_us = -1 }, .tick_end = tick_clock_end(text) };
        int r = 0;
        for (const char *p = text; *p && r >= 0;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, len);
                r = line ? on_line(&ps, line, p - text) : -ENOMEM;
                p += len + (p[len] == '\n');
        }
        if (r >= 0)
                take_off_calling_cost(&ps);
        parser_free_pending(&ps);
        if (r < 0) {
                initcall_log_free(&ps.l);
                return r;
        }
        *ret = ps.l;
        return 0;
}
