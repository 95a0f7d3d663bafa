#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qcow2.h"
#include "../common/macro.h"
#include "../common/spawn.h"

#define QCOW2_MAGIC 0x514649fbu /* "QFI\xfb" */
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ull
#define QCOW2_COMPRESSED (1ull << 62)
#define QCOW2_ZERO_FLAG 1ull              /* v3: the cluster reads as zeros */
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)  /* subclusters: a different L2 entry format */
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)

int qcow2_create_overlay(const char *backing, uint64_t virtual_size, const char *out, char **ret_error)
{
        _cleanup_free_ char *opts = NULL, *size = NULL;
        if (asprintf(&opts, "backing_file=%s,backing_fmt=raw", backing) < 0 ||
            asprintf(&size, "%" PRIu64, virtual_size) < 0)
                return -ENOMEM;
        char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-o", opts, (char *)out, size, NULL };
        _cleanup_free_ char *o = NULL, *e = NULL;
        int r = run_capture(argv, &o, &e);
        if (r != 0) {
                if (e)
                        e[strcspn(e, "\n")] = '\0';
                if (asprintf(ret_error, "qemu-img create failed%s%s", e && *e ? ": " : "", e ? e : "") < 0)
                        *ret_error = NULL;
                return r < 0 ? r : -EIO;
        }
        return 0;
}

static uint64_t be64(const unsigned char *p)
{
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = v << 8 | p[i];
        return v;
}

static uint32_t be32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
        size_t done = 0;
        while (done < len) {
                ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0) {
                        memset((char *)buf + done, 0, len - done); /* past the file's end */
                        return 0;
                }
                done += (size_t)n;
        }
        return 0;
}

int qcow2_read(const char *path, uint64_t offset, void *buf, size_t len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unsigned char h[104];
        memset(h, 0, sizeof h);
        if (pread(fd, h, sizeof h, 0) < 72)
                return -EBADMSG;
        uint32_t version = be32(h + 4), cluster_bits = be32(h + 20), crypt = be32(h + 32);
        uint32_t l1_size = be32(h + 36);
        uint64_t l1_offset = be64(h + 40);
        if (be32(h) != QCOW2_MAGIC || (version != 2 && version != 3) || cluster_bits < 9 || cluster_bits > 21 ||
            crypt != 0)
                return -EBADMSG;
        if (version == 3 && (be64(h + 72) & (QCOW2_INCOMPAT_EXTL2 | QCOW2_INCOMPAT_DATA_FILE)))
                return -EBADMSG;
        uint64_t cluster = 1ull << cluster_bits, l2_entries = cluster / 8;
        unsigned char *out = buf;
        while (len > 0) {
                uint64_t in_cluster = offset & (cluster - 1);
                size_t chunk = (size_t)(cluster - in_cluster < len ? cluster - in_cluster : len);
                uint64_t l1_index = offset / cluster / l2_entries, l2_index = offset / cluster % l2_entries;
                uint64_t data = 0;
                if (l1_index < l1_size) {
                        unsigned char e[8];
                        int r = pread_all(fd, e, 8, l1_offset + l1_index * 8);
                        if (r < 0)
                                return r;
                        uint64_t l2_offset = be64(e) & QCOW2_OFFSET_MASK;
                        if (l2_offset) {
                                if ((r = pread_all(fd, e, 8, l2_offset + l2_index * 8)) < 0)
                                        return r;
                                uint64_t entry = be64(e);
                                if (entry & QCOW2_COMPRESSED)
                                        return -EBADMSG;
                                if (!(version == 3 && (entry & QCOW2_ZERO_FLAG)))
                                        data = entry & QCOW2_OFFSET_MASK;
                        }
                }
                if (data) {
                        int r = pread_all(fd, out, chunk, data + in_cluster);
                        if (r < 0)
                                return r;
                } else {
                        memset(out, 0, chunk);
                }
                out += chunk;
                offset += chunk;
                len -= chunk;
        }
        return 0;
}
