/* The console parser and stage derivation against real console transcripts
 * (tests/fixtures/console/, recorded from TCG boots with each line's host arrival time): the
 * markers come out with both clocks, and each stage is the arithmetic README "Measuring" says. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "benchmark/console.h"
#include "benchmark/stages.h"
#include "common/fileio.h"
#include "common/macro.h"

/* Feed a transcript to the console parser as QEMU would have, line by line at its host time. */
static int replay(const char *name, struct boot_result *r)
{
        const char *dir = getenv("FIXTURES");
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (asprintf(&path, "%s/console/%s", dir ? dir : "tests/fixtures", name) < 0 ||
            read_full_file(path, &text, NULL) < 0)
                return -1;
        *r = (struct boot_result){ .exit_status = -1 };
        struct console k;
        console_init(&k, r, NULL, -1, false, -1);
        uint64_t last = 0;
        for (char *l = text, *next; *l; l = next) {
                next = l + strcspn(l, "\n");
                if (*next)
                        *next++ = '\0';
                unsigned long long exit_us;
                if (sscanf(l, "# QEMU exited at %llu us", &exit_us) == 1)
                        r->host_exit_us = exit_us;
                if (l[0] == '#')
                        continue;
                char *sp = strchr(l, ' ');
                if (!sp)
                        continue;
                last = strtoull(l, NULL, 10);
                console_feed(&k, sp + 1, strlen(sp + 1), last);
                console_feed(&k, "\r\n", 2, last); /* as the guest's tty sends it */
        }
        console_finish(&k, last);
        return 0;
}

static void free_marks(struct boot_result *r)
{
        for (size_t i = 0; i < r->n_marks; i++)
                free(r->marks[i].name);
        free(r->marks);
        free(r->panic_line);
        free(r->console_tail);
}

#define CHECK_MS(st, s, want) \
        CHECK(fabs((st)[s] - (want)) < 0.0005, "%s: %.3f ms, want %.3f", stage_names[s], (st)[s], (double)(want))

/* A quiet stock-kernel boot: markers only (supermin's own lines aside). */
static void test_stock_quiet(void)
{
        struct boot_result r;
        CHECK(replay("stock-quiet.txt", &r) == 0, "stock-quiet.txt read");
        CHECK(r.n_marks == 8 && streq(r.marks[0].name, "init") && streq(r.marks[7].name, "exit"),
              "8 markers, init first, exit last (%zu)", r.n_marks);
        CHECK(r.marks[0].host_us == 2042232 && r.marks[0].guest_us == 1781348, "init: both clocks kept");
        CHECK(r.exit_status == 0 && !r.panic_line, "exit status 0, no panic");
        double st[N_STAGES];
        derive_stages(&r, NULL, GUEST_CLOCK_WALL, st);
        CHECK_MS(st, ST_TOTAL, 2143.131);                  /* QEMU's exit */
        CHECK_MS(st, ST_TO_READY, 2074.083);               /* the payload marker's arrival */
        CHECK_MS(st, ST_FIRMWARE, 2042.232 - 1781.348);    /* host arrival minus guest clock at init */
        CHECK_MS(st, ST_INIT, 1814.825 - 1781.348);        /* init to payload, guest clock */
        CHECK_MS(st, ST_PAYLOAD, 1872.418 - 1814.825);     /* payload to shutdown */
        CHECK_MS(st, ST_SHUTDOWN, 2143.131 - 2131.847);    /* shutdown marker to QEMU's exit, host clock */
        CHECK_MS(st, ST_MOUNTS, 1795.632 - 1785.073);        /* mounts to the next marker (cmdline) */
        CHECK_MS(st, ST_MODULES, 1812.500 - 1811.515);
        CHECK_MS(st, ST_UDEV, 1814.825 - 1812.500);
        CHECK(isnan(st[ST_KERNEL]) && isnan(st[ST_INITRD]) && isnan(st[ST_INITCALLS]) && isnan(st[ST_HOOKS]),
              "without a kernel log: no kernel, initrd or initcalls stage; no hooks");
        free_marks(&r);
}

/* A --debug boot of the cut-down kernel: 146 kernel and supermin lines around the markers. */
static void test_custom_debug(void)
{
        struct boot_result r;
        CHECK(replay("custom-debug.txt", &r) == 0, "custom-debug.txt read");
        CHECK(r.n_marks == 8, "the 8 markers among the kernel's lines (%zu)", r.n_marks);
        double st[N_STAGES];
        derive_stages(&r, NULL, GUEST_CLOCK_WALL, st);
        CHECK_MS(st, ST_FIRMWARE, 507.476 - 390.272);
        CHECK_MS(st, ST_INIT, 418.640 - 390.272);
        CHECK_MS(st, ST_PAYLOAD, 463.876 - 418.640);
        CHECK_MS(st, ST_TOTAL, 589.745);
        CHECK(r.exit_status == 0, "exit status 0");
        free_marks(&r);
}

