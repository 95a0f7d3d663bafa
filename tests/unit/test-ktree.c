/* The tailor's trees (kernel/ktree.c): one per start, so ktree_prune keeps the ones used last and
 * removes the rest, but never one a tailor holds (its lock), and nothing that is not a tree. */
#include <config.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "kernel/ktree.h"

/* PARENT/NAME with a file in it, used SECONDS ago. */
static void make_tree(const char *parent, const char *name, long seconds)
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

int main(void)
{
        char parent[] = "/tmp/leanboot-test-ktree.XXXXXX";
        if (!mkdtemp(parent))
                return 1;
        make_tree(parent, "tree-newest", 10);
        make_tree(parent, "tree-second", 100);
        make_tree(parent, "tree-third", 1000);
        make_tree(parent, "tree-held", 5000);
        make_tree(parent, "tree-oldest", 9000);
        make_tree(parent, "run-old", 99999); /* a run's state: not a tree */
        _cleanup_free_ char *held_lock = path_join(parent, "tree-held.lock");
        int lock = open(held_lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        CHECK(lock >= 0 && flock(lock, LOCK_EX) == 0, "a tailor holds tree-held");

        ktree_prune(parent, 2);
        CHECK(there(parent, "tree-newest") && there(parent, "tree-second"), "the two used last are kept");
        CHECK(!there(parent, "tree-third") && !there(parent, "tree-oldest"), "the others are removed");
        CHECK(there(parent, "tree-held"), "a tree a tailor holds stays, however old");
        CHECK(there(parent, "run-old"), "what is not a tree stays");
        CHECK(there(parent, "tree-held.lock"), "the lock file stays for the next tailor");
        close(lock);

        ktree_prune(parent, 2);
        CHECK(!there(parent, "tree-held") && there(parent, "tree-newest"), "released, the old tree goes at the next prune");

        /* Opening a tree marks it used: it is the newest now. */
        _cleanup_free_ char *second = path_join(parent, "tree-second");
        struct ktree t;
        CHECK(ktree_open(&t, second, "/nonexistent-src", NULL, false, 1) == 0, "ktree_open on an existing tree");
        ktree_close(&t);
        make_tree(parent, "tree-another", 5);
        ktree_prune(parent, 2);
        CHECK(there(parent, "tree-second") && there(parent, "tree-another") && !there(parent, "tree-newest"),
              "ktree_open marks the tree used: tree-second, opened now, outlives tree-newest");

        ktree_prune("/nonexistent-leanboot-dir", 1); /* nothing to do: no crash, no error */
        CHECK(true, "a missing parent is nothing to prune");
        rm_rf(parent);
        return tap_done();
}
