/* leanboot run: boot an appliance once and exit with the payload's exit status. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "run.h"
#include "../common/appliance.h"
#include "../common/cmdline.h"
#include "../common/contract.h"
#include "../common/exit-status.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/parse.h"
#include "../common/strv.h"

/* The kernel's COMMAND_LINE_SIZE on x86. */
#define KERNEL_CMDLINE_MAX 2048


static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot run DIR [OPTION]... [-- CMD [ARG]...]\n"
                "Boot the appliance in DIR once under QEMU and exit with the payload's status.\n\n"
                "      --debug          no 'quiet': show the kernel log and the init's stages\n"
                "      --append ARGS    extra kernel command line arguments\n"
                "      --timeout SEC    kill a guest that runs longer (exit status 124)\n"
                "      --memory MB      guest memory (default 256)\n"
                "      --smp N          guest CPUs (default 1)\n"
                "      --accel A        auto (default: KVM where a KVM guest has been seen to run on\n"
                "                       this host, else TCG), kvm or tcg\n"
                "      --clock C        wall (default) or insn: the instruction clock (TCG with\n"
                "                       icount; guest times count instructions at 1 ns each)\n"
                "      --machine M      auto (default: microvm when the appliance's kernel boots\n"
                "                       there, else pc), pc or microvm\n"
                "      --disk FILE      add a disk (virtio, /dev/vdb onwards; repeatable)\n"
                "  -h, --help           show this help\n\n"
                "Exit status: the payload's; 124 on timeout; 125 when leanboot (bad input included),\n"
                "QEMU, the kernel or the init failed; 126 when the payload cannot be run; 127 when\n"
                "the payload command does not exist in the appliance.  See man leanboot-run.\n");
}

int appliance_machine(const char *dir, enum machine want, enum machine *ret)
{
        struct manifest m;
        int r = manifest_load(dir, &m);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read manifest.json", dir);
        _cleanup_free_ char *why = NULL;
        r = machine_for_manifest(&m, want, ret, &why);
        manifest_free(&m);
        if (r < 0)
                return log_error_status(r, "%s: %s", dir, why ? why : "not supported");
        return 0;
}

char *run_cmdline(const char *appliance, bool debug, const char *append, char **payload, size_t reserved)
{
        _cleanup_free_ char *path = path_join(appliance, "cmdline");
        _cleanup_free_ char *text = NULL;
        if (!path || read_full_file(path, &text, NULL) < 0) {
                log_error("%s has no readable cmdline file", appliance);
                return NULL;
        }
        struct cmdline cl;
        if (cmdline_parse(text, &cl) < 0)
                return NULL;
        _cleanup_strv_free_ char **tokens = NULL;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < cl.n; i++) {
                if (debug && streq(cl.tokens[i], "quiet"))
                        continue;
                /* A token with a blank came quoted; keep it quoted for the kernel. */
                if (strpbrk(cl.tokens[i], " \t"))
                        r = strv_pushf(&tokens, "\"%s\"", cl.tokens[i]);
                else
                        r = strv_push(&tokens, cl.tokens[i]);
        }
        if (r >= 0 && debug && !cmdline_has(&cl, CMDLINE_DEBUG))
                r = strv_push(&tokens, CMDLINE_DEBUG);
        cmdline_free(&cl);
        if (r >= 0 && append && *append)
                r = strv_push(&tokens, append);
        if (r >= 0 && payload && payload[0]) {
                _cleanup_free_ char *enc = NULL;
                r = argv_encode(payload, strv_length(payload), &enc);
                r = r ?: strv_pushf(&tokens, CMDLINE_RUN "=%s", enc);
        }
        if (r < 0) {
                log_error_errno(r, "cannot make the kernel command line");
                return NULL;
        }
        char *joined = strv_join(tokens, " ");
        if (joined && strlen(joined) + reserved >= KERNEL_CMDLINE_MAX) {
                log_error("the kernel command line would be %zu bytes, over the kernel's limit of %d: "
                          "put a long payload in a script (build --copy) and run that",
                          strlen(joined) + reserved, KERNEL_CMDLINE_MAX - 1);
                free(joined);
                return NULL;
        }
        return joined;
}