/* A boot that panics before the init: no marker, the panic line without its printk time. */
static void test_custom_panic(void)
{
        struct boot_result r;
        CHECK(replay("custom-panic.txt", &r) == 0, "custom-panic.txt read");
        CHECK(r.n_marks == 0 && r.exit_status == -1, "no marker, no exit status");
        CHECK_STR(r.panic_line, "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
                  "the panic line, from 'Kernel panic' on");
        CHECK(r.console_tail && strstr(r.console_tail, "Rebooting in 1 seconds"), "the console's tail kept");
        double st[N_STAGES];
        derive_stages(&r, NULL, GUEST_CLOCK_WALL, st);
        CHECK(isnan(st[ST_TO_READY]) && isnan(st[ST_FIRMWARE]) && fabs(st[ST_TOTAL] - 1279.743) < 0.0005,
              "only the total is known");
        free_marks(&r);
}

/* Feed LINES to the console one by one, end it, and read what reached the payload's pipe P. */
static void feed_and_read(struct console *k, const char *const *lines, size_t n, int p[2], char *got, size_t size)
{
        for (size_t j = 0; j < n; j++)
                console_feed(k, lines[j], strlen(lines[j]), j);
        console_finish(k, n);
        close(p[1]);
        ssize_t len = read(p[0], got, size - 1);
        got[len > 0 ? len : 0] = '\0';
        close(p[0]);
}

/* The payload's lines on the console: streamed to the payload's fd when the init says so (or is
 * too old to say), never when the init says the payload has its port. */
static void test_payload_on_console(void)
{
        static const char *const heads[] = { "", "leanboot: output=console\r\n", "leanboot: output=ttyS1\r\n" };
        static const char *const want[] = { "payload line\n", "payload line\n", "" };
        for (size_t i = 0; i < 3; i++) {
                int p[2];
                if (pipe(p) < 0)
                        return;
                struct boot_result r = { .exit_status = -1 };
                struct console k;
                console_init(&k, &r, NULL, -1, false, p[1]);
                const char *lines[] = { heads[i], "leanboot: stage=payload t_us=10\r\n", "payload line\r\n",
                                        "leanboot: stage=shutdown t_us=20\r\n", "[    1.0] kernel line after it\r\n" };
                char got[128];
                feed_and_read(&k, lines, 5, p, got, sizeof got);
                CHECK(streq(got, want[i]), "init %s: the payload's fd got '%s'", i == 0 ? "older than the port" : heads[i], got);
                CHECK(r.n_marks == 2, "the output marker is not a stage (%zu marks)", r.n_marks);
                free_marks(&r);
        }
}

/* An instruction-clock boot of the cut-down kernel: every stage from the guest's TSC (QEMU's
 * virtual clock from the machine's start), none from the host's arrival times. */
static void test_custom_insn(void)
{
        struct boot_result r;
        CHECK(replay("custom-insn.txt", &r) == 0, "custom-insn.txt read");
        CHECK(r.n_marks == 8 && r.marks[0].tsc == 40903594 && r.marks[7].tsc == 46892217, "8 markers with their TSC (%zu)",
              r.n_marks);
        double st[N_STAGES];
        derive_stages(&r, NULL, GUEST_CLOCK_INSN, st);
        CHECK_MS(st, ST_TOTAL, 46.892217);                 /* the exit marker's TSC, not QEMU's exit (669 ms) */
        CHECK_MS(st, ST_TO_READY, 42.130422);              /* the payload marker's TSC */
        CHECK_MS(st, ST_FIRMWARE, 40.903594 - 32.213);     /* before the kernel's clock: TSC minus CLOCK_BOOTTIME */
        CHECK_MS(st, ST_INIT, 42.130422 - 40.903594);      /* TSC differences: one clock */
        CHECK_MS(st, ST_PAYLOAD, 46.807133 - 42.130422);
        CHECK_MS(st, ST_SHUTDOWN, 46.892217 - 46.807133);  /* shutdown marker to the exit marker */
        CHECK_MS(st, ST_MOUNTS, 41.531069 - 40.932749);
        /* A kernel whose clock ran ahead of the machine's (a tick-driven early clock): no firmware
         * figure rather than a negative one. */
        r.marks[0].guest_us = 50000;
        derive_stages(&r, NULL, GUEST_CLOCK_INSN, st);
        CHECK(isnan(st[ST_FIRMWARE]), "firmware: the kernel's clock ahead of the TSC gives none, not %.3f", st[ST_FIRMWARE]);
        /* Markers of an init too old to say its TSC: nothing from a clock that was not read. */
        for (size_t i = 0; i < r.n_marks; i++)
                r.marks[i].tsc = 0;
        derive_stages(&r, NULL, GUEST_CLOCK_INSN, st);
        CHECK(isnan(st[ST_TOTAL]) && isnan(st[ST_TO_READY]) && isnan(st[ST_INIT]) && isnan(st[ST_SHUTDOWN]),
              "no TSC in the markers: no instruction-clock stages");
        free_marks(&r);
}

