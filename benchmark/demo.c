/* leanboot demo: the main job.  Build (or reuse) the stock-kernel appliance, the cut-down
 * kernel (cached) and its appliance, bench the two, print the verdict, write the report. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "demo.h"
#include "../common/fileio.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/stats.h"

int cmd_demo(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "runs", required_argument, NULL, 'n' }, { "output", required_argument, NULL, 'o' },
                { "accel", required_argument, NULL, 'A' }, { "help", no_argument, NULL, 'h' },
                { "clock", required_argument, NULL, 'C' },  { "machine", required_argument, NULL, 'M' },
                { NULL, 0, NULL, 0 },
        };
        int runs = 10, c;
        enum accel accel = ACCEL_AUTO;
        enum guest_clock clock = GUEST_CLOCK_WALL;
        enum machine machine = MACHINE_AUTO;
        _cleanup_free_ char *out = NULL;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        if (parse_int_range(optarg, 2, 10000, &runs) < 0)
                                return log_error_status(EXIT_USAGE, "demo: --runs '%s': at least 2", optarg);
                        break;
                case 'o': out = strdup(optarg); break;
                case 'A':
                        if (accel_from_string(optarg, &accel) < 0)
                                return log_error_status(EXIT_USAGE, "demo: --accel '%s': expected auto, kvm or tcg", optarg);
                        break;
                case 'C':
                        if (guest_clock_from_string(optarg, &clock) < 0)
                                return log_error_status(EXIT_USAGE, "demo: --clock '%s': expected wall or insn", optarg);
                        break;
                case 'M':
                        if (machine_from_string(optarg, &machine) < 0)
                                return log_error_status(EXIT_USAGE, "demo: --machine '%s': expected auto, pc or microvm", optarg);
                        break;
                case 'h':
                        printf("Usage: leanboot demo [--runs N] [-o DIR] [--accel auto|kvm|tcg] [--clock wall|insn]\n"
                               "                     [--machine auto|pc|microvm]\n"
                               "Build the stock-kernel appliance, the cut-down kernel (cached) and its appliance,\n"
                               "bench them (--runs each, default 10) and write DIR/report.html and report.json\n"
                               "(DIR default: $XDG_CACHE_HOME/leanboot/demo).  --accel as for bench: auto uses\n"
                               "KVM only where a KVM guest has been seen to run on this host.  --clock insn:\n"
                               "the instruction clock (TCG with icount: 1 unit = 1 instruction at 1 ns).\n"
                               "--machine: where the cut-down kernel boots (auto: microvm, which it supports);\n"
                               "the stock kernel boots on the PC machine.\n");
                        return 0;
                default:
                        return log_error_status(EXIT_USAGE, "demo: unknown option or missing value: '%s'", argv[optind - 1]);
                }
        }
        /* --accel kvm on a host where KVM does not work: say so before minutes of building (auto
         * is resolved, and announced, by the bench). */
        struct accel_choice ac;
        if (accel == ACCEL_KVM) {
                int ar = accel_resolve_verbose(accel, clock, &ac);
                if (ar < 0)
                        return ar == -EOPNOTSUPP ? EXIT_USAGE : EXIT_RUNTIME;
                accel_choice_done(&ac);
        }
        if (!out) {
                _cleanup_free_ char *cache = leanboot_cache_dir();
                out = cache ? path_join(cache, "demo") : NULL;
        }
        if (!out || mkdir_p(out, 0755) < 0)
                return log_error_errno_status(EXIT_RUNTIME, -errno, "demo: cannot create %s", out ? out : "the demo directory");
        _cleanup_free_ char *stock = path_join(out, "stock"), *kdir = path_join(out, "kernel"),
                            *custom = path_join(out, "custom"), *kimg = path_join(out, "kernel/bzImage"),
                            *html = path_join(out, "report.html"), *json = path_join(out, "report.json");

        /* Each step is this same program with the arguments a user would type. */
        printf("== 1/4 the stock-kernel appliance (%s)\n", stock);
        if (run_self((char *[]){ "build", "-o", stock, NULL }) != 0)
                return log_error_status(EXIT_RUNTIME, "demo: building the stock appliance failed");
        printf("== 2/4 the cut-down kernel from base.config (cached after the first build)\n");
        if (run_self((char *[]){ "kernel", "build", "-o", kdir, NULL }) != 0)
                return log_error_status(EXIT_RUNTIME, "demo: building the kernel failed");
        printf("== 3/4 the appliance on the cut-down kernel (%s)\n", custom);
        if (run_self((char *[]){ "build", "--kernel", kimg, "-o", custom, NULL }) != 0)
                return log_error_status(EXIT_RUNTIME, "demo: building the custom-kernel appliance failed");
        printf("== 4/4 bench: A = stock kernel, B = cut-down kernel, %d runs each\n", runs);
        fflush(stdout); /* before the bench's own stderr lines */
        struct bench_request q = { .a = stock, .b = custom, .runs = runs, .warmup = 1, .timeout_s = 120,
                                   .memory_mb = 256, .json = json, .html = html, .initcalls = true,
                                   .accel = accel, .clock = clock, .machine = MACHINE_AUTO,
                                   /* The cut-down kernel (base.config: virtio-mmio) on microvm
                                    * unless asked otherwise; Debian's kernel on the PC machine. */
                                   .machine_b = machine == MACHINE_AUTO ? MACHINE_MICROVM : machine,
                                   .min_effect = STATS_MIN_EFFECT_DEFAULT,
                                   .fail_if_slower = -1 };
        int r = bench_run(&q);
        if (r == 0)
                printf("\nThe report: %s (JSON: %s)\n", html, json);
        return r;
}
