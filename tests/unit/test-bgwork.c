/* kernel/bgwork.c: the background work of a traced boot.  A real log first (a defconfig kernel
 * the tailor cut down, booted under TCG with bgwork.h's trace arguments), with figures checked
 * against an independent reading of the same log; then small logs for each rule. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "kernel/bgwork.h"

static long long usecs_of(const struct initcall_log *l, const char *name, unsigned occurrence)
{
        ssize_t i = initcall_find(l, name, "", occurrence);
        return i < 0 ? -1 : l->calls[i].usecs;
}

static void test_fixture(void)
{
        const char *dir = getenv("FIXTURES");
        _cleanup_free_ char *p = path_join(dir ? dir : "tests/fixtures", "debian-6.1-defconfig-tailored-tcg-trace.log");
        _cleanup_free_ char *text = NULL;
        CHECK(read_full_file(p, &text, NULL) == 0, "read the fixture");
        if (!text)
                return;
        struct bgwork bg = { 0 };
        CHECK(bgwork_parse(text, &bg) == 0, "parse the traced boot");
        CHECK(bg.events == 500, "500 trace events (got %zu)", bg.events);
        CHECK(bg.foreign == 0, "one CPU's trace: every switch is from the task switched to last (got %zu)", bg.foreign);
        /* ftrace's own two work items are nearly all of it */
        CHECK(bg.work.n >= 2 && streq(bg.work.calls[0].name, "eval_map_work_func") && bg.work.calls[0].usecs == 25183,
              "eval_map_work_func first, 25183 usecs (got %s %lld)", bg.work.n ? bg.work.calls[0].name : "-",
              bg.work.n ? bg.work.calls[0].usecs : -1);
        CHECK(bg.work.n >= 2 && streq(bg.work.calls[1].name, "tracer_init_tracefs_work_func") && bg.work.calls[1].usecs == 6138,
              "tracer_init_tracefs_work_func second, 6138 usecs (got %lld)", bg.work.n > 1 ? bg.work.calls[1].usecs : -1);
        CHECK(usecs_of(&bg.inside, "crypto_algapi_init", 0) == 11011, "11011 usecs of work inside crypto_algapi_init (got %lld)",
              usecs_of(&bg.inside, "crypto_algapi_init", 0));
        CHECK(usecs_of(&bg.inside, "default_bdi_init", 0) == 7138, "7138 inside default_bdi_init");
        CHECK(usecs_of(&bg.inside, "kcompactd_init", 0) == -1, "none inside kcompactd_init (it did not wait this time)");

        /* taken out of the same boot's initcalls: all of it, then only ftrace's (what the tailor
         * gives to TRACING; the deferred probe that deferred_probe_initcall flushes stays its own) */
        struct initcall_log l = { .run_init_us = -1 };
        CHECK(initcall_parse(text, &l) == 0, "the initcalls of the fixture");
        long long before = usecs_of(&l, "crypto_algapi_init", 0), total = initcall_total_us(&l);
        long long taken = bgwork_take_out(&bg, NULL, &l);
        CHECK(taken == 31634, "31.634 ms taken out in all (got %lld)", taken);
        CHECK(initcall_total_us(&l) == total - taken, "the total less what was taken");
        CHECK(before >= 11011 && usecs_of(&l, "crypto_algapi_init", 0) == before - 11011, "crypto_algapi_init %lld -> %lld", before,
              usecs_of(&l, "crypto_algapi_init", 0));
        initcall_log_free(&l);
        struct initcall_log l2 = { .run_init_us = -1 };
        char *ftrace[] = { "eval_map_work_func", "tracer_init_tracefs_work_func", NULL };
        long long probe = usecs_of(&bg.inside, "deferred_probe_initcall", 0);
        CHECK(initcall_parse(text, &l2) == 0 && probe > 0, "work inside deferred_probe_initcall (%lld)", probe);
        before = usecs_of(&l2, "deferred_probe_initcall", 0);
        taken = bgwork_take_out(&bg, ftrace, &l2);
        CHECK(taken == 25183 + 6138, "ftrace's work only: 31.321 ms (got %lld)", taken);
        CHECK(usecs_of(&l2, "deferred_probe_initcall", 0) == before, "deferred_probe_initcall keeps its own wait");
        initcall_log_free(&l2);
        bgwork_free(&bg);
}