/* A libguestfs launch whose appliance printed markers: guestfsd's span is not a stage. */
static void test_peer(void)
{
        struct stage_mark m[] = { { "init", 900000, 600000, 0 }, { "mounts", 901000, 601000, 0 },
                                  { "payload", 950000, 650000, 0 }, { "shutdown", 1400000, 1100000, 0 } };
        struct boot_result r = { .marks = m, .n_marks = 4 };
        double st[N_STAGES];
        derive_peer_stages(&r, 1200.0, 300.0, st);
        CHECK_MS(st, ST_TOTAL, 1500.0);
        CHECK_MS(st, ST_TO_READY, 1200.0);
        CHECK_MS(st, ST_SHUTDOWN, 300.0);
        CHECK_MS(st, ST_FIRMWARE, 300.0);
        CHECK_MS(st, ST_INIT, 50.0);
        CHECK(isnan(st[ST_PAYLOAD]), "guestfsd's span is not a boot stage");
}

/* The payload's own lines that look like markers (issue 16, defect 6): without the boot's nonce
 * or away from a line's start they are the payload's output, not the end of the boot. */
static void test_forged_markers(void)
{
        int p[2];
        if (pipe(p) < 0)
                return;
        struct boot_result r = { .exit_status = -1 };
        struct console k;
        console_init(&k, &r, "abc123", -1, false, p[1]);
        const char *lines[] = {
                "leanboot: stage=init t_us=1\r\n",                    /* before the init read its cmdline */
                "[    0.9] kernel textleanboot: stage=mounts t_us=2\r\n", /* --debug: after kernel text, before the nonce */
                "leanboot: output=console nonce=abc123\r\n",
                "leanboot: stage=payload t_us=10 nonce=abc123\r\n",
                "x leanboot: stage=shutdown t_us=11\r\n",             /* the payload's, mid-line */
                "leanboot: exit=0 t_us=12\r\n",                       /* the payload's, no nonce */
                "leanboot: exit=3 t_us=13 nonce=ffff\r\n",            /* another boot's nonce */
                "leanboot: stage=shutdown t_us=14 nonce=abc1234\r\n", /* a longer one */
                "[    1.0] kmsgleanboot: stage=shutdown t_us=20 nonce=abc123\r\n",
                "leanboot-kmsg: stage=shutdown t_us=20\r\n",          /* the ring buffer's copy, echoed */
                /* The payload's unfinished look-alike, then the init's own exit marker on its line. */
                "leanboot: exit=0 t_us=1leanboot: exit=7 t_us=21 nonce=abc123\r\n",
        };
        char got[512];
        feed_and_read(&k, lines, ARRAY_SIZE(lines), p, got, sizeof got);
        CHECK(r.exit_status == 7, "the exit status is the init's, not a forged one (%d)", r.exit_status);
        CHECK(r.n_marks == 5 && streq(r.marks[0].name, "init") && streq(r.marks[1].name, "mounts") &&
                      streq(r.marks[2].name, "payload") && streq(r.marks[3].name, "shutdown") && r.marks[3].guest_us == 20 &&
                      streq(r.marks[4].name, "exit") && r.marks[4].guest_us == 21,
              "init, mounts, payload, shutdown at 20 us, exit at 21 us: %zu marks", r.n_marks);
        CHECK(strstr(got, "x leanboot: stage=shutdown t_us=11\n") && strstr(got, "leanboot: exit=0 t_us=12\n") &&
                      strstr(got, "nonce=ffff\n") && strstr(got, "nonce=abc1234\n"),
              "the payload's look-alike lines reach its output: '%s'", got);
        free_marks(&r);

        /* A host that gave no nonce (an older init, the libguestfs peer): a marker must start its line. */
        struct boot_result r2 = { .exit_status = -1 };
        console_init(&k, &r2, NULL, -1, false, -1);
        const char *old[] = { "leanboot: stage=payload t_us=10\r\n", "x leanboot: stage=shutdown t_us=11\r\n",
                              "leanboot: stage=shutdown t_us=12\r\n" };
        for (size_t j = 0; j < ARRAY_SIZE(old); j++)
                console_feed(&k, old[j], strlen(old[j]), j);
        console_finish(&k, 9);
        CHECK(r2.n_marks == 2 && r2.marks[1].guest_us == 12, "no nonce: the mid-line marker is not one (%zu marks)", r2.n_marks);
        free_marks(&r2);
}

int main(void)
{
        test_stock_quiet();
        test_custom_debug();
        test_custom_panic();
        test_custom_insn();
        test_peer();
        test_payload_on_console();
        test_forged_markers();
        return tap_done();
}
