/* The initcall parser on the real Debian 6.1 log and on every line shape it accepts. */
#include <config.h>

#include <stdlib.h>

#include "tap.h"
#include "common/initcall.h"
#include "common/fileio.h"
#include "common/macro.h"

static void test_fixture(void)
{
        const char *dir = getenv("FIXTURES");
        _cleanup_free_ char *p = path_join(dir ? dir : "tests/fixtures", "debian-6.1-stock-tcg-initcall_debug.log");
        _cleanup_free_ char *text = NULL;
        CHECK(read_full_file(p, &text, NULL) == 0, "read the fixture");
        struct initcall_log l;
        CHECK(initcall_parse(text, &l) == 0, "parse");
        /* Counted independently: grep -cE 'initcall .* returned .* after N usecs'; the kernel's
         * own durations sum to 806479 us (awk).  The 285 initcalls called before "Switched to
         * clocksource tsc-early" were timed on the tick; from their timestamps, less the median
         * cost of a "calling" line on this serial-console log (154 us, from the 385 later pairs),
         * the total is 847938 us (a separate Python script over the same log). */
        CHECK(l.n == 670, "670 records (got %zu)", l.n);
        CHECK(l.from_timestamps == 285, "285 tick-timed records (got %zu)", l.from_timestamps);
        CHECK(l.calling_line_cost_us == 154.0, "a calling line costs 154 us here (got %.1f)", l.calling_line_cost_us);
        CHECK(initcall_total_us(&l) == 847938, "total 847938 us (got %lld)", initcall_total_us(&l));
        ssize_t c = initcall_find(&l, "univ8250_console_init", "", 0);
        CHECK(c >= 0 && l.calls[c].usecs == 34141,
              "the console's backlog flush, 0 us on the tick, is 34141 us by the timestamps");
        CHECK(l.lines_skipped == 0, "nothing skipped");
        ssize_t i = initcall_find(&l, "crypto_algapi_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 192244, "crypto_algapi_init took 192244 us");
        i = initcall_find(&l, "con_init", "", 0);
        CHECK(i >= 0 && l.calls[i].start_us > 209000 && l.calls[i].start_us < 212000,
              "con_init start from its 'calling' line (%.0f)", i >= 0 ? l.calls[i].start_us : -1);
        CHECK(l.run_init_us > 1998000 && l.run_init_us < 1999000, "userspace at 1998.6 ms (%.0f)", l.run_init_us);
        initcall_log_free(&l);
}

static void test_shapes(void)
{
        const char *text =
                "garbage line with no record\n"
                "[    0.100000] calling  foo_init+0x0/0x10 @ 1\n"
                "[    0.100500] initcall foo_init+0x0/0x10 returned 0 after 400 usecs\n"
                "initcall bar_init+0x0/0x20 [bar] returned -19 after 7 usecs\n"          /* no time, module */
                "<7>[    1.000000] initcall 0xffffffff81a2b3c4 returned 0 after 12 usecs\n" /* raw address */
                "6,321,2000000,-;initcall dup_init+0x0/0x8 returned 0 after 3 usecs\n"   /* /dev/kmsg */
                "7,322,2000100,-;initcall dup_init+0x0/0x8 returned 0 after 5 usecs\n"   /* same name again */
                "[    2.5] initcall dup_init+0x0/0x8 [other] returned 0 after 9 usecs\n"  /* same name, module */
                "[    3.0] initcall slow_init+0x0/0x8 returned 0 after 2 msecs\n"        /* msecs */
                "console noise [    3.1] initcall noisy_init+0x0/0x8 returned 0 after 1 usecs\n"
                "[    3.2] Run /init as init process\n"
                "[    3.3] initcall trunc_init+0x0/0x8 returned 0 aft";                  /* truncated, no newline */
        struct initcall_log l;
        CHECK(initcall_parse(text, &l) == 0, "parse shapes");
        CHECK(l.n == 8, "8 records (got %zu)", l.n);
        CHECK(l.lines_skipped == 1, "the truncated line is counted as skipped (%zu)", l.lines_skipped);
        ssize_t i = initcall_find(&l, "foo_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 400 && l.calls[i].start_us == 100000.0, "foo_init: 400 us from 100 ms");
        i = initcall_find(&l, "bar_init", "bar", 0);
        CHECK(i >= 0 && l.calls[i].ret == -19 && l.calls[i].start_us < 0, "bar_init [bar]: -19, no time");
        i = initcall_find(&l, "0xffffffff81a2b3c4", "", 0);
        CHECK(i >= 0 && l.calls[i].start_us == 1000000.0 - 12, "raw address, start = end - duration");
        CHECK(initcall_find(&l, "dup_init", "", 0) >= 0 && initcall_find(&l, "dup_init", "", 1) >= 0,
              "dup_init twice: occurrences 0 and 1");
        i = initcall_find(&l, "dup_init", "", 1);
        CHECK(i >= 0 && l.calls[i].usecs == 5 && l.calls[i].start_us == 2000100.0 - 5, "kmsg time in us");
        CHECK(initcall_find(&l, "dup_init", "other", 0) >= 0, "same name, other module: its own key");
        /* Boot initcalls (built in) and modules' init functions (loaded later by user space) apart:
         * 400 + 12 + 3 + 5 + 2000 + 1 us built in, 7 + 9 us in modules. */
        size_t nb = 0, nm = 0;
        CHECK(initcall_part_us(&l, INITCALLS_BOOT, &nb) == 2421 && nb == 6, "boot initcalls: 6, 2421 us (%zu)", nb);
        CHECK(initcall_part_us(&l, INITCALLS_MODULES, &nm) == 16 && nm == 2, "module initcalls: 2, 16 us (%zu)", nm);
        CHECK(initcall_part_us(&l, INITCALLS_BOOT, NULL) + initcall_part_us(&l, INITCALLS_MODULES, NULL) == initcall_total_us(&l),
              "the two parts make the total");
        i = initcall_find(&l, "slow_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 2000, "msecs read as 2000 us");
        CHECK(initcall_find(&l, "noisy_init", "", 0) >= 0, "record after console noise");
        CHECK(initcall_find(&l, "trunc_init", "", 0) < 0, "truncated record not guessed at");
        CHECK(l.run_init_us == 3200000.0, "Run /init time (%.0f)", l.run_init_us);
        initcall_log_free(&l);

        CHECK(initcall_parse("", &l) == 0 && l.n == 0 && l.run_init_us < 0, "empty log: no records");
        initcall_log_free(&l);
}

/* Before the switch to a real clocksource the kernel's durations move in ticks: the timestamps
 * are used, less a "calling" line's cost measured after the switch (here 10 us, hand-checked). */
static void test_tick_timed(void)
{
        const char *text =
                "[    0.010000] calling  early_init+0x0/0x10 @ 1\n"
                "[    0.012510] initcall early_init+0x0/0x10 returned 0 after 4000 usecs\n"   /* 2510 - 10 */
                "[    0.013000] calling  tiny_init+0x0/0x10 @ 1\n"
                "[    0.013005] initcall tiny_init+0x0/0x10 returned 0 after 0 usecs\n"       /* 5 - 10 -> 0 */
                "[    0.014000] clocksource: Switched to clocksource refined-jiffies\n"       /* still a tick */
                "[    0.015000] calling  still_tick+0x0/0x10 @ 1\n"
                "[    0.015300] initcall still_tick+0x0/0x10 returned 0 after 0 usecs\n"      /* 300 - 10 */
                "[    0.020000] calling  clocksource_done_booting+0x0/0x42 @ 1\n"
                "[    0.020600] clocksource: Switched to clocksource tsc-early\n"
                "[    0.021000] initcall clocksource_done_booting+0x0/0x42 returned 0 after 4000 usecs\n"
                "[    0.030000] calling  late_a+0x0/0x10 @ 1\n"
                "[    0.030110] initcall late_a+0x0/0x10 returned 0 after 100 usecs\n"         /* cost 10 */
                "[    0.031000] calling  late_b+0x0/0x10 @ 1\n"
                "[    0.031210] initcall late_b+0x0/0x10 returned 0 after 200 usecs\n"        /* cost 10 */
                "[    0.032000] calling  late_c+0x0/0x10 @ 1\n"
                "[    0.032060] initcall late_c+0x0/0x10 returned 0 after 10 usecs\n";        /* cost 50 */
        struct initcall_log l;
        CHECK(initcall_parse(text, &l) == 0, "parse the tick log");
        CHECK(l.calling_line_cost_us == 10.0, "calling-line cost: median of 10, 10, 50 (got %.1f)", l.calling_line_cost_us);
        CHECK(l.from_timestamps == 4, "4 tick-timed records (got %zu)", l.from_timestamps);
        ssize_t i = initcall_find(&l, "early_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 2500, "early_init: 2500 us, not the tick's 4000");
        i = initcall_find(&l, "tiny_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 0, "tiny_init: never negative");
        i = initcall_find(&l, "still_tick", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 290, "refined-jiffies is still the tick");
        i = initcall_find(&l, "clocksource_done_booting", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 990, "the switching initcall was called on the tick: 990 us");
        i = initcall_find(&l, "late_a", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 100 && !l.calls[i].from_timestamps, "after the switch: the kernel's own 100 us");
        initcall_log_free(&l);

        /* Without a switch line (a log that does not start at boot) nothing is re-timed. */
        CHECK(initcall_parse("[    5.000000] calling  x_init+0x0/0x1 @ 1\n"
                             "[    5.002500] initcall x_init+0x0/0x1 returned 0 after 4000 usecs\n", &l) == 0 &&
              l.n == 1 && l.calls[0].usecs == 4000 && l.from_timestamps == 0, "no switch line: the kernel's durations");
        initcall_log_free(&l);
}

/* A function name followed by an unclosed module bracket: refused once, freed once (it used to
 * be freed twice, by the name parser and by its caller). */
static void test_unclosed_module(void)
{
        struct initcall_log l;
        int r = initcall_parse("calling  x [\ninitcall x [\n[    0.1] initcall y [mod returned 0 after 5 usecs\n", &l);
        CHECK(r == 0 && l.n == 0 && l.lines_skipped == 2, "unclosed [module: no record, 2 lines skipped (%d, %zu, %zu)",
              r, r == 0 ? l.n : 0, r == 0 ? (size_t)l.lines_skipped : 0);
        if (r == 0)
                initcall_log_free(&l);
}

/* Numbers no boot has (the audit's: negative totals and shares of -9e17%): a duration past an
 * hour is a garbled line, a timestamp past a year is no timestamp. */
static void test_absurd_numbers(void)
{
        struct initcall_log l;
        int r = initcall_parse("initcall a+0x0/0x1 returned 0 after 9223372036854775807 msecs\n"
                               "initcall b+0x0/0x1 returned 0 after 9223372036854775807 usecs\n"
                               "initcall c+0x0/0x1 returned 0 after -5 usecs\n"
                               "[1e308] calling  d+0x0/0x1 @ 1\n"
                               "[1e308] initcall d+0x0/0x1 returned 0 after 7 usecs\n"
                               "[inf] initcall e+0x0/0x1 returned 0 after 3 msecs\n",
                               &l);
        CHECK(r == 0 && l.n == 2 && l.lines_skipped == 3, "3 absurd durations skipped, 2 records kept (%zu, %zu)",
              r == 0 ? l.n : 0, r == 0 ? (size_t)l.lines_skipped : 0);
        if (r != 0)
                return;
        CHECK(initcall_total_us(&l) == 3007, "the total is what the records say: 3007 us (%lld)", initcall_total_us(&l));
        CHECK(l.calls[0].start_us == -1 && l.calls[1].start_us == -1, "absurd timestamps: no start time");
        initcall_log_free(&l);
}

int main(void)
{
        test_unclosed_module();
        test_absurd_numbers();
        test_fixture();
        test_shapes();
        test_tick_timed();
        return tap_done();
}
