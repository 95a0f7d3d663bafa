/* The host/guest contract (common/contract.h, common/marker.c): every marker the init can write
 * is read back by the host as written, and lines that are not markers are not taken for one. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "common/macro.h"
#include "common/marker.h"

static void test_stage_round_trip(void)
{
        static const char *const names[] = { "init", "mounts", "hook:01-setup.sh", "payload", "shutdown" };
        static const unsigned long long times[] = { 0, 1, 2765627, 18446744073709551615ull };
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                for (size_t j = 0; j < sizeof times / sizeof *times; j++) {
                        char line[MARKER_LINE_MAX];
                        /* With and without a TSC reading (0: none said). */
                        uint64_t tsc = j % 2 ? 0 : times[j] * 1000u + 7;
                        int n = marker_format_stage(line, sizeof line, names[i], times[j], tsc, NULL);
                        struct marker m = { 0 };
                        CHECK(n > 0 && line[n - 1] == '\n' && marker_parse(line, &m) && m.kind == MARKER_STAGE &&
                                      streq(m.name, names[i]) && m.t_us == times[j] && m.tsc == tsc,
                              "stage %s at %llu (tsc %llu): formatted and parsed back", names[i], times[j],
                              (unsigned long long)tsc);
                }
}

static void test_exit_round_trip(void)
{
        static const int statuses[] = { 0, 1, 7, 124, 125, 127, 143, 255 };
        for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
                char line[MARKER_LINE_MAX];
                uint64_t tsc = i % 2 ? 0 : 18446744073709551615ull;
                int n = marker_format_exit(line, sizeof line, statuses[i], 2246934, tsc, NULL);
                struct marker m = { 0 };
                CHECK(n > 0 && marker_parse(line, &m) && m.kind == MARKER_EXIT && m.status == statuses[i] &&
                              m.t_us == 2246934 && m.tsc == tsc,
                      "exit %d: formatted and parsed back", statuses[i]);
        }
}

static void test_output_round_trip(void)
{
        static const char *const where[] = { OUTPUT_PORT, OUTPUT_CONSOLE };
        for (size_t i = 0; i < 2; i++) {
                char line[MARKER_LINE_MAX];
                struct marker m = { 0 };
                CHECK(marker_format_output(line, sizeof line, where[i], NULL) > 0 && marker_parse(line, &m) &&
                              m.kind == MARKER_OUTPUT && streq(m.name, where[i]),
                      "output=%s: formatted and parsed back", where[i]);
        }
        char line[64];
        CHECK(marker_format_output(line, sizeof line, "tty S1", NULL) == -EINVAL, "an output with a blank is refused");
}

static void test_names(void)
{
        char line[MARKER_LINE_MAX], longest[MARKER_NAME_MAX + 2];
        memset(longest, 'x', MARKER_NAME_MAX);
        longest[MARKER_NAME_MAX] = '\0';
        struct marker m = { 0 };
        CHECK(marker_format_stage(line, sizeof line, longest, 5, 18446744073709551615ull, NULL) > 0 && marker_parse(line, &m) &&
                      strlen(m.name) == MARKER_NAME_MAX,
              "a name of MARKER_NAME_MAX characters fits the line and comes back whole");
        longest[MARKER_NAME_MAX] = 'x';
        longest[MARKER_NAME_MAX + 1] = '\0';
        CHECK(marker_format_stage(line, sizeof line, longest, 5, 0, NULL) == -EINVAL, "a longer name is refused");
        CHECK(marker_format_stage(line, sizeof line, "hook:a b", 5, 0, NULL) == -EINVAL, "a name with a blank is refused");
        CHECK(marker_format_stage(line, sizeof line, "", 5, 0, NULL) == -EINVAL, "an empty name is refused");
        CHECK(marker_format_stage(line, 10, "init", 5, 0, NULL) == -ENOBUFS, "a buffer too small: -ENOBUFS");
        CHECK(marker_format_exit(line, 10, 0, 5, 0, NULL) == -ENOBUFS, "an exit marker too: -ENOBUFS");
}

/* Lines as the console carries them, from a --debug boot: markers after a kernel message on the
 * same line are still markers; the rest are not. */