/* Small logs: each line as the kernel prints it. */
static void test_rules(void)
{
        const char *log =
                "<7>[    1.000000] calling  early_one+0x0/0x10 @ 1\n"
                "<4>[    1.000100] sched_switch: prev_comm=swapper prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=kworker/u2:0 next_pid=8 next_prio=120\n"
                "<4>[    1.000200] workqueue_execute_start: work struct 000000001: function slow_work\n"
                /* preempted: init runs again, the work waits */
                "<4>[    1.001200] sched_switch: prev_comm=kworker/u2:0 prev_pid=8 prev_prio=120 prev_state=R+ ==> next_comm=swapper next_pid=1 next_prio=120\n"
                "<7>[    1.003200] initcall early_one+0x0/0x10 returned 0 after 3200 usecs\n"
                "<7>[    1.003300] calling  twice+0x0/0x10 @ 1\n"
                "<7>[    1.003400] initcall twice+0x0/0x10 returned 0 after 100 usecs\n"
                "<7>[    1.003500] calling  twice+0x0/0x10 @ 1\n"
                "<4>[    1.003600] sched_switch: prev_comm=swapper prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=kworker/u2:0 next_pid=8 next_prio=120\n"
                "<4>[    1.004100] workqueue_execute_end: work struct 000000001: function slow_work\n"
                "<4>[    1.004150] workqueue_execute_start: work struct 000000002: function other_work\n"
                "<4>[    1.004400] sched_switch: prev_comm=kworker/u2:0 prev_pid=8 prev_prio=120 prev_state=I ==> next_comm=swapper next_pid=1 next_prio=120\n"
                "<7>[    1.004500] initcall twice+0x0/0x10 returned 0 after 1000 usecs\n"
                "<6>[    1.004600] Run /init as init process\n"
                /* after /init: not the initcalls' */
                "<4>[    1.005000] sched_switch: prev_comm=init prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=kworker/u2:0 next_pid=8 next_prio=120\n"
                "<4>[    1.009000] sched_switch: prev_comm=kworker/u2:0 prev_pid=8 prev_prio=120 prev_state=I ==> next_comm=init next_pid=1 next_prio=120\n"
                "<7>[    1.009100] calling  mod_init+0x0/0x10 [mod] @ 99\n";
        struct bgwork bg = { 0 };
        CHECK(bgwork_parse(log, &bg) == 0, "parse the small log");
        CHECK(bg.events == 9, "9 events (got %zu)", bg.events);
        /* slow_work: 1.0002-1.0012 and 1.0036-1.0041; other_work 1.00415-1.0044 (it stays "running"
         * on its kworker after the switch, but the kworker is off the CPU: nothing more) */
        CHECK(usecs_of(&bg.work, "slow_work", 0) == 1500, "slow_work 1500 usecs (got %lld)", usecs_of(&bg.work, "slow_work", 0));
        CHECK(usecs_of(&bg.work, "other_work", 0) == 250, "other_work 250 usecs (got %lld)", usecs_of(&bg.work, "other_work", 0));
        CHECK(bg.work.n == 2 && streq(bg.work.calls[0].name, "slow_work"), "two work functions, the most first");
        CHECK(usecs_of(&bg.inside, "early_one", 0) == 1000, "1000 inside early_one (got %lld)", usecs_of(&bg.inside, "early_one", 0));
        CHECK(usecs_of(&bg.inside, "twice", 0) == -1 && usecs_of(&bg.inside, "twice", 1) == 750,
              "750 inside the second call of twice, none in the first (got %lld)", usecs_of(&bg.inside, "twice", 1));

        struct initcall_log l = { .run_init_us = -1 };
        CHECK(initcall_parse(log, &l) == 0, "its initcalls");
        char *slow[] = { "slow_work", NULL };
        CHECK(bgwork_take_out(&bg, slow, &l) == 1500 && usecs_of(&l, "early_one", 0) == 2200 && usecs_of(&l, "twice", 1) == 500,
              "slow_work's taken out by key: early_one 2200, twice#1 500");
        initcall_log_free(&l);
        l = (struct initcall_log){ .run_init_us = -1 };
        CHECK(initcall_parse(log, &l) == 0 && bgwork_take_out(&bg, NULL, &l) == 1750 && usecs_of(&l, "early_one", 0) == 2200 &&
                      usecs_of(&l, "twice", 1) == 250,
              "all of it: early_one 2200, twice#1 250");
        initcall_log_free(&l);
        /* never below 0: more work seen inside than the timed initcall took */
        l = (struct initcall_log){ .run_init_us = -1 };
        CHECK(initcall_parse(log, &l) == 0, "its initcalls again");
        l.calls[initcall_find(&l, "early_one", "", 0)].usecs = 400;
        CHECK(bgwork_take_out(&bg, NULL, &l) == 400 + 750 && usecs_of(&l, "early_one", 0) == 0, "early_one down to 0, not below");
        initcall_log_free(&l);
        bgwork_free(&bg);

        /* a log without trace events: nothing, and nothing taken out */
        const char *plain = "<7>[    1.0] calling  a+0x0/0x1 @ 1\n<7>[    1.1] initcall a+0x0/0x1 returned 0 after 100000 usecs\n";
        CHECK(bgwork_parse(plain, &bg) == 0 && bg.events == 0 && bg.work.n == 0 && bg.inside.n == 0, "no events, no work");
        struct initcall_log l2 = { .run_init_us = -1 };
        CHECK(initcall_parse(plain, &l2) == 0 && bgwork_take_out(&bg, NULL, &l2) == 0 && usecs_of(&l2, "a", 0) == 100000, "nothing taken out");
        initcall_log_free(&l2);
        bgwork_free(&bg);

        /* two CPUs' switches in one log: a switch from a task that was not the last switched to */
        const char *two =
                "<7>[    1.000000] calling  a+0x0/0x1 @ 1\n"
                "<4>[    1.000100] sched_switch: prev_comm=swapper prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=kworker/0:1 next_pid=8 next_prio=120\n"
                "<4>[    1.000200] sched_switch: prev_comm=kworker/1:1 prev_pid=9 prev_prio=120 prev_state=I ==> next_comm=swapper next_pid=1 next_prio=120\n"
                "<7>[    1.000300] initcall a+0x0/0x1 returned 0 after 300 usecs\n";
        CHECK(bgwork_parse(two, &bg) == 0 && bg.foreign == 1, "a switch from pid 9 while pid 8 ran: foreign (got %zu)", bg.foreign);
        bgwork_free(&bg);

        /* a log without "Run /init" (cut short), and a line stamped earlier than the one before */
        const char *cut =
                "<7>[    2.000000] calling  b+0x0/0x1 @ 1\n"
                "<4>[    2.000100] sched_switch: prev_comm=swapper prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=kworker/u2:0 next_pid=8 next_prio=120\n"
                "<4>[    2.000200] workqueue_execute_start: work struct (____ptrval____): function w\n"
                "<6>[    2.000150] a line from an interrupt, stamped before the last\n"
                "<4>[    2.000400] workqueue_execute_end: work struct (____ptrval____): function w\n";
        CHECK(bgwork_parse(cut, &bg) == 0 && usecs_of(&bg.work, "w", 0) == 200 && usecs_of(&bg.inside, "b", 0) == 200,
              "w ran 200 usecs inside b, counted once (got %lld)", usecs_of(&bg.work, "w", 0));
        bgwork_free(&bg);
}

int main(void)
{
        test_fixture();
        test_rules();
        return tap_done();
}
