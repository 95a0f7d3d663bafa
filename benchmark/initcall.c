#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "initcall.h"
#include "../common/macro.h"

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

ssize_t initcall_find(const struct initcall_log *l, const char *name, const char *module, unsigned occurrence)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->calls[i].occurrence == occurrence && streq(l->calls[i].name, name) &&
                    streq(l->calls[i].module, module))
                        return (ssize_t)i;
        return -1;
}

/* Strip the prefixes a log line may carry; *ret_ts gets the [ time] or kmsg time in us (-1 if none). */
static const char *strip_prefixes(const char *s, double *ret_ts)
{
        *ret_ts = -1;
        /* /dev/kmsg: "PRIO,SEQ,USEC,FLAGS;MESSAGE" */
        if (isdigit((unsigned char)*s)) {
                const char *semi = strchr(s, ';');
                unsigned prio;
                unsigned long long seq, usec;
                if (semi && semi - s < 64 && sscanf(s, "%u,%llu,%llu,", &prio, &seq, &usec) == 3) {
                        *ret_ts = (double)usec;
                        return semi + 1;
                }
        }
        /* syslog level "<7>" */
        if (s[0] == '<' && isdigit((unsigned char)s[1])) {
                const char *gt = strchr(s, '>');
                if (gt && gt - s <= 4)
                        s = gt + 1;
        }
        /* "[    0.211416] " */
        if (s[0] == '[') {
                char *end;
                double sec = strtod(s + 1, &end);
                if (end != s + 1 && *end == ']') {
                        *ret_ts = sec * 1e6;
                        s = end + 1;
                        while (*s == ' ')
                                s++;
                }
        }
        return s;
}

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

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
        qsort(v, n, sizeof *v, cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int initcall_parse(const char *text, struct initcall_log *ret)
{
        struct initcall_log l = { .run_init_us = -1 };
        ssize_t tick_end = tick_clock_end(text);
        double *cost = NULL; /* timestamp span minus the kernel's duration, real-clock initcalls */
        size_t ncost = 0, capcost = 0;
        struct pending *pend = NULL;
        size_t npend = 0, cap = 0;
        const char *p = text;
        while (*p) {
                const char *line_at = p;
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, len);
                p += len + (p[len] == '\n');
                if (!line)
                        goto oom;
                line[strcspn(line, "\r")] = '\0';
                double ts;
                bool tick = tick_end >= 0 && line_at - text < tick_end; /* before the switch line */
                const char *s = strip_prefixes(line, &ts);
                /* Console logs may carry other text before the record: look for it anywhere. */
                const char *rec = strstr(s, "initcall ");
                const char *call = strstr(s, "calling  ");
                if (strstr(s, "Run /init as init process") && ts >= 0 && l.run_init_us < 0)
                        l.run_init_us = ts;
                if (call) {
                        char *name = NULL, *module = NULL;
                        if (parse_function(call + 9, &name, &module) && strstr(call, " @ ")) {
                                struct pending *np = realloc(pend, (npend + 1) * sizeof *np);
                                if (!np) {
                                        free(name);
                                        free(module);
                                        goto oom;
                                }
                                pend = np;
                                pend[npend++] = (struct pending){ name, module, ts, tick };
                        } else {
                                free(name);
                                free(module);
                        }
                        continue;
                }
                if (!rec)
                        continue;
                char *name = NULL, *module = NULL;
                const char *rest = parse_function(rec + 9, &name, &module);
                int rv;
                long long amount;
                char unit[16] = "";
                if (!rest || sscanf(rest, "returned %d after %lld %15s", &rv, &amount, unit) != 3 ||
                    (strncmp(unit, "usecs", 5) != 0 && strncmp(unit, "msecs", 5) != 0)) {
                        /* Truncated or garbled: counted, not guessed at. */
                        free(name);
                        free(module);
                        l.lines_skipped++;
                        continue;
                }
                long long us = unit[0] == 'm' ? amount * 1000 : amount;
                unsigned occ = 0;
                for (size_t i = 0; i < l.n; i++)
                        occ += streq(l.calls[i].name, name) && streq(l.calls[i].module, module);
                double start = ts >= 0 ? ts - (double)us : -1;
                bool from_timestamps = false;
                for (size_t i = npend; i > 0; i--) {
                        struct pending *q = &pend[i - 1];
                        if (streq(q->name, name) && streq(q->module, module)) {
                                if (q->ts >= 0)
                                        start = q->ts;
                                /* Timed on the tick: the printk timestamps are the finer clock
                                 * (what bootgraph.pl uses for every initcall); the cost of the
                                 * "calling" line itself is taken off below. */
                                if (q->tick && q->ts >= 0 && ts >= q->ts) {
                                        us = (long long)(ts - q->ts + 0.5);
                                        from_timestamps = true;
                                } else if (q->ts >= 0 && ts >= q->ts) {
                                        if (push_double(&cost, &ncost, &capcost, ts - q->ts - (double)us) < 0) {
                                                free(name);
                                                free(module);
                                                goto oom;
                                        }
                                }
                                free(q->name);
                                free(q->module);
                                memmove(q, q + 1, (npend - i) * sizeof *q);
                                npend--;
                                break;
                        }
                }
                if (l.n == cap) {
                        size_t ncap = cap ? cap * 2 : 256;
                        struct initcall *nc = realloc(l.calls, ncap * sizeof *nc);
                        if (!nc) {
                                free(name);
                                free(module);
                                goto oom;
                        }
                        l.calls = nc;
                        cap = ncap;
                }
                l.calls[l.n++] = (struct initcall){ name, module, occ, us, start, rv, from_timestamps };
                l.from_timestamps += from_timestamps;
        }
        /* What a "calling" line costs (formatting, the ring buffer, the console if it printed):
         * the timestamps of the initcalls the kernel timed on a real clocksource exceed its own
         * durations by that much.  Their median is taken off the tick-timed initcalls' timestamp
         * spans (quiet boots: about 9 us; a log printed on a serial console: about 150 us). */
        l.calling_line_cost_us = ncost ? median_of(cost, ncost) : 0;
        if (l.calling_line_cost_us < 0)
                l.calling_line_cost_us = 0;
        for (size_t i = 0; i < l.n; i++)
                if (l.calls[i].from_timestamps) {
                        double d = (double)l.calls[i].usecs - l.calling_line_cost_us;
                        l.calls[i].usecs = d > 0 ? (long long)(d + 0.5) : 0;
                }
        free(cost);
        for (size_t i = 0; i < npend; i++) {
                free(pend[i].name);
                free(pend[i].module);
        }
        free(pend);
        *ret = l;
        return 0;
oom:
        free(cost);
        for (size_t i = 0; i < npend; i++) {
                free(pend[i].name);
                free(pend[i].module);
        }
        free(pend);
        initcall_log_free(&l);
        return -ENOMEM;
}
