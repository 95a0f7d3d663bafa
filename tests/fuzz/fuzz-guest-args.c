/* The guest-side argument parsers: which `udevadm settle` command lines the guestfsd shim answers
 * itself (init/shim/settle-args.c), the time left before its deadline (wait-left.c), and the
 * pre-init's keep list (init/preinit/keep-list.c).  The input, cut at NUL bytes, is the argv.
 * Promises: a settle the shim accepts has a timeout from 0 to a day; the time left is never
 * negative (poll would wait for ever) nor past the deadline. */
#include <config.h>

#include <limits.h>
#include <string.h>

#include "fuzz.h"
#include "init/preinit/keep-list.h"
#include "init/shim/settle-args.h"
#include "init/shim/wait-left.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *copy = fuzz_cstring(data, size);
        (void)virtio_keep_parse(copy);
        char *argv[33];
        size_t n = 0;
        for (size_t off = 0; off <= size && n < 32; n++) {
                argv[n] = copy + off;
                off += strlen(copy + off) + 1;
        }
        argv[n] = NULL;
        struct settle_request req;
        if (settle_args_parse(argv[0], argv, &req))
                fuzz_assert(req.timeout_ms >= 0 && req.timeout_ms <= 86400L * 1000);
        if (size >= 16) {
                long long deadline, now;
                memcpy(&deadline, data, 8);
                memcpy(&now, data + 8, 8);
                int left = wait_left_ms(deadline, now);
                fuzz_assert(left >= 0 && left <= INT_MAX);
                fuzz_assert(now >= deadline ? left == 0
                                            : (unsigned long long)left <= (unsigned long long)deadline - (unsigned long long)now);
        }
        free(copy);
        return 0;
}
