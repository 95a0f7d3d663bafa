/* The other driver of a fuzz harness (fuzz.h): run it once over every input kept in the tree, its
 * corpus (tests/fuzz/corpus/NAME) and its crash reproducers (tests/fuzz/crashes/NAME), so that
 * `make check` replays them on every build, with or without libFuzzer, and a fixed crash that
 * comes back fails the build.  Deterministic and fast: no mutation, no time limit.
 *
 * replay-NAME            the harness NAME's inputs, found under $top_srcdir (make check)
 * replay-NAME PATH...    those files, or every file in those directories */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "common/fileio.h"
#include "common/macro.h"

static int replay_file(const char *path, size_t *count)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_full_file(path, &data, &len);
        if (r < 0) {
                printf("not ok - %s: %s\n", path, strerror(-r));
                return r;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        (*count)++;
        return 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in PATH (a directory) or PATH itself, in name order. */
static int replay_path(const char *path, bool must_exist, size_t *count)
{
        struct stat st;
        if (stat(path, &st) < 0) {
                if (!must_exist && errno == ENOENT)
                        return 0;
                printf("not ok - %s: %s\n", path, strerror(errno));
                return -errno;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path, count);
        DIR *d = opendir(path);
        if (!d)
                return -errno;
        char **names = NULL;
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                char **nn = realloc(names, (n + 1) * sizeof *nn);
                if (!nn || asprintf(&nn[n], "%s/%s", path, e->d_name) < 0)
                        abort();
                names = nn;
                n++;
        }
        closedir(d);
        if (n)
                qsort(names, n, sizeof *names, by_name);
        int r = 0;
        for (size_t i = 0; i < n; i++) {
                r = r ?: replay_file(names[i], count);
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv)
{
        const char *base = strrchr(argv[0], '/');
        base = base ? base + 1 : argv[0];
        const char *name = strncmp(base, "replay-", 7) == 0 ? base + 7 : base;
        printf("1..1\n");
        size_t count = 0;
        int r = 0;
        if (argc > 1) {
                for (int i = 1; i < argc && r == 0; i++)
                        r = replay_path(argv[i], true, &count);
        } else {
                const char *top = getenv("top_srcdir");
                _cleanup_free_ char *corpus = NULL, *crashes = NULL;
                if (asprintf(&corpus, "%s/tests/fuzz/corpus/%s", top ? top : ".", name) < 0 ||
                    asprintf(&crashes, "%s/tests/fuzz/crashes/%s", top ? top : ".", name) < 0)
                        abort();
                r = replay_path(corpus, true, &count);
                r = r ?: replay_path(crashes, false, &count);
        }
        if (r == 0 && count == 0) {
                printf("not ok 1 - %s: no inputs to replay\n", name);
                return 1;
        }
        if (r < 0)
                return 1;
        printf("ok 1 - %s: %zu inputs replayed\n", name, count);
        return 0;
}
