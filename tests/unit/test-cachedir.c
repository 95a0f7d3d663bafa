/* The cache's reused directories (common/cachedir.c), as the tailor uses them for its trees and
 * runs: cachedir_prune keeps the ones used last and removes the rest, but never one whose lock is
 * held, and nothing without the prefix; cachedir_lock holds that lock; ktree_open marks its tree
 * used. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "common/cachedir.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "kernel/ktree.h"

/* PARENT/NAME with a file in it, used SECONDS ago. */
static void make_dir_used(const char *parent, const char *name, long seconds)
{
        _cleanup_free_ char *dir = path_join(parent, name), *obj = path_join(dir, "obj");
        mkdir_p(obj, 0755);
        write_text_file(obj, ".config", "CONFIG_X=y\n", 0644);
        struct timespec t[2] = { { .tv_sec = time(NULL) - seconds }, { .tv_sec = time(NULL) - seconds } };
        utimensat(AT_FDCWD, dir, t, 0);
}

static bool there(const char *parent, const char *name)
{
        _cleanup_free_ char *p = path_join(parent, name);
        return file_exists(p);
}

/* Is PARENT/NAME.lock held by someone (another open file description)? */
static bool held(const char *parent, const char *name)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s.lock", parent, name) < 0)
                return false;
        _cleanup_close_ int fd = open(p, O_RDWR | O_CLOEXEC);
        return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
}

int main(void)
{
        char parent[] = "/tmp/leanboot-test-cachedir.XXXXXX";
        if (!mkdtemp(parent))
                return 1;
        make_dir_used(parent, "tree-newest", 10);
        make_dir_used(parent, "tree-second", 100);
        make_dir_used(parent, "tree-third", 1000);
        make_dir_used(parent, "tree-held", 5000);
        make_dir_used(parent, "tree-oldest", 9000);
        make_dir_used(parent, "run-old", 99999); /* another prefix */
        _cleanup_free_ char *held_tree = path_join(parent, "tree-held");
        int lock = cachedir_lock(held_tree, "tree");
        CHECK(lock >= 0 && held(parent, "tree-held"), "cachedir_lock holds tree-held.lock");

        cachedir_prune(parent, "tree-", 2, "tailor tree");
        CHECK(there(parent, "tree-newest") && there(parent, "tree-second"), "the two used last are kept");
        CHECK(!there(parent, "tree-third") && !there(parent, "tree-oldest"), "the others are removed");
        CHECK(there(parent, "tree-held"), "a directory whose lock is held stays, however old");
        CHECK(there(parent, "run-old"), "what lacks the prefix stays");
        CHECK(there(parent, "tree-held.lock"), "a held directory's lock file stays");
        close(lock);
        CHECK(!held(parent, "tree-held"), "closing the fd lets go of the lock");

        cachedir_prune(parent, "tree-", 2, "tailor tree");
        CHECK(!there(parent, "tree-held") && there(parent, "tree-newest"), "let go, the old directory goes at the next prune");
        CHECK(!there(parent, "tree-held.lock") && !there(parent, "tree-oldest.lock"), "a removed directory's lock file goes with it");

        /* A user waiting on a lock file that a prune then removes takes the new one, not the
         * removed file's (which no one else would ever see held). */
        make_dir_used(parent, "tree-raced", 1);
        _cleanup_free_ char *raced = path_join(parent, "tree-raced"), *raced_lock = path_join(parent, "tree-raced.lock");
        lock = cachedir_lock(raced, "tree");
        pid_t pid = fork();
        if (pid == 0) {
                close(lock); /* the parent's: a copy would keep its lock held */
                alarm(20);
                int fd = cachedir_lock(raced, "tree");
                struct stat a, b;
                _exit(fd >= 0 && fstat(fd, &a) == 0 && stat(raced_lock, &b) == 0 && a.st_ino == b.st_ino ? 0 : 1);
        }
        usleep(200 * 1000); /* the child is waiting on the old file by now */
        rm_rf(raced);
        unlink(raced_lock);
        close(lock);
        int status = -1;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a waiter whose lock file was removed locks the new one");

        /* Runs: their own prefix and count, the same rules. */
        make_dir_used(parent, "run-new", 1);
        cachedir_prune(parent, "run-", 1, "tailor run");
        CHECK(there(parent, "run-new") && !there(parent, "run-old") && there(parent, "tree-newest"),
              "runs pruned on their own: the older run goes, the trees stay");

        /* Marking use reorders: the oldest becomes the newest. */
        make_dir_used(parent, "run-older", 500);
        _cleanup_free_ char *older = path_join(parent, "run-older");
        cachedir_mark_used(older);
        cachedir_prune(parent, "run-", 1, "tailor run");
        CHECK(there(parent, "run-older") && !there(parent, "run-new"), "cachedir_mark_used makes a directory the newest");

        /* Opening a tree marks it used: it is the newest now. */
        _cleanup_free_ char *second = path_join(parent, "tree-second");
        struct ktree t;
        CHECK(ktree_open(&t, second, "/nonexistent-src", NULL, false, 1) == 0, "ktree_open on an existing tree");
        ktree_close(&t);
        make_dir_used(parent, "tree-another", 5);
        cachedir_prune(parent, "tree-", 2, "tailor tree");
        CHECK(there(parent, "tree-second") && there(parent, "tree-another") && !there(parent, "tree-newest"),
              "ktree_open marks the tree used: tree-second, opened now, outlives tree-newest");

        /* A lock whose directory cannot hold the lock file: an error, not a wait. */
        CHECK(cachedir_lock("/nonexistent-leanboot-dir/tree-x", "tree") == -ENOENT, "a lock in a missing directory: -ENOENT");
        cachedir_prune("/nonexistent-leanboot-dir", "tree-", 1, "tailor tree"); /* nothing to do: no crash, no error */
        CHECK(true, "a missing parent is nothing to prune");
        rm_rf(parent);
        return tap_done();
}
