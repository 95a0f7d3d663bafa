/* Unpack a bzImage into the ELF vmlinux it carries (see vmlinux.h for why).
 *
 * Boot protocol 2.08+: the setup header gives the payload's offset (from the start of the
 * protected-mode code, which follows the setup sectors) and length.  The payload is the stripped
 * ELF vmlinux, compressed; its last 4 bytes are the uncompressed size, little-endian. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmlinux.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/spawn.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PT_NOTE 4

struct compression {
        const char *name;
        const unsigned char magic[6];
        size_t magic_len;
        const char *tool[4]; /* argv before the file name; decompresses to stdout */
};

static const struct compression compressions[] = {
        { "gzip", { 0x1f, 0x8b }, 2, { "gzip", "-dc", NULL } },
        { "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, { "xz", "-dc", "--single-stream", NULL } },
        { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, { "zstd", "-dcq", NULL } },
        { "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, { "lz4", "-dcq", NULL } },
        { "bzip2", { 'B', 'Z', 'h' }, 3, { "bzip2", "-dc", NULL } },
        { "lzo", { 0x89, 'L', 'Z', 'O' }, 4, { "lzop", "-dc", NULL } },
        { "lzma", { 0x5d, 0, 0 }, 3, { "xz", "--format=lzma", "-dc", NULL } },
};

static uint32_t le32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
        return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

_printf_(2, 3) static int refuse(char **ret_why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return -EMEDIUMTYPE;
}

struct mapping {
        unsigned char *p;
        size_t len;
};

static void unmap(struct mapping *m)
{
        if (m->p && m->p != MAP_FAILED)
                munmap(m->p, m->len);
}

static int map_file(const char *path, struct mapping *m)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size == 0)
                return -EINVAL;
        m->len = (size_t)st.st_size;
        m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        return m->p == MAP_FAILED ? -errno : 0;
}

int vmlinux_has_pvh_entry(const char *path)
{
        _cleanup_(unmap) struct mapping m = { NULL, 0 };
        int r = map_file(path, &m);
        if (r < 0)
                return r;
        const unsigned char *e = m.p;
        if (m.len < 64 || memcmp(e, "\177ELF", 4) != 0 || e[4] != 2 /* ELFCLASS64 */)
                return 0;
        uint64_t phoff = le64(e + 0x20);
        unsigned phentsize = (unsigned)e[0x36] | (unsigned)e[0x37] << 8;
        unsigned phnum = (unsigned)e[0x38] | (unsigned)e[0x39] << 8;
        for (unsigned i = 0; i < phnum; i++) {
                /* Bounds checked by subtraction: a crafted e_phoff near 2^64 would wrap a sum. */
                uint64_t rel = (uint64_t)i * phentsize;
                if (phentsize < 56 || phoff > m.len || rel > m.len - phoff || m.len - phoff - rel < 56)
                        break;
                uint64_t ph = phoff + rel;
                if (le32(e + ph) != PT_NOTE)
                        continue;
                uint64_t off = le64(e + ph + 8), size = le64(e + ph + 32);
                if (off > m.len || size > m.len - off)
                        continue;
                /* Notes: namesz, descsz, type, then name and desc, each padded to 4 bytes. */
                for (uint64_t n = off; n + 12 <= off + size;) {
                        uint32_t namesz = le32(e + n), descsz = le32(e + n + 4), type = le32(e + n + 8);
                        uint64_t next = n + 12 + ((namesz + 3ull) & ~3ull) + ((descsz + 3ull) & ~3ull);
                        if (next > off + size)
                                break;
                        if (namesz == 4 && memcmp(e + n + 12, "Xen", 4) == 0 && type == XEN_ELFNOTE_PHYS32_ENTRY)
                                return 1;
                        n = next;
                }
        }
        return 0;
}

int vmlinux_unpack(const char *bzimage, const char *out, const char *workdir, char **ret_why)
{
        *ret_why = NULL;
        _cleanup_(unmap) struct mapping m = { NULL, 0 };
        int r = map_file(bzimage, &m);
        if (r < 0)
                return r;
        const unsigned char *h = m.p;
        if (m.len < 0x250 || memcmp(h + 0x202, "HdrS", 4) != 0)
                return refuse(ret_why, "not a bzImage");
        unsigned version = (unsigned)h[0x206] | (unsigned)h[0x207] << 8;
        if (version < 0x208)
                return refuse(ret_why, "boot protocol %u.%02u names no payload", version >> 8, version & 0xff);
        unsigned setup_sects = h[0x1f1] ? h[0x1f1] : 4;
        uint64_t start = (uint64_t)(setup_sects + 1) * 512 + le32(h + 0x248);
        uint64_t len = le32(h + 0x24c);
        if (len < 8 || start > m.len || len > m.len - start)
                return refuse(ret_why, "its payload lies outside the file");
        const unsigned char *payload = m.p + start;
        uint32_t expect = le32(payload + len - 4);

        const struct compression *c = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(compressions) && !c; i++)
                if (memcmp(payload, compressions[i].magic, compressions[i].magic_len) == 0)
                        c = &compressions[i];
        if (!c)
                return refuse(ret_why, "unknown payload compression");

        _cleanup_free_ char *packed = path_join(workdir, "vmlinux.packed");
        if (!packed)
                return -ENOMEM;
        /* Every compressor but gzip gets the size appended after its stream; gzip's own trailer
         * ends with it, so its stream runs to the payload's end. */
        size_t stream_len = streq(c->name, "gzip") ? len : len - 4;
        r = write_file_atomic(packed, payload, stream_len, 0600);
        if (r < 0)
                return r;
        _cleanup_close_ int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (ofd < 0) {
                r = -errno;
                unlink(packed);
                return r;
        }
        char *argv[6] = { NULL };
        size_t k = 0;
        for (; c->tool[k]; k++)
                argv[k] = (char *)c->tool[k];
        argv[k] = packed;
        struct spawn_opts o = SPAWN_OPTS_DEFAULT;
        o.stdout_fd = ofd;
        int st = run_argv(argv, &o);
        unlink(packed);
        struct stat s;
        if (st != 0 || fstat(ofd, &s) < 0 || (uint64_t)s.st_size != expect) {
                unlink(out);
                if (st == 127 || st == -ENOENT)
                        return refuse(ret_why, "%s is not installed to unpack its %s payload", c->tool[0], c->name);
                return refuse(ret_why, "its %s payload did not unpack to the %u bytes it declares", c->name, expect);
        }
        r = vmlinux_has_pvh_entry(out);
        if (r <= 0) {
                unlink(out);
                return r < 0 ? r : refuse(ret_why, "it has no PVH entry point (CONFIG_PVH)");
        }
        return 0;
}
