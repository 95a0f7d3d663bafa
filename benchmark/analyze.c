/* leanboot analyze LOG: the initcall table of a saved console log or dmesg. */
#include <config.h>

#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "chart.h"
#include "../common/initcall.h"
#include "../common/kstage.h"
#include "report.h"
#include "../common/fileio.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/parse.h"

static int by_duration_desc(const void *a, const void *b)
{
        const struct initcall *x = a, *y = b;
        return (y->usecs > x->usecs) - (y->usecs < x->usecs);
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot analyze LOG [--json FILE] [--svg FILE] [--top N] [--stretches N]\n"
                "Read initcall_debug records from a console log or dmesg (with or without [ time]\n"
                "prefixes, /dev/kmsg records, module suffixes, raw addresses) and print the slowest\n"
                "initcalls with the count and total; then the kernel stage's time outside the boot\n"
                "initcalls, up to Run /init, and its longest stretches between two log lines (the\n"
                "timers' calibration, DEBUG_WX's page-table walk...).  '-' reads standard input.\n"
                "  --json FILE      {\"schema_version\", \"initcalls\": {\"count\", \"total_us\", \"boot_us\", \"module_us\", ...},\n"
                "                   \"list\": [{name, module, duration_us, start_us}], \"kernel_stage\": {\"end_us\",\n"
                "                   \"first_us\", \"reached_init\", \"outside_us\", \"stretches\": [{start_us, duration_us, after, before}]}}\n"
                "  --svg FILE       an initcall timeline: every initcall, the 40 longest named, built-in and\n"
                "                   module ones in their own colours\n"
                "  --top N          rows in the table (default 20)\n"
                "  --stretches N    stretches outside the initcalls listed (default 5; 0: the total only)\n");
}

/* A kernel log with initcall_debug is a few hundred KB (Debian's: 120 KB in the ring buffer,
 * 4 MB with a serial console's every line); anything far larger is not one. */
#define LOG_MAX_MIB 64

static int read_log(const char *path, char **ret, size_t *ret_len)
{
        if (streq(path, "-"))
                return read_full_fd_max(STDIN_FILENO, (size_t)LOG_MAX_MIB << 20, ret, ret_len);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return read_full_fd_max(fd, (size_t)LOG_MAX_MIB << 20, ret, ret_len);
}

/* analyze's timeline colours: the kernel's own initcalls, and modules' init functions. */
static size_t classify_builtin_or_module(const struct initcall *c, const void *ctx)
{
        (void)ctx;
        return c->module[0] ? 1 : 0;
}

static const char *const part_names[] = { "built in (boot initcall)", "module (loaded by user space)" };
static const char *const part_colours[] = { "#4e79a7", "#f28e2b" };
static const struct ic_classes builtin_or_module = { 2, part_names, part_colours, classify_builtin_or_module, NULL };

/* The kernel stage outside the boot initcalls (kstage.h), and its longest stretches. */
static void print_kernel_stage(const struct kstage *k, long long boot_us)
{
        if (k->end_us < 0)
                return;
        printf("\nkernel stage: %s at %.3f ms, %.3f ms of it outside the boot initcalls (%.3f in them)\n",
               k->reached_init ? "Run /init" : "the log's last line (no Run /init)", k->end_us / 1000, k->outside_us / 1000,
               (double)boot_us / 1000);
        if (k->first_us > 0)
                printf("(the log starts at %.3f ms: the ring buffer lost what came before)\n", k->first_us / 1000);
        if (k->n == 0)
                return;
        printf("its longest stretches outside them, each between two log lines:\n%10s %10s  %s\n", "ms", "at ms",
               "the line before, then the line after");
        for (size_t i = 0; i < k->n; i++)
                printf("%10.3f %10.3f  %.100s\n%21s  %.100s\n", k->longest[i].usecs / 1000, k->longest[i].start_us / 1000,
                       k->longest[i].after, "", k->longest[i].before);
}

