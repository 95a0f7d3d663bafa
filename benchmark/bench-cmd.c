/* leanboot bench: the command line (bench.c runs what it asks). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "history.h"
#include "stages.h"
#include "peer.h"
#include "../common/fileio.h"
#include "../common/exit-status.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/stats.h"
#include "../common/strv.h"

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot bench A [B] [--runs N] [--warmup W] [--append-a ARGS] [--append-b ARGS]\n"
                "                      [--json FILE] [--html FILE] [--timeout SEC] [--memory MB] [--no-initcalls]\n"
                "                      [--accel auto|kvm|tcg] [--clock wall|insn] [--min-effect PCT]\n"
                "                      [--fail-if-slower PCT [--stage STAGE]] [--record[=DB] [--label L]]\n"
                "                      [--machine auto|pc|microvm] [--machine-b auto|pc|microvm]\n"
                "       leanboot bench A --collection-cost [--runs N] ...\n"
                "       (any of them: --logs DIR keeps each timed boot's kernel log as DIR/A-01.log ...)\n"
                "       leanboot bench --peer libguestfs [APPLIANCE] [--runs N] [--warmup W] [--json F] [--html F]\n"
                "                      [--accel auto|kvm|tcg]\n"
                "Boot appliance A (and B) --runs times each (default 10) after --warmup untimed boots\n"
                "(default 1), interleaved in A B / B A blocks of random order, and report per-stage\n"
                "median, mean, sd, min and max.\n"
                "With B (or --append-b alone: B is A with extra kernel arguments) it compares them:\n"
                "ratio of medians, difference of means with a 99%% confidence interval, Welch's p-value\n"
                "and a verdict (significant at p < 0.01, and at least --min-effect PCT of A, default 0.5;\n"
                "smaller significant differences are \"too small to matter\"), plus which initcalls B\n"
                "dropped, added, or made slower or faster.\n"
                "--machine: auto (default) boots on microvm when the appliance's kernel can, else on\n"
                "the PC machine; --machine-b gives B another (the same appliance on both: A B on one\n"
                "directory with --append-b '' --machine pc --machine-b microvm).\n"
                "--clock insn: the instruction clock (TCG with icount): every figure counts guest\n"
                "instructions at 1 ns each, not wall time, and repeats whatever the host's load.\n"
                "--fail-if-slower PCT: a gate for CI: exit status 3 when B is significantly slower than A\n"
                "by more than PCT percent on --stage (default total), 0 when not, 1 without a verdict.\n"
                "--timeout SEC per boot (default 120); --memory MB (default 256).\n"
                "--record[=DB]: append the bench to the boot-time history (SQLite; default\n"
                "$XDG_DATA_HOME/leanboot/history.db), under --label (see leanboot history).\n"
                "Initcall records come from the ring buffer (initcall_debug), copied by the init to a\n"
                "tail of the boot's root overlay after the payload; --no-initcalls leaves that out.\n"
                "--collection-cost measures what that collection costs: B is A with it, A without.\n"
                "--peer libguestfs [APPLIANCE]: A is libguestfs launch + shutdown with its own appliance,\n"
                "B the same with APPLIANCE (a fixed appliance from build --from-supermin-d; built into\n"
                "the cache when omitted), through libguestfs's C API, direct backend.\n"
                "--accel: auto (default) uses KVM only where a KVM guest has been seen to run on this\n"
                "host, else TCG, and says why; both sides of --peer get the same (libguestfs's\n"
                "force_tcg or force_kvm setting).\n");
}

/* --logs DIR: only where kernel logs are collected, and a directory that can be written. */
static bool logs_dir_ok(const struct bench_request *q)
{
        if (q->peer || !q->initcalls)
                return log_error_status(false, "bench: --logs keeps the collected kernel logs: not with --peer or --no-initcalls");
        int r = mkdir_p(q->logs_dir, 0755);
        struct stat st;
        if (r >= 0 && stat(q->logs_dir, &st) == 0 && !S_ISDIR(st.st_mode))
                r = -ENOTDIR;
        if (r >= 0 && access(q->logs_dir, W_OK) < 0)
                r = -errno;
        if (r < 0)
                return log_error_status(false, "bench: --logs '%s': cannot create or write that directory: %s", q->logs_dir,
                                 strerror(-r));
        return true;
}

