/* leanboot accel: which accelerator boots get on this host, and why (kvm-ok, for leanboot). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "accel.h"
#include "accel-cmd.h"
#include "../common/exit-status.h"
#include "../common/log.h"

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: leanboot accel [--refresh]\n"
                "Say which accelerator `run`, `bench` and `demo` use here with --accel auto, and why.\n"
                "KVM counts only where a KVM guest has been seen to run on this host with the QEMU\n"
                "machine and CPU arguments leanboot boots with (a /dev/kvm that opens is not enough);\n"
                "the verdict is cached under $XDG_CACHE_HOME/leanboot/accel, keyed by the host kernel,\n"
                "the QEMU binary and the KVM modules.\n\n"
                "      --refresh        probe again whatever the cache says\n"
                "  -h, --help           show this help\n\n"
                "Prints 'accel: kvm|tcg', the reason, and what libguestfs needs on this host.\n");
}

int cmd_accel(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "refresh", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool refresh = false;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'r': refresh = true; break;
                case 'h': usage(stdout); return 0;
                default:
                        log_error("accel: unknown option '%s' (see leanboot accel --help)", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                log_error("accel: unexpected argument '%s' (see leanboot accel --help)", argv[optind]);
                return EXIT_USAGE;
        }
        struct accel_choice ac;
        int r = accel_resolve(ACCEL_AUTO, refresh, &ac);
        if (r < 0)
                return log_error_errno_status(EXIT_RUNTIME, r, "accel: cannot tell whether KVM works here");
        printf("accel: %s\nreason: %s\n", accel_name(ac.accel), ac.reason);
        /* libguestfs's direct backend trusts a /dev/kvm that opens, as leanboot used to. */
        if (ac.accel == ACCEL_TCG && access("/dev/kvm", F_OK) == 0)
                printf("libguestfs: export LIBGUESTFS_BACKEND_SETTINGS=force_tcg (its own test would try this KVM)\n");
        accel_choice_done(&ac);
        return 0;
}
