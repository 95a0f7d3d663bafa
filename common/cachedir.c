/* Least-recently-used directories under a lock each: see cachedir.h. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachedir.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

static int open_lock(const char *dir)
{
        _cleanup_free_ char *lock_path = NULL;
        if (asprintf(&lock_path, "%s.lock", dir) < 0)
                return -ENOMEM;
        int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        return fd < 0 ? -errno : fd;
}

int cachedir_lock(const char *dir, const char *what)
{
        int fd = open_lock(dir);
        if (fd < 0)
                return fd;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                return fd;
        if (errno != EWOULDBLOCK) {
                int r = -errno;
                close(fd);
                return r;
        }
        log_info("another tailor is using the %s %s; waiting for it", what, dir);
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        }
        return fd;
}

void cachedir_mark_used(const char *dir)
{
        (void)utimensat(AT_FDCWD, dir, NULL, 0);
}

struct used_dir {
        char *name;
        struct timespec used;
};

static int by_use_newest_first(const void *a, const void *b)
{
        const struct used_dir *x = a, *y = b;
        if (x->used.tv_sec != y->used.tv_sec)
                return x->used.tv_sec < y->used.tv_sec ? 1 : -1;
        return x->used.tv_nsec < y->used.tv_nsec ? 1 : x->used.tv_nsec > y->used.tv_nsec ? -1 : 0;
}

/* Removes PARENT/NAME unless its lock is held: taken without waiting, and kept while removing, so
 * that a user who comes meanwhile waits and then makes the directory anew. */
static void remove_unless_used(const char *parent, const char *name, const char *what)
{
        _cleanup_free_ char *dir = path_join(parent, name);
        if (!dir)
                return;
        _cleanup_close_ int lock = open_lock(dir);
        if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
                return;
        int r = rm_rf(dir);
        if (r < 0)
                log_warn("cannot remove the %s used longest ago, %s: %s", what, dir, strerror(-r));
        else
                log_info("removed the %s used longest ago: %s", what, dir);
}

void cachedir_prune(const char *parent, const char *prefix, size_t keep, const char *what)
{
        DIR *d = opendir(parent);
        if (!d)
                return;
        struct used_dir *dirs = NULL;
        size_t n = 0, prefix_len = strlen(prefix);
        for (struct dirent *e; (e = readdir(d));) {
                struct stat st;
                if (strncmp(e->d_name, prefix, prefix_len) != 0 ||
                    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                struct used_dir *more = realloc(dirs, (n + 1) * sizeof *dirs);
                if (!more)
                        break;
                dirs = more;
                if (!(dirs[n].name = strdup(e->d_name)))
                        break;
                dirs[n++].used = st.st_mtim;
        }
        closedir(d);
        if (n > keep)
                qsort(dirs, n, sizeof *dirs, by_use_newest_first);
        for (size_t i = 0; i < n; i++) {
                if (i >= keep)
                        remove_unless_used(parent, dirs[i].name, what);
                free(dirs[i].name);
        }
        free(dirs);
}