/* --peer libguestfs [APPLIANCE]: without one, the leanboot libguestfs appliance, built into the cache. */
static int bench_peer(struct bench_request *q, char **pos, bool memory_given)
{
        size_t np = strv_length(pos);
        if (np > 1 || q->append_a || q->append_b || memory_given)
                return log_error_status(EXIT_USAGE, "bench: --peer libguestfs takes one appliance (the leanboot one), and no --append "
                                 "or --memory (libguestfs sets the guest's memory: LIBGUESTFS_MEMSIZE)");
        /* Reported with the host line: the memory libguestfs gives both sides. */
        int mb = peer_libguestfs_memsize();
        if (mb > 0)
                q->memory_mb = mb;
        _cleanup_free_ char *dflt = NULL;
        if (np == 0) {
                _cleanup_free_ char *cache = leanboot_cache_dir();
                dflt = cache ? path_join(cache, "guestfs-appliance") : NULL;
                if (!dflt || run_self((char *[]){ "build", "--from-supermin-d", "libguestfs", "-o", dflt, NULL }) != 0)
                        return log_error_status(EXIT_RUNTIME, "bench: building the leanboot libguestfs appliance failed");
        }
        q->a = np ? pos[0] : dflt;
        return bench_run(q);
}

/* What the options ask for, checked before any boot: -1 when it holds together, else the exit
 * status (usage), said. */
static int check_options(struct bench_request *q, bool stage_given)
{
        if (q->logs_dir && !logs_dir_ok(q))
                return EXIT_USAGE;
        /* The reports are written after every boot: a path that cannot take them is said now. */
        const char *outs[] = { q->json, q->html };
        for (size_t i = 0; i < 2; i++) {
                int w = outs[i] ? check_writable_path(outs[i]) : 0;
                if (w < 0)
                        return log_error_status(EXIT_USAGE, "bench: %s '%s': cannot be written: %s", i ? "--html" : "--json",
                                                outs[i], strerror(-w));
        }
        if (stage_given && q->fail_if_slower < 0)
                return log_error_status(EXIT_USAGE, "bench: --stage names the stage --fail-if-slower gates: give --fail-if-slower PCT");
        if (q->label && !q->record)
                return log_error_status(EXIT_USAGE, "bench: --label names a recorded bench: give --record");
        if (q->peer && (q->machine == MACHINE_MICROVM || q->machine_b == MACHINE_MICROVM))
                return log_error_status(EXIT_USAGE, "bench: --peer libguestfs boots on the PC machine only "
                                        "(libguestfs writes its own QEMU command line)");
        if (q->peer && q->clock == GUEST_CLOCK_INSN)
                return log_error_status(EXIT_USAGE, "bench: --clock insn is not available with --peer libguestfs "
                                        "(libguestfs writes its own QEMU command line)");
        return -1;
}

