/* common/klog.c and common/kstage.c: a kernel log line's prefixes, and the kernel stage outside
 * the boot initcalls.  Two real logs first (a defconfig kernel the tailor cut down, and Debian's
 * stock kernel, both under TCG), whose longest stretches were also read by a separate script of
 * the same logs; then small logs for each rule. */
#include <config.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/klog.h"
#include "common/kstage.h"
#include "common/macro.h"

static void test_prefixes(void)
{
        static const struct {
                const char *line, *msg;
                double us;
        } cases[] = {
                { "<6>[    0.204114] devtmpfs: initialized", "devtmpfs: initialized", 204114 },
                { "[    1.5] x", "x", 1500000 },
                { "[1.5]x", "x", 1500000 },
                { "6,812,2000652,-;Run /init as init process", "Run /init as init process", 2000652 },
                { "<7>no time", "no time", -1 },
                { "plain text", "plain text", -1 },
                { "[1e308] too late", "too late", -1 },        /* past a year: not a boot's */
                { "[-1.0] before the boot", "before the boot", -1 },
                { "[ ] empty", "[ ] empty", -1 },
                { "7,1,2\n;next line", "7,1,2\n;next line", -1 }, /* the ';' is another line's */
                { "[\n 5] x", "[\n 5] x", -1 },                  /* nor is a timestamp */
                { "<1\n>[ 5.0] x", "<1\n>[ 5.0] x", -1 },        /* nor a level's '>' */
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                double us;
                const char *m = klog_strip_prefixes(cases[i].line, &us);
                CHECK(streq(m, cases[i].msg) && fabs(us - cases[i].us) < 0.5, "prefixes of '%s': '%s' at %.0f", cases[i].line, m, us);
        }
}

