/* The background work of a traced boot (bgwork.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgwork.h"
#include "../common/klog.h"
#include "../common/macro.h"

/* A growing list of (name, occurrence) with a time each: the records of bgwork's two logs. */
struct tally {
        struct initcall *v;
        size_t n;
};

static int tally_add(struct tally *t, const char *name, size_t len, unsigned occurrence, double usecs)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].occurrence == occurrence && strlen(t->v[i].name) == len && strncmp(t->v[i].name, name, len) == 0) {
                        t->v[i].start_us += usecs; /* summed here as a double; rounded at the end */
                        return 0;
                }
        struct initcall *more = realloc(t->v, (t->n + 1) * sizeof *more);
        if (!more)
                return -ENOMEM;
        t->v = more;
        t->v[t->n] = (struct initcall){ .name = strndup(name, len), .module = strdup(""), .occurrence = occurrence, .start_us = usecs };
        if (!t->v[t->n].name || !t->v[t->n].module) {
                free(t->v[t->n].name);
                free(t->v[t->n].module);
                return -ENOMEM;
        }
        t->n++;
        return 0;
}

static int by_usecs_desc(const void *a, const void *b)
{
        const struct initcall *x = a, *y = b;
        return x->usecs < y->usecs ? 1 : x->usecs > y->usecs ? -1 : strcmp(x->name, y->name);
}

/* The tally as an initcall log, the most first; T is emptied. */
static void tally_to_log(struct tally *t, struct initcall_log *ret)
{
        for (size_t i = 0; i < t->n; i++) {
                t->v[i].usecs = (long long)(t->v[i].start_us + 0.5);
                t->v[i].start_us = -1;
        }
        if (t->n > 1)
                qsort(t->v, t->n, sizeof *t->v, by_usecs_desc);
        *ret = (struct initcall_log){ .calls = t->v, .n = t->n, .run_init_us = -1 };
        *t = (struct tally){ 0 };
}

static void tally_free(struct tally *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->v[i].name);
                free(t->v[i].module);
        }
        free(t->v);
}

static bool startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The length of the name at P up to any of STOPS (or the end of the line). */
static size_t name_len(const char *p, const char *stops)
{
        return strcspn(p, stops);
}

/* Time of WORK (LEN) inside occurrence OCC of initcall IC (ICLEN). */
static int slice_add(struct bgwork_slice **v, size_t *n, const char *ic, size_t iclen, unsigned occ, const char *work, size_t len,
                     double usecs)
{
        for (size_t i = 0; i < *n; i++) {
                struct bgwork_slice *x = &(*v)[i];
                if (x->occurrence == occ && strlen(x->initcall) == iclen && strncmp(x->initcall, ic, iclen) == 0 &&
                    strlen(x->work) == len && strncmp(x->work, work, len) == 0) {
                        x->usecs += usecs;
                        return 0;
                }
        }
        struct bgwork_slice *more = realloc(*v, (*n + 1) * sizeof *more);
        if (!more)
                return -ENOMEM;
        *v = more;
        more[*n] = (struct bgwork_slice){ .initcall = strndup(ic, iclen), .occurrence = occ, .work = strndup(work, len), .usecs = usecs };
        if (!more[*n].initcall || !more[*n].work) {
                free(more[*n].initcall);
                free(more[*n].work);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static void slices_free(struct bgwork_slice *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].initcall);
                free(v[i].work);
        }
        free(v);
}

/* Which work function each kworker is running (by pid): a kworker runs one item at a time. */
struct running {
        long pid;
        const char *fn; /* into the text */
        size_t len;
};