static void print_stages(const struct boot_result *r, enum guest_clock clock)
{
        fprintf(stderr, "leanboot: stages (host clock, ms from QEMU start):");
        for (size_t i = 0; i < r->n_marks; i++)
                fprintf(stderr, " %s=%.1f", r->marks[i].name, (double)r->marks[i].host_us / 1000.0);
        fprintf(stderr, " qemu-exit=%.1f\n", (double)r->host_exit_us / 1000.0);
        if (clock != GUEST_CLOCK_INSN)
                return;
        /* The guest's TSC counts instruction-time from the machine's start, firmware included. */
        fprintf(stderr, "leanboot: stages (instruction clock, insn-ms from the machine's start; " INSN_CLOCK_NOTE "):");
        for (size_t i = 0; i < r->n_marks; i++) {
                /* An init older than the TSC in its markers says nothing on this clock. */
                if (r->marks[i].tsc)
                        fprintf(stderr, " %s=%.3f", r->marks[i].name, (double)r->marks[i].tsc / 1e6);
                else
                        fprintf(stderr, " %s=-", r->marks[i].name);
        }
        fputc('\n', stderr);
}

/* What `leanboot run` was asked. */
struct run_opts {
        const char *dir, *append;
        bool debug;
        int timeout, memory, smp;
        enum accel accel;
        enum guest_clock clock;
        enum machine machine;
        char **disks;
        char **payload; /* after --, or NULL */
};

