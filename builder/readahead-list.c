#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readahead-list.h"
#include "../common/macro.h"
#include "../common/spawn.h"
#include "../common/strv.h"

static const char *const loaders[] = { "/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1" };

static int add_unique(char ***list, const char *path)
{
        if (strv_contains(*list, path))
                return 0;
        return strv_push(list, path);
}

int readahead_add_program(char ***list, const char *program, const char *host_copy)
{
        int r = add_unique(list, program);
        if (r < 0)
                return r;
        const char *loader = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(loaders) && !loader; i++)
                if (access(loaders[i], X_OK) == 0)
                        loader = loaders[i];
        if (!loader)
                return 0;
        /* `ld.so --list` resolves without running the program: what ldd prints. */
        char *argv[] = { (char *)loader, "--list", (char *)host_copy, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        if (run_capture(argv, &out, &err) != 0)
                return 0;
        char *save = NULL;
        for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* "\tlibacl.so.1 => /lib/x86_64-linux-gnu/libacl.so.1 (0x...)" or "\t/lib64/ld-... (0x...)" */
                char *arrow = strstr(line, "=> ");
                char *path = arrow ? arrow + 3 : line + strspn(line, " \t");
                if (path[0] != '/')
                        continue;
                path[strcspn(path, " (")] = '\0';
                if ((r = add_unique(list, path)) < 0)
                        return r;
        }
        return 0;
}
