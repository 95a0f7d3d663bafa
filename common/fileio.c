#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include "fileio.h"
#include "macro.h"

int read_full_fd(int fd, char **ret_buf, size_t *ret_len)
{
        return read_full_fd_max(fd, SIZE_MAX / 2, ret_buf, ret_len);
}

int read_full_fd_max(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (cap - len < 2) {
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t)k;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret_buf = TAKE_PTR(buf);
        return 0;
}

int read_full_file(const char *path, char **ret_buf, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, ret_buf, ret_len);
}

int write_full(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                len -= (size_t)k;
        }
        return 0;
}

/* The directory holding PATH, synced: a rename or a new entry in it is on disk once this returns. */
int fsync_parent(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

static int fsync_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)ftw;
        if (flag != FTW_F && flag != FTW_DP)
                return 0; /* links and special files have no data of their own */
        if (flag == FTW_F && !S_ISREG(st->st_mode))
                return 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (flag == FTW_DP ? O_DIRECTORY : 0));
        if (fd < 0)
                return -errno;
        int r = fsync(fd) < 0 ? -errno : 0;
        close(fd);
        return r;
}

int fsync_tree(const char *path)
{
        /* nftw returns what fsync_one returned (a negative errno) when it stopped the walk, or
         * -1 with errno set when the walk itself failed. */
        int r = nftw(path, fsync_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        return r == -1 ? -errno : r;
}

int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = write_full(fd, buf, len);
        if (r == 0 && fchmod(fd, mode ? mode : 0644) < 0)
                r = -errno;
        /* The data on disk before the name: else a power loss after the rename can leave PATH
         * empty, the old content gone and the new never written. */
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        /* The new content is in place: syncing the name is as much as the filesystem allows
         * (some refuse fsync on a directory), never a reason to report a failure. */
        (void)fsync_parent(path);
        return 0;
}

int check_writable_path(const char *path)
{
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return -EISDIR;
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        const char *parent = !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);
        if (stat(parent, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return access(parent, W_OK) < 0 ? -errno : 0;
}

int write_stream_atomic(const char *path, void (*fill)(FILE *f, const void *data), const void *data)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return -errno;
        fill(f, data);
        int r = fclose(f) == 0 ? write_file_atomic(path, buf, len, 0644) : -ENOMEM;
        free(buf);
        return r;
}

/* Copy LEN bytes from IN to OUT at their current offsets. */
static int copy_range(int in, int out, off_t len)
{
        char buf[65536];
        while (len > 0) {
                ssize_t k = read(in, buf, (size_t)(len < (off_t)sizeof buf ? len : (off_t)sizeof buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                int r = write_full(out, buf, (size_t)k);
                if (r < 0)
                        return r;
                len -= k;
        }
        return 0;
}

/* Holes stay holes: an appliance's root is a 4 GiB sparse ext2 image with some 50 MB of data, so
 * only the data extents (SEEK_DATA/SEEK_HOLE) are copied and the size is set at the end. */
int copy_file(const char *src, const char *dst)
{
        _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        struct stat st;
        if (fstat(in, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        _cleanup_close_ int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
        if (out < 0)
                return -errno;
        off_t pos = 0;
        while (pos < st.st_size) {
                off_t data = lseek(in, pos, SEEK_DATA);
                if (data < 0 && errno == ENXIO)
                        break; /* only a hole is left */
                if (data < 0) {
                        /* No SEEK_DATA here: copy the rest as it is. */
                        data = pos;
                        if (lseek(in, pos, SEEK_SET) < 0)
                                return -errno;
                }
                off_t hole = lseek(in, data, SEEK_HOLE);
                if (hole < 0)
                        hole = st.st_size;
                if (lseek(in, data, SEEK_SET) < 0 || lseek(out, data, SEEK_SET) < 0)
                        return -errno;
                int r = copy_range(in, out, hole - data);
                if (r < 0)
                        return r;
                pos = hole;
        }
        if (ftruncate(out, st.st_size) < 0 || fchmod(out, st.st_mode & 07777) < 0)
                return -errno;
        if (close(TAKE_FD(out)) < 0)
                return -errno;
        return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int rm_rf(const char *path)
{
        int r = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        if (r < 0 && errno == ENOENT)
                return 0;
        return r > 0 ? -r : (r < 0 ? -errno : 0);
}

off_t file_size(const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return st.st_size;
}

bool file_exists(const char *path)
{
        return access(path, F_OK) == 0;
}

char *path_join(const char *a, const char *b)
{
        char *r = NULL;
        size_t la = strlen(a);
        bool slash = la > 0 && a[la - 1] == '/';
        if (asprintf(&r, "%s%s%s", a, slash ? "" : "/", b[0] == '/' ? b + 1 : b) < 0)
                return NULL;
        return r;
}

int dir_replace(const char *tmp, const char *dir)
{
        /* Every file of the new tree on disk before the swap, and the swap itself after it: a
         * power loss leaves DIR either old or new and whole, never a new name over lost data. */
        int r = fsync_tree(tmp);
        if (r < 0)
                return r;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
                /* tmp now holds what dir was.  The new content is in place whatever happens
                 * next: syncing the name is as much as the filesystem allows, and what removing
                 * the old one leaves is litter, neither a failure. */
                (void)fsync_parent(dir);
                (void)rm_rf(tmp);
                return 0;
        }
        if (errno != ENOENT)
                return -errno;
        if (rename(tmp, dir) < 0)
                return -errno;
        (void)fsync_parent(dir);
        return 0;
}

int write_text_file(const char *dir, const char *name, const char *text, mode_t mode)
{
        _cleanup_free_ char *p = path_join(dir, name);
        if (!p)
                return -ENOMEM;
        _cleanup_free_ char *parent = strdup(p);
        if (!parent)
                return -ENOMEM;
        int r = mkdir_p(dirname(parent), 0755);
        return r < 0 ? r : write_file_atomic(p, text, strlen(text), mode);
}
