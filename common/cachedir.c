/* Least-recently-used directories under a lock each: see cachedir.h. */
#include <config.h>

#include <dirent.h>
#include <stdbool.h>
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

/* Whether FD, locked, is still the file at DIR.lock: a prune removes the lock file with its
 * directory, while holding it, so a lock taken on the file it removed holds nothing. */
static bool lock_is_current(int fd, const char *dir)
{
        _cleanup_free_ char *lock_path = NULL;
        struct stat held, now;
        if (asprintf(&lock_path, "%s.lock", dir) < 0 || fstat(fd, &held) < 0 || stat(lock_path, &now) < 0)
                return false;
        return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

int cachedir_lock(const char *dir, const char *what)
{
        bool said = false;
        for (;;) {
                int fd = open_lock(dir);
                if (fd < 0)
                        return fd;
                int r = flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
                if (r == -EWOULDBLOCK) {
                        if (!said)
                                log_info("another leanboot is using the %s %s; waiting for it", what, dir);
                        said = true;
                        while ((r = flock(fd, LOCK_EX) < 0 ? -errno : 0) == -EINTR)
                                ;
                }
                if (r == 0 && lock_is_current(fd, dir))
                        return fd;
                close(fd);
                if (r < 0)
                        return r;
                /* Removed by a prune while we waited: lock the new one. */
        }
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
static void remove_unless_used(const char *parent, const struct used_dir *u, const char *what)
{
        _cleanup_free_ char *dir = path_join(parent, u->name);
        if (!dir)
                return;
        _cleanup_close_ int lock = open_lock(dir);
        if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
                return;
        /* Used since the listing (a short run locked, used and let go of it meanwhile): it stays. */
        struct stat st;
        if (stat(dir, &st) < 0 || st.st_mtim.tv_sec != u->used.tv_sec || st.st_mtim.tv_nsec != u->used.tv_nsec)
                return;
        int r = rm_rf(dir);
        if (r < 0) {
                log_warn("cannot remove the %s used longest ago, %s: %s", what, dir, strerror(-r));
                return;
        }
        log_info("removed the %s used longest ago: %s", what, dir);
        /* Its lock file goes too, still held: whoever waits on it finds it stale and takes the
         * new one (cachedir_lock). */
        _cleanup_free_ char *lock_path = NULL;
        if (asprintf(&lock_path, "%s.lock", dir) >= 0)
                (void)unlink(lock_path);
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
                        remove_unless_used(parent, &dirs[i], what);
                free(dirs[i].name);
        }
        free(dirs);
}