/* -1 when the options are good, else the exit status to return (0 for --help, 2 for bad input). */
static int parse_run_options(int argc, char **argv, struct run_opts *o)
{
        static const struct option longopts[] = {
                { "debug", no_argument, NULL, 'd' },         { "append", required_argument, NULL, 'a' },
                { "timeout", required_argument, NULL, 't' }, { "memory", required_argument, NULL, 'm' },
                { "smp", required_argument, NULL, 's' },     { "accel", required_argument, NULL, 'A' },
                { "disk", required_argument, NULL, 'D' },    { "help", no_argument, NULL, 'h' },
                { "clock", required_argument, NULL, 'C' },   { "machine", required_argument, NULL, 'M' },
                { NULL, 0, NULL, 0 },
        };
        int c;
        opterr = 0;
        /* '-' in the optstring: DIR may come before or after the options; "--" ends them. */
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (o->dir)
                                return log_error_status(EXIT_LEANBOOT, "run: unexpected argument '%s' (the payload goes after --)", optarg);
                        o->dir = optarg;
                        break;
                case 'd': o->debug = true; break;
                case 'a': o->append = optarg; break;
                case 't':
                        if (parse_int_range(optarg, 1, 86400, &o->timeout) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --timeout '%s': expected seconds, 1 to 86400", optarg);
                        break;
                case 'm':
                        if (parse_int_range(optarg, 64, 1 << 20, &o->memory) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --memory '%s': expected MB, at least 64", optarg);
                        break;
                case 's':
                        if (parse_int_range(optarg, 1, 256, &o->smp) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --smp '%s': expected 1 to 256", optarg);
                        break;
                case 'A':
                        if (accel_from_string(optarg, &o->accel) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --accel '%s': expected auto, kvm or tcg", optarg);
                        break;
                case 'C':
                        if (guest_clock_from_string(optarg, &o->clock) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --clock '%s': expected wall or insn", optarg);
                        break;
                case 'M':
                        if (machine_from_string(optarg, &o->machine) < 0)
                                return log_error_status(EXIT_LEANBOOT, "run: --machine '%s': expected auto, pc or microvm", optarg);
                        break;
                case 'D':
                        if (access(optarg, R_OK | W_OK) < 0)
                                return log_error_errno_status(EXIT_LEANBOOT, -errno, "run: --disk '%s'", optarg);
                        if (strv_push(&o->disks, optarg) < 0)
                                return log_error_errno_status(EXIT_LEANBOOT, -ENOMEM, "run");
                        break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_LEANBOOT, "run: unknown option or missing value: '%s' (see leanboot run --help)",
                                         argv[optind - 1]);
                }
        }
        if (!o->dir)
                return log_error_status(EXIT_LEANBOOT, "run: no appliance directory given (see leanboot run --help)");
        o->payload = optind < argc ? argv + optind : NULL;
        return -1;
}

/* What the boot came to, said once; the exit status. */
static int run_status(const struct boot_result *r, const struct run_opts *o)
{
        if (o->debug)
                print_stages(r, o->clock);
        if (r->timed_out)
                return log_error_status(EXIT_TIMEOUT, "timed out after %d s; last stage reached: %s", o->timeout, boot_last_stage(r));
        if (r->panic_line)
                return log_error_status(EXIT_LEANBOOT, "the guest kernel panicked (last stage: %s): %s", boot_last_stage(r), r->panic_line);
        if (r->exit_status >= 0)
                return r->exit_status;
        if (r->accel_failure)
                return log_error_status(EXIT_LEANBOOT, "KVM ended the boot (QEMU: %s; last stage: %s): this host's KVM cannot run it, "
                                 "try --accel tcg", r->accel_failure, boot_last_stage(r));
        /* No exit marker: QEMU failed, or the guest stopped before the init could report. */
        if (r->qemu_stderr[0])
                fprintf(stderr, "%s", r->qemu_stderr);
        if (!o->debug && r->console_tail[0])
                fprintf(stderr, "--- last console output ---\n%s\n---\n", r->console_tail);
        log_error("the guest stopped without reporting an exit status (QEMU status %d, last stage: %s)",
                  r->qemu_status, boot_last_stage(r));
        return EXIT_LEANBOOT;
}

int cmd_run(int argc, char **argv)
{
        struct run_opts o = { .memory = 256, .smp = 1, .accel = ACCEL_AUTO };
        int done = parse_run_options(argc, argv, &o);
        _cleanup_strv_free_ char **disks = o.disks;
        if (done >= 0)
                return done;
        const char *missing = NULL;
        if (appliance_check(o.dir, &missing) < 0)
                return log_error_status(EXIT_LEANBOOT, "'%s' is not a leanboot appliance (no %s; make one with leanboot build -o %s)", o.dir,
                                 missing ? missing : "manifest.json", o.dir);
        enum machine machine;
        if (appliance_machine(o.dir, o.machine, &machine) < 0)
                return EXIT_LEANBOOT;
        if (machine == MACHINE_MICROVM && strv_length(o.disks) > MICROVM_MAX_DISKS)
                return log_error_status(EXIT_LEANBOOT, "run: microvm takes at most %d --disk (its virtio-mmio slots beyond share "
                                        "interrupts with the RTC); use --machine pc for more", MICROVM_MAX_DISKS);
        _cleanup_free_ char *cmdline = run_cmdline(o.dir, o.debug, o.append, o.payload,
                                                   boot_cmdline_reserved(machine, strv_length(o.disks)));
        if (!cmdline)
                return EXIT_LEANBOOT;
        struct accel_choice ac;
        int ar = accel_resolve_verbose(o.accel, o.clock, &ac);
        if (ar < 0)
                return ar == -EOPNOTSUPP ? EXIT_LEANBOOT : EXIT_LEANBOOT;
        struct boot_config bc = {
                .appliance = o.dir, .cmdline = cmdline, .accel = &ac, .machine = machine,
                .memory_mb = o.memory, .smp = o.smp, .disks = o.disks, .timeout_s = o.timeout,
                .interactive = !o.payload && isatty(STDIN_FILENO),
                .show_console = o.debug, .stream_payload = true,
        };
        if (o.debug)
                log_info("accel %s (%s), clock %s, machine %s, kernel command line: %s", accel_name(ac.accel), ac.reason,
                         guest_clock_name(ac.clock), machine_name(machine), cmdline);
        _cleanup_(boot_result_free) struct boot_result r = { .exit_status = -1 };
        int e = boot_appliance(&bc, &r);
        accel_choice_done(&ac);
        if (e < 0)
                return log_error_errno_status(EXIT_LEANBOOT, e, "cannot start QEMU");
        return run_status(&r, &o);
}
