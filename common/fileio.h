/* EINTR-safe whole-file and whole-buffer I/O. All functions return 0 or -errno. */
#ifndef LEANBOOT_FILEIO_H
#define LEANBOOT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Read everything from fd until EOF into a NUL-terminated malloc'd buffer. */
int read_full_fd(int fd, char **ret_buf, size_t *ret_len);
/* As read_full_fd, but -EFBIG once more than MAX bytes came (an endless /dev/zero, a sparse
 * file of a gigabyte), with nothing returned. */
int read_full_fd_max(int fd, size_t max, char **ret_buf, size_t *ret_len);
/* Same for a path. */
int read_full_file(const char *path, char **ret_buf, size_t *ret_len);
/* Write all of buf, retrying short writes and EINTR. */
int write_full(int fd, const void *buf, size_t len);
/* Write a file (created 0644 unless mode given), via a temporary name and rename. */
int write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);
/* Could a file be written at PATH (write_file_atomic)?  0, or -errno: -EISDIR for a directory,
 * else why its directory cannot take a new file.  For outputs checked before the work. */
int check_writable_path(const char *path);
/* What FILL writes to a stream, written to PATH as write_file_atomic does (0644): a reader never
 * sees half a report, and a failure leaves PATH as it was.  0 or -errno. */
int write_stream_atomic(const char *path, void (*fill)(FILE *f, const void *data), const void *data);
/* DIR/NAME (NAME may have slashes: its parents are made) with TEXT, written atomically. */
int write_text_file(const char *dir, const char *name, const char *text, mode_t mode);
/* Copy a regular file's content and mode. */
int copy_file(const char *src, const char *dst);
/* Put directory TMP in DIR's place: one atomic exchange when DIR exists (its old content,
 * then in TMP, is removed as well as it can be), else a rename.  Readers see the old DIR or the
 * new, never neither; an error means DIR was left as it was. */
int dir_replace(const char *tmp, const char *dir);
/* fsync every regular file and directory under PATH (not following links). */
int fsync_tree(const char *path);
/* fsync the directory that holds PATH (after a rename or a new file in it). */
int fsync_parent(const char *path);
/* mkdir -p. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf (does not cross mount points; does not follow symlinks). */
int rm_rf(const char *path);
/* Size in bytes of a file, or -errno. */
off_t file_size(const char *path);
bool file_exists(const char *path);
/* Join two path components into a malloc'd string (NULL on ENOMEM). */
char *path_join(const char *a, const char *b);

#endif
