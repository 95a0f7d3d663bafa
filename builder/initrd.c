/* Trim supermin's mini-initrd (an uncompressed "newc" cpio archive) to the root's modules.
 *
 * newc: each entry is a 110-byte ASCII header ("070701" and 13 eight-digit hex fields), the
 * NUL-terminated name padded to a multiple of 4 bytes (counted from the entry's start), then the
 * data padded likewise; the archive ends with an entry named "TRAILER!!!". */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initrd.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/macro.h"

#define NEWC_MAGIC "070701"
#define NEWC_HEADER 110
#define NEWC_FIELD_INO 0
#define NEWC_FIELD_MODE 1
#define NEWC_FIELD_NLINK 4
#define NEWC_FIELD_FILESIZE 6
#define NEWC_FIELD_NAMESIZE 11
#define TRAILER "TRAILER!!!"

struct newc_entry {
        const char *header; /* NEWC_HEADER bytes */
        const char *name;   /* NUL-terminated inside the archive */
        const char *data;
        size_t data_len;
        size_t next;        /* offset of the following entry */
};

static size_t pad4(size_t n)
{
        return (n + 3) & ~(size_t)3;
}

static bool parse_hex8(const char *s, size_t *ret)
{
        size_t v = 0;
        for (int i = 0; i < 8; i++) {
                char c = s[i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                        return false;
                v = v * 16 + (size_t)d;
        }
        *ret = v;
        return true;
}

/* The entry at OFF, or -EBADMSG when the bytes there are not a whole newc entry. */
static int newc_read(const char *buf, size_t len, size_t off, struct newc_entry *e)
{
        if (off > len || len - off < NEWC_HEADER || memcmp(buf + off, NEWC_MAGIC, 6) != 0)
                return -EBADMSG;
        const char *h = buf + off;
        size_t namesize, filesize;
        if (!parse_hex8(h + 6 + 8 * NEWC_FIELD_NAMESIZE, &namesize) ||
            !parse_hex8(h + 6 + 8 * NEWC_FIELD_FILESIZE, &filesize) || namesize == 0)
                return -EBADMSG;
        size_t data_off = off + pad4(NEWC_HEADER + namesize);
        if (data_off > len || filesize > len - data_off || h[NEWC_HEADER + namesize - 1] != '\0')
                return -EBADMSG;
        *e = (struct newc_entry){ h, h + NEWC_HEADER, buf + data_off, filesize, 0 };
        e->next = pad4(data_off + filesize);
        return 0;
}

struct outbuf {
        char *p;
        size_t len, cap;
};

static void outbuf_release(struct outbuf *o)
{
        free(o->p);
}

static int out_put(struct outbuf *o, const void *data, size_t n)
{
        if (o->len + n + 4 > o->cap) {
                size_t cap = (o->cap ? o->cap * 2 : 1 << 20) + n;
                char *p = realloc(o->p, cap);
                if (!p)
                        return -ENOMEM;
                o->p = p;
                o->cap = cap;
        }
        if (n > 0) /* an empty entry's data may be NULL */
                memcpy(o->p + o->len, data, n);
        o->len += n;
        return 0;
}

static int out_pad(struct outbuf *o)
{
        static const char zeros[4];
        return out_put(o, zeros, pad4(o->len) - o->len);
}

static void set_field(char *header, int field, size_t value)
{
        char hex[17]; /* newc fields are 32-bit: the values written here fit in 8 digits */
        snprintf(hex, sizeof hex, "%08zX", value & 0xffffffffu);
        memcpy(header + 6 + 8 * field, hex, 8);
}

/* Copy an entry under NAME, with its data replaced by DATA (the header's sizes rewritten). */
static int out_entry_as(struct outbuf *o, const struct newc_entry *e, const char *name, const char *data,
                        size_t data_len)
{
        char header[NEWC_HEADER + 1];
        memcpy(header, e->header, NEWC_HEADER);
        set_field(header, NEWC_FIELD_FILESIZE, data_len);
        set_field(header, NEWC_FIELD_NAMESIZE, strlen(name) + 1);
        int r = out_put(o, header, NEWC_HEADER);
        if (r >= 0)
                r = out_put(o, name, strlen(name) + 1);
        if (r >= 0)
                r = out_pad(o);
        if (r >= 0)
                r = out_put(o, data, data_len);
        return r < 0 ? r : out_pad(o);
}

static int out_entry(struct outbuf *o, const struct newc_entry *e, const char *data, size_t data_len)
{
        return out_entry_as(o, e, e->name, data, data_len);
}

/* A new regular file: root-owned, one link, mtime 0 (the build stays reproducible). */
static int out_new_file(struct outbuf *o, const char *name, unsigned mode, size_t ino, const char *data,
                        size_t data_len)
{
        char header[NEWC_HEADER + 1];
        memcpy(header, NEWC_MAGIC, 6);
        memset(header + 6, '0', NEWC_HEADER - 6);
        set_field(header, NEWC_FIELD_INO, ino);
        set_field(header, NEWC_FIELD_MODE, 0100000 | mode);
        set_field(header, NEWC_FIELD_NLINK, 1);
        struct newc_entry e = { header, name, NULL, 0, 0 };
        return out_entry_as(o, &e, name, data, data_len);
}

static bool is_module_file(const char *name)
{
        return strstr(name, ".ko") != NULL && !strchr(name, '/');
}

static bool keep_has(char *const *keep, size_t n_keep, const char *name)
{
        for (size_t i = 0; i < n_keep; i++)
                if (streq(base_name(keep[i]), name))
                        return true;
        return false;
}

#define SIG_MARKER "~Module signature appended~\n"
#define SIG_INFO 12 /* struct module_signature */

size_t module_unsigned_size(const char *data, size_t len)
{
        size_t marker = sizeof(SIG_MARKER) - 1;
        if (len < marker + SIG_INFO || memcmp(data + len - marker, SIG_MARKER, marker) != 0)
                return len;
        const unsigned char *info = (const unsigned char *)data + len - marker - SIG_INFO;
        size_t sig_len = (size_t)info[8] << 24 | (size_t)info[9] << 16 | (size_t)info[10] << 8 | info[11];
        size_t tail = marker + SIG_INFO + sig_len;
        return sig_len == 0 || tail > len ? len : len - tail;
}

static bool archive_has(const char *buf, size_t len, const char *name)
{
        struct newc_entry e;
        for (size_t off = 0; newc_read(buf, len, off, &e) == 0 && !streq(e.name, TRAILER); off = e.next)
                if (streq(e.name, name))
                        return true;
        return false;
}

int initrd_trim(const char *path, char *const *keep, size_t n_keep, bool strip_signatures, size_t *ret_kept,
                size_t *ret_stripped)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_full_file(path, &buf, &len);
        if (r < 0)
                return r;

        /* The new /modules list: KEEP's order (dependencies first), those the archive holds. */
        _cleanup_free_ char *list = NULL;
        size_t list_len = 0, kept = 0;
        FILE *f = open_memstream(&list, &list_len);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n_keep; i++)
                if (archive_has(buf, len, base_name(keep[i]))) {
                        fprintf(f, "%s\n", base_name(keep[i]));
                        kept++;
                }
        if (fclose(f) != 0)
                return -ENOMEM;

        _cleanup_(outbuf_release) struct outbuf o = { 0 };
        bool saw_modules = false, saw_trailer = false;
        size_t stripped = 0;
        struct newc_entry e;
        for (size_t off = 0; !saw_trailer; off = e.next) {
                if ((r = newc_read(buf, len, off, &e)) < 0)
                        return r;
                if (streq(e.name, TRAILER)) {
                        saw_trailer = true;
                        r = out_entry(&o, &e, e.data, e.data_len);
                } else if (streq(e.name, "modules")) {
                        saw_modules = true;
                        r = out_entry(&o, &e, list, list_len);
                } else if (is_module_file(e.name) && !keep_has(keep, n_keep, e.name)) {
                        r = 0; /* dropped */
                } else if (is_module_file(e.name) && strip_signatures) {
                        size_t n = module_unsigned_size(e.data, e.data_len);
                        stripped += n < e.data_len;
                        r = out_entry(&o, &e, e.data, n);
                } else {
                        r = out_entry(&o, &e, e.data, e.data_len);
                }
                if (r < 0)
                        return r;
        }
        if (!saw_modules)
                return -EBADMSG; /* not supermin's mini-initrd */
        r = write_file_atomic(path, o.p, o.len, 0644);
        if (r >= 0 && ret_kept)
                *ret_kept = kept;
        if (r >= 0 && ret_stripped)
                *ret_stripped = stripped;
        return r;
}

