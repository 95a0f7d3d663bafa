/* The boot-time history (benchmark/history*.c): `leanboot history DB` reads a SQLite database
 * that may come from another machine or another version.  The input is the database file; the
 * command reads it, prints its trend and writes its JSON and HTML.  Promises: a foreign, newer or
 * damaged database is an error (status 1 or 2), not a crash, and the database is not changed. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "benchmark/history.h"
#include "common/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *db = fuzz_write_file("history.db", data, size);
        char *json = NULL, *html = NULL;
        if (asprintf(&json, "%s/h.json", fuzz_tmpdir()) < 0 || asprintf(&html, "%s/h.html", fuzz_tmpdir()) < 0)
                abort();
        char *argv[] = { "history", db, "--json", json, "--html", html, NULL };
        /* The trend goes to stdout: away from the driver's own output while it runs. */
        fflush(stdout);
        int saved = dup(STDOUT_FILENO), null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null_fd, STDOUT_FILENO);
        optind = 0;
        int st = cmd_history(6, argv);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved), close(null_fd);
        fuzz_assert(st >= 0 && st <= 2);
        char *after = NULL;
        size_t n = 0;
        fuzz_assert(read_full_file(db, &after, &n) == 0 && n == size && memcmp(after, data, size) == 0);
        free(after), free(json), free(html), free(db);
        return 0;
}
