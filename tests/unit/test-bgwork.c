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

        /* taken out of the same boot's initcalls: what they cost themselves */
        struct initcall_log l = { .run_init_us = -1 };
        CHECK(initcall_parse(text, &l) == 0, "the initcalls of the fixture");
        long long before = usecs_of(&l, "crypto_algapi_init", 0), total = initcall_total_us(&l);
        long long taken = bgwork_take_out(&bg, &l);
        CHECK(taken > 31000 && taken <= 31634, "about 31.6 ms taken out in all (got %lld)", taken);
        CHECK(initcall_total_us(&l) == total - taken, "the total less what was taken");
        CHECK(before >= 11011 && usecs_of(&l, "crypto_algapi_init", 0) == before - 11011, "crypto_algapi_init %lld -> %lld", before,
              usecs_of(&l, "crypto_algapi_init", 0));
        initcall_log_free(&l);
        bgwork_free(&bg);
}

/* Small logs: each line as the kernel prints it. */
static void test_rules(void)
{
        const char *log =
                "<7>[    1.000000] calling  early_one+0x0/0x10 @ 1\n"
                /* work before the first... no: the window is open from the first initcall */
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
        CHECK(bgwork_take_out(&bg, &l) == 1750 && usecs_of(&l, "early_one", 0) == 2200 && usecs_of(&l, "twice", 1) == 250,
              "taken out by key: early_one 2200, twice#1 250");
        initcall_log_free(&l);
        bgwork_free(&bg);

        /* a log without trace events: nothing, and nothing taken out */
        const char *plain = "<7>[    1.0] calling  a+0x0/0x1 @ 1\n<7>[    1.1] initcall a+0x0/0x1 returned 0 after 100000 usecs\n";
        CHECK(bgwork_parse(plain, &bg) == 0 && bg.events == 0 && bg.work.n == 0 && bg.inside.n == 0, "no events, no work");
        struct initcall_log l2 = { .run_init_us = -1 };
        CHECK(initcall_parse(plain, &l2) == 0 && bgwork_take_out(&bg, &l2) == 0 && usecs_of(&l2, "a", 0) == 100000, "nothing taken out");
        initcall_log_free(&l2);
        bgwork_free(&bg);
}

int main(void)
{
        test_fixture();
        test_rules();
        return tap_done();
}
