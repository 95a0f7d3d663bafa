/* leanboot: build minimal Linux appliances that boot fast, and measure how fast.
 * One front-end, kmod/git style: `leanboot CMD [ARGS]`. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "builder/build.h"
#include "benchmark/run.h"
#include "benchmark/bench.h"
#include "benchmark/history.h"
#include "benchmark/accel-cmd.h"
#include "benchmark/analyze.h"
#include "benchmark/demo.h"
#include "kernel/kbuild.h"
#include "common/exit-status.h"
#include "common/log.h"
#include "common/macro.h"

struct cmd {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *help;
};

static const struct cmd commands[] = {
        { "build", cmd_build, "build a supermin appliance around the lean init" },
        { "run", cmd_run, "boot an appliance once and run a payload" },
        { "bench", cmd_bench, "boot appliances repeatedly; stages, initcalls, A/B verdicts" },
        { "analyze", cmd_analyze, "initcall table of a saved kernel log" },
        { "demo", cmd_demo, "build stock and cut-down appliances, bench them, write the report" },
        { "kernel", cmd_kernel, "cut-down kernels: build, check, map initcalls to options, tailor" },
        { "history", cmd_history, "the boot-time history of recorded benches (bench --record)" },
        { "accel", cmd_accel, "which accelerator boots get on this host (KVM proven, or TCG), and why" },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: leanboot [-v|--verbose] [-q|--quiet] COMMAND [ARGS]...\n"
                   "       leanboot -V|--version\n\nCommands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
        fprintf(f, "\n`leanboot COMMAND --help` describes each; man leanboot-COMMAND says more.  leanboot %s\n",
                PACKAGE_VERSION);
}

int main(int argc, char **argv)
{
        log_set_program("leanboot");
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        usage(stdout);
                        return 0;
                } else if (streq(argv[i], "--version") || streq(argv[i], "-V")) {
                        printf("leanboot %s\n", PACKAGE_VERSION);
                        return 0;
                } else if (streq(argv[i], "--verbose") || streq(argv[i], "-v")) {
                        log_set_level(2);
                } else if (streq(argv[i], "--quiet") || streq(argv[i], "-q")) {
                        log_set_level(0);
                } else {
                        log_error("unknown option '%s' (see leanboot --help)", argv[i]);
                        return EXIT_USAGE;
                }
        }
        if (i >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
                if (streq(argv[i], commands[k].name))
                        return commands[k].fn(argc - i, argv + i);
        log_error("unknown command '%s' (see leanboot --help)", argv[i]);
        return EXIT_USAGE;
}
