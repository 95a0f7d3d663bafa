/* Start reading, early, the files the appliance will need soon (guestfsd and its 69 shared
 * libraries, udevd): their pages then arrive from the disk in large requests while the CPU does
 * other work, instead of one page fault at a time when the program starts.  A child does it, so
 * the init goes on at once (readahead(2) itself blocks on the file system's metadata reads:
 * about 50 ms for guestfsd's list under TCG); the init reaps it like any other child.
 * Measured under libguestfs (cut-down kernel, TCG): guestfsd's start 590 -> 430-450 ms. */
#include <config.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"
#include "../common/fileio.h"

void readahead_start(const char *list_path)
{
        if (access(list_path, R_OK) < 0)
                return;
        pid_t pid = fork();
        if (pid != 0)
                return; /* the init (or a failed fork: nothing lost but time) */
        _cleanup_free_ char *list = NULL;
        if (read_full_file(list_path, &list, NULL) < 0)
                _exit(0);
        char *save = NULL;
        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] != '/')
                        continue;
                int fd = open(line, O_RDONLY | O_CLOEXEC);
                struct stat st;
                if (fd >= 0 && fstat(fd, &st) == 0)
                        (void)readahead(fd, 0, (size_t)st.st_size);
                if (fd >= 0)
                        close(fd);
        }
        _exit(0);
}
