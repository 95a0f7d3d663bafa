/* The qcow2 reader (benchmark/qcow2.c) against files QEMU's own tools made: an overlay from
 * qemu-img create, bytes written into it by qemu-io as a guest would write them, and read back. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "benchmark/qcow2.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "common/spawn.h"

#define BACKING_SIZE (1u << 20)
#define TAIL (16u << 20)

static int qemu_io(const char *overlay, const char *cmd)
{
        char *argv[] = { "qemu-io", "-f", "qcow2", "-c", (char *)cmd, (char *)overlay, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        return run_capture(argv, &out, &err);
}

static bool all_bytes(const unsigned char *b, size_t n, unsigned char v)
{
        for (size_t i = 0; i < n; i++)
                if (b[i] != v)
                        return false;
        return true;
}

int main(void)
{
        if (access("/usr/bin/qemu-img", X_OK) != 0 || access("/usr/bin/qemu-io", X_OK) != 0) {
                SKIP("qemu-img and qemu-io (qemu-utils) are not installed");
                return tap_done();
        }
        char tmpl[] = "/tmp/leanboot-test-qcow2-XXXXXX";
        char *dir = mkdtemp(tmpl);
        if (!dir)
                return 99;
        _cleanup_free_ char *backing = path_join(dir, "root"), *overlay = path_join(dir, "boot.qcow2"), *why = NULL;
        _cleanup_free_ unsigned char *ones = malloc(BACKING_SIZE);
        memset(ones, 0x11, BACKING_SIZE);
        CHECK(write_file_atomic(backing, ones, BACKING_SIZE, 0644) == 0, "a 1 MiB raw backing file of 0x11");
        int r = qcow2_create_overlay(backing, BACKING_SIZE + TAIL, overlay, &why);
        CHECK(r == 0, "qemu-img made the overlay (%s)", why ? why : "ok");

        unsigned char buf[8192];
        CHECK(qcow2_read(overlay, BACKING_SIZE, buf, sizeof buf) == 0 && all_bytes(buf, sizeof buf, 0),
              "the tail, unwritten, reads as zeros");
        /* A write that spans a cluster boundary (64 KiB clusters), past the backing file's end. */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "write -P 0x5a %u 100000", BACKING_SIZE + 65536 - 4000);
        CHECK(qemu_io(overlay, cmd) == 0, "qemu-io wrote 100000 bytes of 0x5a across a cluster boundary");
        _cleanup_free_ unsigned char *big = malloc(100000 + 2);
        CHECK(qcow2_read(overlay, BACKING_SIZE + 65536 - 4000 - 1, big, 100000 + 2) == 0 && big[0] == 0 &&
                      all_bytes(big + 1, 100000, 0x5a) && big[100001] == 0,
              "read back exactly: zeros, then the written bytes, then zeros");
        snprintf(cmd, sizeof cmd, "write -P 0x77 %u 16", BACKING_SIZE + TAIL - 16);
        CHECK(qemu_io(overlay, cmd) == 0 && qcow2_read(overlay, BACKING_SIZE + TAIL - 16, buf, 16) == 0 &&
                      all_bytes(buf, 16, 0x77),
              "the last bytes of the disk");
        CHECK(qcow2_read(backing, 0, buf, 16) == -EBADMSG, "a raw file is not qcow2: -EBADMSG");
        CHECK(qcow2_read("/nonexistent", 0, buf, 16) == -ENOENT, "a missing file: -ENOENT");
        rm_rf(dir);
        return tap_done();
}