static void test_run_init(void)
{
        static const struct {
                const char *msg;
                bool is;
        } cases[] = {
                { "Run /init as init process", true },
                { "Run /sbin/init as init process", true },          /* init= */
                { "console junk Run /init as init process\r", true }, /* anywhere in the line */
                { "Run /init\n as init process", false },            /* not on one line */
                { "Running /init", false },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                CHECK(klog_is_run_init(cases[i].msg) == cases[i].is, "'%s': %s", cases[i].msg, cases[i].is ? "the end" : "not");
}

static double stretches_sum(const struct kstage *k)
{
        double sum = 0;
        for (size_t i = 0; i < k->n; i++)
                sum += k->longest[i].usecs;
        return sum;
}

static int parse(const char *text, size_t max, struct initcall_log *l, struct kstage *k)
{
        *l = (struct initcall_log){ .run_init_us = -1 };
        int r = initcall_parse(text, l);
        return r ?: kstage_parse(text, l, max, k);
}

/* The stretch at rank I: its time, start, and the two lines (BEFORE by its start). */
static bool stretch_is(const struct kstage *k, size_t i, double usecs, double start, const char *after, const char *before)
{
        return i < k->n && fabs(k->longest[i].usecs - usecs) < 0.5 && fabs(k->longest[i].start_us - start) < 0.5 &&
               streq(k->longest[i].after, after) && strncmp(k->longest[i].before, before, strlen(before)) == 0;
}

static void test_fixtures(void)
{
        const char *dir = getenv("FIXTURES");
        _cleanup_free_ char *p = path_join(dir ? dir : "tests/fixtures", "debian-6.1-defconfig-tailored-tcg-trace.log");
        _cleanup_free_ char *q = path_join(dir ? dir : "tests/fixtures", "debian-6.1-stock-tcg-initcall_debug.log");
        _cleanup_free_ char *text = NULL, *stock = NULL;
        CHECK(read_full_file(p, &text, NULL) == 0 && read_full_file(q, &stock, NULL) == 0, "read the fixtures");
        if (!text || !stock)
                return;
        struct initcall_log l;
        struct kstage k = { 0 };
        CHECK(parse(text, 5, &l, &k) == 0, "the tailored kernel's log");
        CHECK(k.reached_init && fabs(k.end_us - 425088) < 0.5, "Run /init at 425.088 ms (got %.0f)", k.end_us);
        CHECK(fabs(k.outside_us + (double)initcall_total_us(&l) - k.end_us) < 1, "outside %.0f + initcalls %lld = %.0f", k.outside_us,
              initcall_total_us(&l), k.end_us);
        CHECK(k.n == 5, "five stretches kept (got %zu)", k.n);
        /* a one-CPU kernel calibrating its local APIC timer in smp_init, then DEBUG_WX */
        CHECK(stretch_is(&k, 0, 204114, 50383, "initcall init_zero_pfn+0x0/0x37 returned 0 after 0 usecs", "sched_switch: "),
              "the longest: 204.114 ms after init_zero_pfn's initcall (got %.0f)", k.n ? k.longest[0].usecs : -1);
        CHECK(stretch_is(&k, 1, 114988, 310097, "Freeing unused kernel image (rodata/data gap) memory: 368K",
                         "x86/mm: Checked W+X mappings: passed, no W+X pages found."),
              "then 114.988 ms before the W+X check");
        CHECK(stretch_is(&k, 4, 5998, 152, "Using GB pages for direct mapping", "printk: log_buf_len: 1048576 bytes"),
              "the fifth: 5.998 ms (got %.0f)", k.n > 4 ? k.longest[4].usecs : -1);
        kstage_free(&k);
        /* every stretch kept: they add up to the same, the initcalls' spans being their own lines' */
        CHECK(kstage_parse(text, &l, 100000, &k) == 0 && fabs(stretches_sum(&k) - 374622) < 1,
              "all the stretches: 374.622 ms (got %.0f in %zu)", stretches_sum(&k), k.n);
        kstage_free(&k);
        initcall_log_free(&l);

        /* the console's escape codes before the first line */
        CHECK(parse(stock, 3, &l, &k) == 0, "Debian's stock kernel's log");
        CHECK(k.reached_init && fabs(k.end_us - 1998625) < 0.5, "Run /init at 1998.625 ms (got %.0f)", k.end_us);
        CHECK(fabs(k.outside_us - 1150687) < 0.5, "outside: 1998.625 less 847.938 ms of initcalls (got %.0f)", k.outside_us);
        CHECK(stretch_is(&k, 0, 231315, 298587, "x86/fpu: x87 FPU will use FXSAVE", "Freeing SMP alternatives memory: 36K"),
              "the longest: 231.315 ms (got %.0f)", k.n ? k.longest[0].usecs : -1);
        CHECK(stretch_is(&k, 2, 97363, 1900645, "Freeing unused kernel image (rodata/data gap) memory: 1108K", "x86/mm: Checked W+X"),
              "the third: DEBUG_WX's 97.363 ms");
        kstage_free(&k);
        /* 27 us of the kernel's own initcall times lie past their lines: the stretches say 27 more */
        CHECK(kstage_parse(stock, &l, 100000, &k) == 0 && fabs(stretches_sum(&k) - 1150714) < 1,
              "all the stretches: 1150.714 ms (got %.0f)", stretches_sum(&k));
        kstage_free(&k);
        initcall_log_free(&l);
}

static void test_rules(void)
{
        struct initcall_log l;
        struct kstage k = { 0 };
        /* an initcall's span is not outside, nor is a module's a boot's; the window ends at /init */
        const char *log = "[    0.000000] Linux version 6.1\n"
                          "[    0.001000] calling  f+0x0/0x1 @ 1\n"
                          "[    0.005000] initcall f+0x0/0x1 returned 0 after 4000 usecs\n"
                          "[    0.004000] a line stamped late\n"
                          "[    0.006000] b\n"
                          "[    0.010000] Run /init as init process\n"
                          "[    0.050000] after the kernel stage\n";
        CHECK(parse(log, 2, &l, &k) == 0, "a small log");
        CHECK(k.reached_init && fabs(k.end_us - 10000) < 0.5, "ends at Run /init (got %.0f)", k.end_us);
        CHECK(fabs(k.outside_us - 6000) < 0.5, "1 + 1 + 4 ms outside f (got %.0f)", k.outside_us);
        CHECK(k.n == 2 && stretch_is(&k, 0, 4000, 6000, "b", "Run /init as init process") &&
                      stretch_is(&k, 1, 1000, 0, "Linux version 6.1", "calling  f+0x0/0x1 @ 1"),
              "the longest two, the first of equal ones kept");
        kstage_free(&k);
        initcall_log_free(&l);

        /* a stretch an initcall covers in part; /dev/kmsg records; no limit on what is kept */
        log = "6,1,0,-;start\n"
              "7,2,1000,-;calling  g+0x0/0x1 @ 1\n"
              "7,3,3000,-;initcall g+0x0/0x1 returned 0 after 1500 usecs\n"
              "6,4,3500,-;Run /sbin/init as init process\n";
        CHECK(parse(log, 0, &l, &k) == 0 && k.n == 0, "max 0: no stretch kept");
        CHECK(k.reached_init && fabs(k.outside_us - 2000) < 0.5, "1 + 0.5 + 0.5 ms outside g (got %.0f)", k.outside_us);
        kstage_free(&k);
        initcall_log_free(&l);

        CHECK(parse("[0.1] \x1b[2Jclear\r\n[0.2] caf\xc3\xa9\tx\n", 3, &l, &k) == 0 && k.n == 1 &&
                      stretch_is(&k, 0, 1e5, 1e5, "?[2Jclear", "caf???x"),
              "escape codes, tabs and non-ASCII bytes read as '?', a CR as the line's end");
        kstage_free(&k);
        initcall_log_free(&l);

        /* the end even stamped before the line above it; a log whose start the ring buffer lost */
        log = "[    2.000000] x\n"
              "[    2.500000] y\n"
              "[    2.400000] Run /init as init process\n"
              "[    9.000000] user space\n";
        CHECK(parse(log, 3, &l, &k) == 0, "a wrapped log, Run /init stamped early");
        CHECK(k.reached_init && fabs(k.end_us - 2500000) < 0.5 && fabs(k.first_us - 2000000) < 0.5 && fabs(k.outside_us - 500000) < 0.5,
              "from 2 s to 2.5 s: 0.5 s outside (got %.0f to %.0f, %.0f)", k.first_us, k.end_us, k.outside_us);
        kstage_free(&k);
        initcall_log_free(&l);

        CHECK(parse("no timestamps\nat all\n", 3, &l, &k) == 0, "a log without timestamps");
        CHECK(!k.reached_init && k.end_us < 0 && k.outside_us == 0 && k.n == 0, "nothing measured (end %.0f)", k.end_us);
        kstage_free(&k);
        initcall_log_free(&l);

        CHECK(parse("[0.5] x\n[1.5] y\n", 3, &l, &k) == 0, "a log cut before /init");
        CHECK(!k.reached_init && fabs(k.end_us - 1500000) < 0.5 && k.n == 1 && stretch_is(&k, 0, 1e6, 5e5, "x", "y"),
              "ends at its last line, one stretch");
        kstage_free(&k);
        initcall_log_free(&l);
}

static double json_number(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : NAN;
}

/* One writer for both documents: analyze's keys in microseconds, the tailor report's in ms. */
static void test_json(void)
{
        struct initcall_log l;
        struct kstage k;
        CHECK(parse("[0.5] x\n[1.5] y\n[2.0] Run /init as init process\n", 1, &l, &k) == 0, "a small log");
        json_object *us = kstage_to_json(&k, KSTAGE_US), *ms = kstage_to_json(&k, KSTAGE_MS);
        CHECK(json_number(us, "first_us") == 500000 && json_number(us, "end_us") == 2000000 && json_number(us, "outside_us") == 1500000,
              "in us: %s", json_object_to_json_string(us));
        CHECK(json_number(ms, "first_ms") == 500 && json_number(ms, "end_ms") == 2000 && json_number(ms, "outside_ms") == 1500 &&
                      isnan(json_number(ms, "end_us")),
              "in ms: %s", json_object_to_json_string(ms));
        json_object *v, *e = NULL;
        if (json_object_object_get_ex(ms, "stretches", &v) && json_object_array_length(v) == 1)
                e = json_object_array_get_idx(v, 0);
        CHECK(e && json_number(e, "start_ms") == 500 && json_number(e, "duration_ms") == 1000 &&
                      streq(json_object_get_string(json_object_object_get(e, "after")), "x") &&
                      streq(json_object_get_string(json_object_object_get(e, "before")), "y"),
              "the longest stretch, 1000 ms from x to y (kept: 1)");
        json_object_put(us);
        json_object_put(ms);
        kstage_free(&k);
        initcall_log_free(&l);

        CHECK(parse("no timestamps\n", 1, &l, &k) == 0 && kstage_to_json(&k, KSTAGE_MS) == NULL, "no timestamps: null");
        kstage_free(&k);
        initcall_log_free(&l);
}

int main(void)
{
        test_prefixes();
        test_run_init();
        test_fixtures();
        test_rules();
        test_json();
        return tap_done();
}