static void test_console_lines(void)
{
        static const struct {
                const char *line;
                int kind; /* -1: not a marker */
                const char *name;
                unsigned long long t;
        } cases[] = {
                { "leanboot: stage=udev t_us=2289482\r\n", MARKER_STAGE, "udev", 2289482 },
                { "[    2.178885] tsc: Refined TSC clocksourceleanboot: stage=payload t_us=2293794", MARKER_STAGE, "payload", 2293794 },
                { "leanboot: exit=3 t_us=2497558\n", MARKER_EXIT, NULL, 2497558 },
                { "leanboot-init: udev mode off\n", -1, NULL, 0 },
                { "leanboot: stages (host clock, ms from QEMU start): init=2918.0\n", -1, NULL, 0 },
                { "leanboot: stage=payload\n", -1, NULL, 0 },
                { "leanboot: stage=payload t_us=\n", -1, NULL, 0 },
                { "leanboot: exit=x t_us=5\n", -1, NULL, 0 },
                { "[    0.271365] Kernel panic - not syncing: VFS: Unable to mount root fs\n", -1, NULL, 0 },
                { "", -1, NULL, 0 },
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct marker m = { 0 };
                bool got = marker_parse(cases[i].line, &m);
                if (cases[i].kind < 0) {
                        CHECK(!got, "not a marker: '%.40s'", cases[i].line);
                        continue;
                }
                CHECK(got && (int)m.kind == cases[i].kind && m.t_us == cases[i].t &&
                              (!cases[i].name || streq(m.name, cases[i].name)),
                      "a marker: '%.40s'", cases[i].line);
        }
        /* An instruction-clock boot's marker: the TSC after t_us; a carriage return ends it. */
        struct marker m = { 0 };
        CHECK(marker_parse("leanboot: stage=init t_us=26117 tsc=58331904\r\n", &m) && m.t_us == 26117 && m.tsc == 58331904,
              "a marker's tsc= is read");
        CHECK(marker_parse("leanboot: exit=0 t_us=27825 tsc=x\n", &m) && m.kind == MARKER_EXIT && m.tsc == 0,
              "a tsc= that is not a number reads as none");
}

/* The boot's nonce: written after the TSC, read back whole, refused when a marker could not carry
 * it; where the marker starts on its line is said. */
static void test_nonce(void)
{
        char line[MARKER_LINE_MAX];
        static const char *const nonces[] = { "0123456789abcdef", "0", "0123456789abcdef0123456789abcdef" };
        for (size_t i = 0; i < sizeof nonces / sizeof *nonces; i++) {
                struct marker m = { 0 };
                CHECK(marker_format_stage(line, sizeof line, "payload", 7, 9, nonces[i]) > 0 && marker_parse(line, &m) &&
                              streq(m.nonce, nonces[i]) && m.tsc == 9 && m.at_line_start,
                      "stage marker with nonce %s", nonces[i]);
                CHECK(marker_format_exit(line, sizeof line, 3, 7, 0, nonces[i]) > 0 && marker_parse(line, &m) &&
                              m.kind == MARKER_EXIT && m.status == 3 && streq(m.nonce, nonces[i]),
                      "exit marker with nonce %s", nonces[i]);
                CHECK(marker_format_output(line, sizeof line, "ttyS1", nonces[i]) > 0 && marker_parse(line, &m) &&
                              m.kind == MARKER_OUTPUT && streq(m.name, "ttyS1") && streq(m.nonce, nonces[i]),
                      "output marker with nonce %s", nonces[i]);
        }
        CHECK(marker_format_stage(line, sizeof line, "init", 5, 0, "ABC") == -EINVAL, "an uppercase nonce is refused");
        CHECK(marker_format_exit(line, sizeof line, 0, 5, 0, "0123456789abcdef0123456789abcdef0") == -EINVAL,
              "a nonce of 33 digits is refused");
        struct marker m = { 0 };
        CHECK(!marker_parse("leanboot: exit=0 t_us=5 nonce=0123456789abcdef0123456789abcdef0\n", &m),
              "a marker with an over-long nonce is not one");
        CHECK(!marker_parse("leanboot: exit=0 t_us=5 nonce=xyz\n", &m), "a marker with a nonce that is not hex is not one");
        CHECK(marker_parse("[    1.0] xleanboot: stage=udev t_us=5\n", &m) && !m.at_line_start,
              "a marker after a kernel message: not at the line's start");
        CHECK(marker_parse("leanboot: stage=udev t_us=5\n", &m) && m.at_line_start && m.nonce[0] == '\0',
              "a marker at the line's start without a nonce");
}

/* The kernel log's framing: the header the init writes is the one the bench reads. */
static void test_klog_header(void)
{
        char head[64];
        int n = -1;
        snprintf(head, sizeof head, KLOG_HEADER_FORMAT, 61234);
        CHECK(sscanf(head, KLOG_HEADER_FORMAT, &n) == 1 && n == 61234, "KLOG header: formatted and parsed back");
        CHECK(head[strlen(head) - 1] == '\n' && KLOG_TRAILER[0] == '\n', "header and trailer end and start lines");
}

int main(void)
{
        test_stage_round_trip();
        test_exit_round_trip();
        test_output_round_trip();
        test_names();
        test_console_lines();
        test_nonce();
        test_klog_header();
        return tap_done();
}