int initrd_add_preinit(const char *path, const char *preinit, const char *virtio_keep)
{
        _cleanup_free_ char *buf = NULL, *bin = NULL;
        size_t len = 0, bin_len = 0;
        int r = read_full_file(path, &buf, &len);
        if (r >= 0)
                r = read_full_file(preinit, &bin, &bin_len);
        if (r < 0)
                return r;
        if (!archive_has(buf, len, "init") || archive_has(buf, len, INITRD_SUPERMIN_INIT + 1))
                return -EBADMSG; /* no init to run after ours, or ours is in already */

        /* Inode numbers only pair hard links (nlink > 1); ours need only differ from the rest. */
        size_t max_ino = 0, ino;
        struct newc_entry e;
        for (size_t off = 0; newc_read(buf, len, off, &e) == 0 && !streq(e.name, TRAILER); off = e.next)
                if (parse_hex8(e.header + 6 + 8 * NEWC_FIELD_INO, &ino) && ino > max_ino)
                        max_ino = ino;

        _cleanup_(outbuf_release) struct outbuf o = { 0 };
        for (size_t off = 0;; off = e.next) {
                if ((r = newc_read(buf, len, off, &e)) < 0)
                        return r;
                if (streq(e.name, TRAILER)) {
                        r = out_new_file(&o, "init", 0755, max_ino + 1, bin, bin_len);
                        if (r >= 0)
                                r = out_new_file(&o, INITRD_VIRTIO_KEEP + 1, 0644, max_ino + 2, virtio_keep,
                                                 strlen(virtio_keep));
                        if (r >= 0)
                                r = out_entry(&o, &e, e.data, e.data_len);
                        if (r < 0)
                                return r;
                        break;
                }
                r = streq(e.name, "init") ? out_entry_as(&o, &e, INITRD_SUPERMIN_INIT + 1, e.data, e.data_len)
                                          : out_entry(&o, &e, e.data, e.data_len);
                if (r < 0)
                        return r;
        }
        return write_file_atomic(path, o.p, o.len, 0644);
}
