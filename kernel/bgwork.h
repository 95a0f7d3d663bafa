/* The kernel's background work during the boot initcalls, from a traced boot.
 *
 * Some initcalls queue work that a kworker runs while the next initcalls go on: ftrace's
 * trace_eval_init queues eval_map_work_func, which rewrites the print formats of every trace
 * event (25 insn-ms on a tailored defconfig kernel under TCG).  On a single CPU that work takes its
 * time from whichever initcalls happen to sleep or be preempted meanwhile (kthread creations,
 * crypto_algapi_init's waits), so initcall_debug charges it to them, a different one in each
 * kernel, and no option that builds those initcalls can take it away.
 *
 * A boot with "trace_event=sched:sched_switch,workqueue:workqueue_execute_start,
 * workqueue:workqueue_execute_end tp_printk" (kernels with CONFIG_EVENT_TRACING) prints each
 * event into the kernel log.  From it, bgwork_parse tells which task was on the CPU when, and so
 * how long each work function ran inside the boot's initcalls, and inside which.  The events make
 * that boot slower and change what runs when: its figures are for sharing costs out, not for
 * timing, and what ran inside an initcall there may have run inside another in a boot without
 * them.  An initcall may also wait for work on purpose (deferred_probe_initcall flushes the
 * deferred probes; async work is waited for): that time is its own, so callers take out only
 * the work they give to another option. */
#ifndef LEANBOOT_BGWORK_H
#define LEANBOOT_BGWORK_H

#include "../common/initcall.h"

/* The kernel command line arguments of such a boot. */
#define BGWORK_TRACE_ARGS "trace_event=sched:sched_switch,workqueue:workqueue_execute_start,workqueue:workqueue_execute_end tp_printk"

/* Work function WORK ran for USECS inside occurrence OCCURRENCE of the boot initcall INITCALL. */
struct bgwork_slice {
        char *initcall;
        unsigned occurrence;
        char *work;
        double usecs;
};

struct bgwork {
        /* Each work function that ran inside the boot initcalls, as initcall records (name: the
         * function, module "", usecs: its time on the CPU inside them), the most first. */
        struct initcall_log work;
        /* The boot initcalls in whose time that work ran, each with how much (usecs); keyed as
         * in an initcall log (function, module "", occurrence). */
        struct initcall_log inside;
        struct bgwork_slice *slices; /* both, by initcall and work function */
        size_t nslices;
        size_t events;  /* the trace events read: 0 when the log has none (no tracing) */
        size_t foreign; /* sched_switch lines from a task other than the last one switched to:
                         * more than one CPU, or lines lost; the figures are not to be used */
};

/* Read the traced kernel log TEXT.  0 (with events == 0 when the log holds no trace events) or
 * -ENOMEM. */
int bgwork_parse(const char *text, struct bgwork *ret);
void bgwork_free(struct bgwork *b);

/* L's initcalls less the work of the functions WORKS (NULL: all) that BG saw inside each (by key,
 * not below 0).  How much was taken off in all; 0 when BG has nothing. */
long long bgwork_take_out(const struct bgwork *bg, char *const *works, struct initcall_log *l);

#endif