int cmd_bench(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "runs", required_argument, NULL, 'n' },     { "warmup", required_argument, NULL, 'w' },
                { "append-a", required_argument, NULL, 'a' }, { "append-b", required_argument, NULL, 'b' },
                { "json", required_argument, NULL, 'j' },     { "html", required_argument, NULL, 'H' },
                { "timeout", required_argument, NULL, 't' },  { "memory", required_argument, NULL, 'm' },
                { "no-initcalls", no_argument, NULL, 'I' },   { "collection-cost", no_argument, NULL, 'C' },   { "help", no_argument, NULL, 'h' },
                { "peer", required_argument, NULL, 'P' },       { "logs", required_argument, NULL, 'L' },
                { "accel", required_argument, NULL, 'A' },      { "clock", required_argument, NULL, 'K' },
                { "min-effect", required_argument, NULL, 'E' }, { "fail-if-slower", required_argument, NULL, 'F' },
                { "stage", required_argument, NULL, 'S' },      { "record", optional_argument, NULL, 'R' },
                { "label", required_argument, NULL, 'l' },      { "machine", required_argument, NULL, 'M' },
                { "machine-b", required_argument, NULL, 'B' },
                { NULL, 0, NULL, 0 },
        };
        struct bench_request q = { .runs = 10, .warmup = 1, .timeout_s = 120, .memory_mb = 256, .initcalls = true,
                                   .min_effect = STATS_MIN_EFFECT_DEFAULT, .fail_if_slower = -1, .gate_stage = ST_TOTAL };
        bool stage_given = false;
        _cleanup_strv_free_ char **pos = NULL;
        bool memory_given = false;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "-h", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (strv_push(&pos, optarg) < 0)
                                return log_error_errno_status(EXIT_RUNTIME, -ENOMEM, "bench");
                        break;
                case 'n':
                        if (parse_int_range(optarg, 2, 10000, &q.runs) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --runs '%s': at least 2 runs are needed for statistics "
                                                 "(sd, confidence interval)", optarg);
                        break;
                case 'w':
                        if (parse_int_range(optarg, 0, 1000, &q.warmup) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --warmup '%s': expected 0 or more", optarg);
                        break;
                case 'a': q.append_a = optarg; break;
                case 'b': q.append_b = optarg; break;
                case 'j': q.json = optarg; break;
                case 'H': q.html = optarg; break;
                case 't':
                        if (parse_int_range(optarg, 1, 86400, &q.timeout_s) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --timeout '%s': expected seconds, 1 to 86400", optarg);
                        break;
                case 'm':
                        if (parse_int_range(optarg, 64, 1 << 20, &q.memory_mb) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --memory '%s': expected MB, at least 64", optarg);
                        memory_given = true;
                        break;
                case 'I': q.initcalls = false; break;
                case 'A':
                        if (accel_from_string(optarg, &q.accel) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --accel '%s': expected auto, kvm or tcg", optarg);
                        break;
                case 'K':
                        if (guest_clock_from_string(optarg, &q.clock) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --clock '%s': expected wall or insn", optarg);
                        break;
                case 'E':
                        if (parse_double_range(optarg, 0, 1000, &q.min_effect) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --min-effect '%s': expected a percentage, 0 to 1000", optarg);
                        break;
                case 'F':
                        if (parse_double_range(optarg, 0, 1000, &q.fail_if_slower) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --fail-if-slower '%s': expected a percentage, 0 to 1000", optarg);
                        break;
                case 'S':
                        if ((q.gate_stage = stage_from_name(optarg)) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --stage '%s': not a stage (total, to_ready, firmware, kernel, "
                                                        "initcalls, initrd, init, payload, ...)", optarg);
                        stage_given = true;
                        break;
                case 'R':
                        q.record = true;
                        q.record_db = optarg;
                        if (optarg && !*optarg)
                                return log_error_status(EXIT_USAGE, "bench: --record=: an empty database path");
                        break;
                case 'l': q.label = optarg; break;
                case 'M':
                        if (machine_from_string(optarg, &q.machine) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --machine '%s': expected auto, pc or microvm", optarg);
                        break;
                case 'B':
                        if (machine_from_string(optarg, &q.machine_b) < 0)
                                return log_error_status(EXIT_USAGE, "bench: --machine-b '%s': expected auto, pc or microvm", optarg);
                        break;
                case 'L': q.logs_dir = optarg; break;
                case 'C': q.collection_cost = true; break;
                case 'P':
                        if (!streq(optarg, "libguestfs"))
                                return log_error_status(EXIT_USAGE, "bench: --peer '%s': the only peer is libguestfs", optarg);
                        q.peer = optarg;
                        break;
                case 'h': usage(stdout); return 0;
                default:
                        return log_error_status(EXIT_USAGE, "bench: unknown option or missing value: '%s' (see leanboot bench --help)",
                                         argv[optind - 1]);
                }
        }
        int bad = check_options(&q, stage_given);
        if (bad >= 0)
                return bad;
        if (q.peer && q.record && history_check_writable(q.record_db) < 0)
                return EXIT_USAGE;
        if (q.peer)
                return bench_peer(&q, pos, memory_given);
        size_t np = strv_length(pos);
        if (q.fail_if_slower >= 0 && np < 2 && !q.append_b)
                return log_error_status(EXIT_USAGE, "bench: --fail-if-slower compares B with A: give two appliances or --append-b");
        if (np < 1 || np > 2)
                return log_error_status(EXIT_USAGE, "bench: expected one or two appliance directories (see leanboot bench --help)");
        if (q.machine_b != MACHINE_AUTO && ((np < 2 && !q.append_b) || q.collection_cost))
                return log_error_status(EXIT_USAGE, "bench: --machine-b is B's machine: give two appliances or --append-b "
                                        "(and not --collection-cost)");
        if (q.collection_cost && (np != 1 || q.append_b || !q.initcalls))
                return log_error_status(EXIT_USAGE, "bench: --collection-cost takes one appliance, and no --append-b or --no-initcalls");
        q.a = pos[0];
        q.b = np == 2 ? pos[1] : NULL;
        /* Before the boots: a history that cannot be written is known now, not after them. */
        if (q.record && history_check_writable(q.record_db) < 0)
                return EXIT_USAGE;
        return bench_run(&q);
}