int bgwork_parse(const char *text, struct bgwork *ret)
{
        struct tally work = { 0 }, inside = { 0 }, seen = { 0 }; /* seen: how often each initcall was called */
        struct bgwork_slice *slices = NULL;
        size_t nslices = 0;
        struct running *run = NULL;
        size_t nrun = 0, events = 0, foreign = 0;
        long cur = -1; /* the task on the CPU: the last sched_switch's next_pid */
        const char *ic = NULL; /* the boot initcall running, and its occurrence */
        size_t iclen = 0;
        unsigned icocc = 0;
        bool closed = false; /* "Run /init": the boot initcalls are over */
        double prev = -1;
        int r = 0;
        for (const char *line = text; r >= 0 && line && *line;) {
                const char *nl = strchr(line, '\n');
                const char *next = nl ? nl + 1 : NULL;
                double t;
                const char *msg = klog_strip_prefixes(line, &t), *p;
                if (t < 0) {
                        line = next;
                        continue;
                }
                /* Until this line, CUR ran (with its work item, if any) inside IC: only time inside
                 * an initcall is initcall time, the figure the tailor measures. */
                if (ic && !closed && prev >= 0 && t > prev)
                        for (size_t i = 0; r >= 0 && i < nrun; i++)
                                if (run[i].pid == cur && run[i].fn) {
                                        r = tally_add(&work, run[i].fn, run[i].len, 0, t - prev);
                                        r = r ?: tally_add(&inside, ic, iclen, icocc, t - prev);
                                        r = r ?: slice_add(&slices, &nslices, ic, iclen, icocc, run[i].fn, run[i].len, t - prev);
                                }
                if (r < 0)
                        break;
                if (t > prev)
                        prev = t; /* a line stamped earlier than the last (a printk from an interrupt) */
                if (startswith(msg, "sched_switch: ") && (p = strstr(msg, " next_pid="))) {
                        /* on one CPU the task switched from is the one switched to last */
                        const char *pp = strstr(msg, " prev_pid=");
                        if (cur >= 0 && pp && strtol(pp + 10, NULL, 10) != cur)
                                foreign++;
                        cur = strtol(p + 10, NULL, 10);
                        events++;
                } else if ((startswith(msg, "workqueue_execute_start: ") || startswith(msg, "workqueue_execute_end: "))) {
                        bool start = msg[18] == 's';
                        p = strstr(msg, ": function ");
                        size_t i = 0;
                        while (i < nrun && run[i].pid != cur)
                                i++;
                        if (i == nrun) {
                                struct running *more = realloc(run, (nrun + 1) * sizeof *more);
                                if (!more) {
                                        r = -ENOMEM;
                                        break;
                                }
                                run = more;
                                run[nrun++] = (struct running){ .pid = cur };
                        }
                        run[i].fn = start && p ? p + 11 : NULL;
                        run[i].len = run[i].fn ? name_len(run[i].fn, " \r\n") : 0;
                        events++;
                } else if (startswith(msg, "calling  ")) {
                        const char *name = msg + 9;
                        size_t len = name_len(name, "+ \r\n");
                        p = name + strcspn(name, "\n");
                        /* a module's ("calling  f+0x0/0x10 [mod] @ 99") runs after /init: not ours */
                        const char *mod = memchr(name, '[', (size_t)(p - name));
                        if (!mod && !closed) {
                                ic = name;
                                iclen = len;
                                icocc = 0;
                                for (size_t k = 0; k < seen.n; k++)
                                        if (strlen(seen.v[k].name) == len && strncmp(seen.v[k].name, name, len) == 0)
                                                icocc = (unsigned)(seen.v[k].start_us + 0.5);
                                r = tally_add(&seen, name, len, 0, 1);
                        }
                } else if (startswith(msg, "initcall ") && strstr(msg, " returned ")) {
                        ic = NULL;
                } else if (klog_is_run_init(msg)) {
                        closed = true;
                }
                line = next;
        }
        free(run);
        tally_free(&seen);
        if (r < 0) {
                tally_free(&work);
                tally_free(&inside);
                slices_free(slices, nslices);
                return r;
        }
        *ret = (struct bgwork){ .slices = slices, .nslices = nslices, .events = events, .foreign = foreign };
        tally_to_log(&work, &ret->work);
        tally_to_log(&inside, &ret->inside);
        return 0;
}

void bgwork_free(struct bgwork *b)
{
        initcall_log_free(&b->work);
        initcall_log_free(&b->inside);
        slices_free(b->slices, b->nslices);
        b->slices = NULL;
        b->nslices = 0;
}

long long bgwork_take_out(const struct bgwork *bg, char *const *works, struct initcall_log *l)
{
        long long taken = 0;
        for (size_t i = 0; i < l->n; i++) {
                struct initcall *c = &l->calls[i];
                if (!c->module || c->module[0])
                        continue;
                double in = 0;
                for (size_t j = 0; j < bg->nslices; j++) {
                        const struct bgwork_slice *x = &bg->slices[j];
                        if (x->occurrence != c->occurrence || !streq(x->initcall, c->name))
                                continue;
                        bool listed = !works;
                        for (char *const *w = works; w && *w && !listed; w++)
                                listed = streq(*w, x->work);
                        if (listed)
                                in += x->usecs;
                }
                long long off = (long long)(in + 0.5);
                if (off > c->usecs)
                        off = c->usecs;
                c->usecs -= off;
                taken += off;
        }
        return taken;
}
