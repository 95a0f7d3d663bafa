/* Helpers for the harnesses (fuzz.h). */
#include <config.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "common/fileio.h"
#include "common/log.h"

char *fuzz_cstring(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

static char tmpdir[64];

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static void remove_tmpdir(void)
{
        if (tmpdir[0])
                nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
        if (!tmpdir[0]) {
                const char *base = getenv("TMPDIR");
                snprintf(tmpdir, sizeof tmpdir, "%s/leanboot-fuzz-XXXXXX", base && strlen(base) < 32 ? base : "/tmp");
                if (!mkdtemp(tmpdir))
                        abort();
                atexit(remove_tmpdir);
        }
        return tmpdir;
}

char *fuzz_write_file(const char *name, const void *data, size_t size)
{
        char *path = NULL;
        if (asprintf(&path, "%s/%s", fuzz_tmpdir(), name) < 0)
                abort();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write_full(fd, data, size) < 0)
                abort();
        close(fd);
        return path;
}

void fuzz_quiet(void)
{
        log_set_level(-1);
}
