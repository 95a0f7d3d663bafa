/* The guest programs' own parsers: which `udevadm` command lines the guestfsd shim answers
 * itself (init/shim/settle-args.c), and the pre-init's keep list (init/preinit/keep-list.c). */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "init/preinit/keep-list.h"
#include "init/shim/settle-args.h"
#include "init/shim/wait-left.h"
#include <limits.h>

static void test_settle(void)
{
        static const struct {
                const char *file;
                const char *argv[8];
                bool settle;
                const char *exists;
                long timeout_ms;
        } cases[] = {
                { "udevadm", { "udevadm", "settle" }, true, NULL, SETTLE_DEFAULT_TIMEOUT_MS },
                { "/usr/bin/udevadm", { "udevadm", "settle", "-E", "/dev/sda" }, true, "/dev/sda", SETTLE_DEFAULT_TIMEOUT_MS },
                { "udevadm", { "udevadm", "--debug", "settle", "--exit-if-exists=/dev/sdb", "-t", "5" }, true, "/dev/sdb", 5000 },
                { "udevadm", { "udevadm", "-d", "settle", "--timeout=30s" }, true, NULL, 30000 },
                { "udevadm", { "udevadm", "settle", "-t", "0" }, true, NULL, 0 },
                { "udevadm", { "udevadm", "trigger" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "--timeout=1.5" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "-t", "86401" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "-t", "-1" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "-E" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "-E", "" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "settle", "--seq-start=3" }, false, NULL, 0 },
                { "udevadm", { "udevadm", "--version" }, false, NULL, 0 },
                { "udevadm", { "udevadm" }, false, NULL, 0 },
                { "/bin/udevadm-wrapper", { "udevadm", "settle" }, false, NULL, 0 },
                { "sh", { "sh", "-c", "udevadm settle" }, false, NULL, 0 },
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct settle_request r = { "untouched", -7 };
                bool got = settle_args_parse(cases[i].file, (char *const *)cases[i].argv, &r);
                if (!cases[i].settle) {
                        CHECK(!got && r.timeout_ms == -7, "case %zu: left to udevadm, request untouched", i);
                        continue;
                }
                CHECK(got && r.timeout_ms == cases[i].timeout_ms &&
                              (cases[i].exists ? r.exists && strcmp(r.exists, cases[i].exists) == 0 : !r.exists),
                      "case %zu: answered by the shim (timeout %ld ms, -E %s)", i, r.timeout_ms, r.exists ? r.exists : "-");
        }
}

static void test_keep_list(void)
{
        CHECK(virtio_keep_parse("1 2 3 8\n") == ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 8)),
              "the builder's list: net, block, console, SCSI");
        CHECK(virtio_keep_parse("") == 0, "empty: nothing kept");
        CHECK(virtio_keep_parse("63 64 -1 0") == ((UINT64_C(1) << 63) | 1), "0 to 63 kept, the rest ignored");
        CHECK(virtio_keep_parse("2 x 3") == (1u << 2), "reading stops at what is not a number");
        CHECK(virtio_keep_parse("12") == (1u << 12), "two digits are one type, not 1 and 2");
}

/* The udev wait's poll timeout: an audit found it recomputed after the loop's deadline check,
 * where it could be negative (poll's "for ever", holding guestfsd). */
static void test_wait_left(void)
{
        CHECK(wait_left_ms(1000, 400) == 600, "600 ms left");
        CHECK(wait_left_ms(1000, 1000) == 0, "at the deadline: 0");
        CHECK(wait_left_ms(1000, 1001) == 0, "past it: 0, never negative");
        CHECK(wait_left_ms(LLONG_MAX, 0) == INT_MAX, "far off: at most INT_MAX");
        CHECK(wait_left_ms(LLONG_MAX, -1) == INT_MAX, "far off from a negative clock: INT_MAX, no overflow");
}

int main(void)
{
        test_settle();
        test_wait_left();
        test_keep_list();
        return tap_done();
}
