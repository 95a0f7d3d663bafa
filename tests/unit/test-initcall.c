/* The initcall parser on the real Debian 6.1 log and on every line shape it accepts. */
#include <config.h>

#include <stdlib.h>

#include "tap.h"
#include "benchmark/initcall.h"
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
        /* Counted independently: grep -cE 'initcall .* returned .* after N usecs' and an awk sum. */
        CHECK(l.n == 670, "670 records (got %zu)", l.n);
        CHECK(initcall_total_us(&l) == 806479, "total 806479 us (got %lld)", initcall_total_us(&l));
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
        i = initcall_find(&l, "slow_init", "", 0);
        CHECK(i >= 0 && l.calls[i].usecs == 2000, "msecs read as 2000 us");
        CHECK(initcall_find(&l, "noisy_init", "", 0) >= 0, "record after console noise");
        CHECK(initcall_find(&l, "trunc_init", "", 0) < 0, "truncated record not guessed at");
        CHECK(l.run_init_us == 3200000.0, "Run /init time (%.0f)", l.run_init_us);
        initcall_log_free(&l);

        CHECK(initcall_parse("", &l) == 0 && l.n == 0 && l.run_init_us < 0, "empty log: no records");
        initcall_log_free(&l);
}

int main(void)
{
        test_fixture();
        test_shapes();
        return tap_done();
}