int cmd_analyze(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "json", required_argument, NULL, 'j' }, { "svg", required_argument, NULL, 's' },
                { "top", required_argument, NULL, 't' },  { "stretches", required_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *json = NULL, *svg = NULL, *logpath = NULL;
        int top = 20, stretches = 5, c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (logpath)
                                return log_error_status(EXIT_USAGE, "analyze: one LOG at a time ('%s')", optarg);
                        logpath = optarg;
                        break;
                case 'j': json = optarg; break;
                case 's': svg = optarg; break;
                case 't':
                        if (parse_int_range(optarg, 1, 1000000, &top) < 0)
                                return log_error_status(EXIT_USAGE, "analyze: --top '%s': expected a positive number", optarg);
                        break;
                case 'S':
                        if (parse_int_range(optarg, 0, 1000000, &stretches) < 0)
                                return log_error_status(EXIT_USAGE, "analyze: --stretches '%s': expected a number, 0 or more", optarg);
                        break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_USAGE, "analyze: unknown option or missing value: '%s'", argv[optind - 1]);
                }
        }
        if (!logpath)
                return log_error_status(EXIT_USAGE, "analyze: no LOG given (see leanboot analyze --help)");
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_log(logpath, &text, &len);
        if (r == -EFBIG)
                return log_error_status(EXIT_USAGE, "analyze: '%s' is over %d MiB: not a kernel log", logpath, LOG_MAX_MIB);
        if (r < 0)
                return log_error_errno_status(r == -ENOMEM || r == -EIO ? EXIT_RUNTIME : EXIT_USAGE, r, "analyze: cannot read '%s'",
                                              logpath);
        /* The log is text: a NUL byte (a torn write, a binary file) would end it there for the
         * parser, silently dropping every record after it.  Read as a line end, and said. */
        size_t nuls = 0;
        for (size_t i = 0; i < len; i++)
                if (text[i] == '\0')
                        text[i] = '\n', nuls++;
        if (nuls)
                log_warn("analyze: '%s' holds %zu NUL byte(s): read as line ends", logpath, nuls);
        _cleanup_(initcall_log_free) struct initcall_log l = { .run_init_us = -1 };
        if (initcall_parse(text, &l) < 0)
                return log_error_status(EXIT_RUNTIME, "analyze: out of memory");
        if (l.n == 0) {
                log_error("analyze: no initcall records in '%s' (boot with initcall_debug, and read the "
                          "ring buffer or a console with ignore_loglevel)", logpath);
                return EXIT_RUNTIME;
        }
        _cleanup_(kstage_free) struct kstage k = { .first_us = -1, .end_us = -1 };
        if (kstage_parse(text, &l, (size_t)stretches, &k) < 0)
                return log_error_status(EXIT_RUNTIME, "analyze: out of memory");
        if (json && (r = report_write_initcalls_json(&l, &k, json)) < 0)
                log_error_errno(r, "analyze: cannot write %s", json);
        if (svg) {
                FILE *f = fopen(svg, "we");
                if (!f) {
                        log_error_errno(-errno, "analyze: cannot write %s", svg);
                        r = -1;
                } else {
                        svg_initcalls(f, &l, 40, &builtin_or_module, 1200, "ms");
                        fclose(f);
                }
        }
        long long total = initcall_total_us(&l);
        struct initcall *sorted = malloc(l.n * sizeof *sorted);
        if (sorted) {
                if (l.n > 0) { /* no NULL to memcpy or qsort, even for nothing */
                        memcpy(sorted, l.calls, l.n * sizeof *sorted);
                        qsort(sorted, l.n, sizeof *sorted, by_duration_desc);
                }
                printf("%-44s %-12s %10s %7s\n", "initcall", "module", "ms", "share");
                for (size_t i = 0; i < l.n && i < (size_t)top; i++)
                        printf("%-44.44s %-12.12s %10.3f %6.1f%%\n", sorted[i].name, sorted[i].module,
                               (double)sorted[i].usecs / 1000, total ? 100.0 * (double)sorted[i].usecs / (double)total : 0);
                free(sorted);
        }
        printf("%zu initcalls, total %.3f ms", l.n, (double)total / 1000);
        if (l.run_init_us >= 0)
                printf(", userspace started at %.3f ms", l.run_init_us / 1000);
        printf("\n");
        if (l.from_timestamps)
                printf("%zu initcall(s) ran while the kernel kept time with the tick (4 ms steps): timed from their "
                       "printk timestamps, less %.0f us for each 'calling' line\n",
                       l.from_timestamps, l.calling_line_cost_us);
        if (l.lines_skipped)
                printf("%zu initcall line(s) were truncated or garbled and left out\n", l.lines_skipped);
        print_kernel_stage(&k, initcall_part_us(&l, INITCALLS_BOOT, NULL));
        return r < 0 ? EXIT_RUNTIME : EXIT_OK;
}
