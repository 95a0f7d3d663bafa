/* The kernel's background work during the boot initcalls, from a traced boot.
 *
 * Some initcalls queue work that a kworker runs while the next initcalls go on: ftrace's
 * trace_eval_init queues eval_map_work_func, which rewrites the print formats of every trace
 * event (about 30 insn-ms on a defconfig kernel under TCG).  On a single CPU that work takes its
 * time from whichever initcalls happen to sleep or be preempted meanwhile (kthread creations,
 * crypto_algapi_init's waits), so initcall_debug charges it to them, a different one in each
 * kernel, and no option that builds those initcalls can take it away.
 *
 * A boot with "trace_event=sched:sched_switch,workqueue:workqueue_execute_start,
 * workqueue:workqueue_execute_end tp_printk" (kernels with CONFIG_EVENT_TRACING) prints each
 * event into the kernel log.  From it, bgwork_parse tells which task was on the CPU when, and so
 * how long each work function ran inside the boot's initcalls, and how much of each initcall's
 * time was someone else's work.  The events make that boot slower: its figures are for sharing
 * costs out, not for timing. */
#ifndef LEANBOOT_BGWORK_H
#define LEANBOOT_BGWORK_H

#include "../common/initcall.h"

/* The kernel command line arguments of such a boot. */
#define BGWORK_TRACE_ARGS "trace_event=sched:sched_switch,workqueue:workqueue_execute_start,workqueue:workqueue_execute_end tp_printk"

struct bgwork {
        /* Each work function that ran while the boot initcalls did, as initcall records (name:
         * the function, module "", usecs: its time on the CPU then), the most first. */
        struct initcall_log work;
        /* The boot initcalls in whose time that work ran, each with how much (usecs); keyed as
         * in an initcall log (function, module "", occurrence). */
        struct initcall_log inside;
        size_t events; /* the trace events read: 0 when the log has none (no tracing) */
};

/* Read the traced kernel log TEXT.  0 (with events == 0 when the log holds no trace events) or
 * -ENOMEM. */
int bgwork_parse(const char *text, struct bgwork *ret);
void bgwork_free(struct bgwork *b);

/* L's initcalls less the background work BG saw inside each (by key, not below 0): what they
 * cost themselves.  How much was taken off in all; 0 when BG has nothing. */
long long bgwork_take_out(const struct bgwork *bg, struct initcall_log *l);

#endif
