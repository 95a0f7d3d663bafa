#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "clock.h"
#include "macro.h"
#include "spawn.h"

pid_t spawn_argv(char *const *argv, const struct spawn_opts *o)
{
        struct spawn_opts def = SPAWN_OPTS_DEFAULT;
        if (!o)
                o = &def;
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0)
                return pid;

        int in = o->stdin_fd >= 0 ? o->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, STDIN_FILENO) < 0)
                _exit(127);
        if (o->stdin_fd < 0 && in != STDIN_FILENO)
                close(in);
        if (o->stdout_fd >= 0 && dup2(o->stdout_fd, STDOUT_FILENO) < 0)
                _exit(127);
        if (o->stderr_fd >= 0 && dup2(o->stderr_fd, STDERR_FILENO) < 0)
                _exit(127);
        /* dup2 onto itself would keep O_CLOEXEC: clear it by hand in that case. */
        if (o->pass_fd >= 0 && (o->pass_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(o->pass_fd, 3)) < 0)
                _exit(127);
        for (char **e = o->env_add; e && *e; e++)
                putenv(*e);
        execvp(argv[0], argv);
        fprintf(stderr, "leanboot: error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
}

int wait_exit_status(pid_t pid)
{
        int ws;
        while (waitpid(pid, &ws, 0) < 0) {
                if (errno != EINTR)
                        return -errno;
        }
        if (WIFEXITED(ws))
                return WEXITSTATUS(ws);
        if (WIFSIGNALED(ws))
                return 128 + WTERMSIG(ws);
        return -EIO;
}

int run_argv(char *const *argv, const struct spawn_opts *o)
{
        pid_t pid = spawn_argv(argv, o);
        if (pid < 0)
                return (int)pid;
        return wait_exit_status(pid);
}

/* Append what is readable on fd to a growing buffer; returns bytes read, 0 on EOF, or -errno. */
static ssize_t drain_into(int fd, char **buf, size_t *len, size_t *cap)
{
        if (*cap - *len < 4097) {
                size_t ncap = *cap ? *cap * 2 + 4097 : 8192;
                char *n = realloc(*buf, ncap);
                if (!n)
                        return -ENOMEM;
                *buf = n;
                *cap = ncap;
        }
        ssize_t k = read(fd, *buf + *len, 4096);
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 1 : -errno;
        *len += (size_t)k;
        (*buf)[*len] = '\0';
        return k;
}

int run_capture(char *const *argv, char **ret_out, char **ret_err)
{
        return run_capture_timeout(argv, -1, ret_out, ret_err);
}

int run_capture_timeout(char *const *argv, int timeout_ms, char **ret_out, char **ret_err)
{
        int outp[2], errp[2] = { -1, -1 };
        if (pipe2(outp, O_CLOEXEC) < 0)
                return -errno;
        if (ret_err && pipe2(errp, O_CLOEXEC) < 0) {
                int r = -errno;
                close(outp[0]);
                close(outp[1]);
                return r;
        }
        struct spawn_opts o = SPAWN_OPTS_DEFAULT;
        o.stdout_fd = outp[1];
        o.stderr_fd = errp[1];
        pid_t pid = spawn_argv(argv, &o);
        close(outp[1]);
        if (errp[1] >= 0)
                close(errp[1]);
        char *bufs[2] = { NULL, NULL };
        size_t lens[2] = { 0, 0 }, caps[2] = { 0, 0 };
        struct pollfd p[2] = { { .fd = outp[0], .events = POLLIN }, { .fd = errp[0], .events = POLLIN } };
        int open_fds = errp[0] >= 0 ? 2 : 1;
        int r = 0;
        int64_t deadline = timeout_ms >= 0 ? now_msec() + timeout_ms : -1;
        bool killed = false;
        while (pid > 0 && open_fds > 0) {
                int wait_ms = -1;
                if (deadline >= 0 && !killed) {
                        int64_t left = deadline - now_msec();
                        if (left <= 0) {
                                /* Killed, its pipes close: the loop reads them to EOF. */
                                kill(pid, SIGKILL);
                                killed = true;
                        } else {
                                wait_ms = (int)left;
                        }
                }
                int n = poll(p, 2, wait_ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t k = drain_into(p[i].fd, &bufs[i], &lens[i], &caps[i]);
                        if (k <= 0) {
                                p[i].fd = -1;
                                open_fds--;
                                if (k < 0)
                                        r = (int)k;
                        }
                }
        }
        close(outp[0]);
        if (errp[0] >= 0)
                close(errp[0]);
        int st = pid < 0 ? (int)pid : wait_exit_status(pid);
        if (r == 0)
                r = killed ? -ETIMEDOUT : st;
        for (int i = 0; i < 2; i++)
                if (!bufs[i])
                        bufs[i] = strdup("");
        *ret_out = bufs[0];
        if (ret_err)
                *ret_err = bufs[1];
        else
                free(bufs[1]);
        return r;
}

static char *self_exe(void)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
                return NULL;
        exe[n] = '\0';
        /* Replaced while running (an upgrade, a rebuild during a long tailor): the program now at
         * that path is the one to run. */
        static const char deleted[] = " (deleted)";
        size_t dl = sizeof deleted - 1;
        if ((size_t)n > dl && streq(exe + n - dl, deleted))
                exe[n - dl] = '\0';
        return strdup(exe);
}

char *self_dir(void)
{
        char *exe = self_exe();
        if (!exe)
                return NULL;
        char *dir = strdup(dirname(exe));
        free(exe);
        return dir;
}

int run_self(char *const *args)
{
        return run_self_opts(args, NULL);
}

int run_self_opts(char *const *args, const struct spawn_opts *o)
{
        _cleanup_free_ char *exe = self_exe();
        if (!exe)
                return -errno;
        size_t n = 0;
        while (args[n])
                n++;
        _cleanup_free_ char **argv = calloc(n + 2, sizeof *argv);
        if (!argv)
                return -ENOMEM;
        argv[0] = exe;
        if (n > 0) /* args may be NULL when empty */
                memcpy(argv + 1, args, n * sizeof *argv);
        return run_argv(argv, o);
}

bool program_in_path(const char *name)
{
        if (strchr(name, '/'))
                return access(name, X_OK) == 0;
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = strdup(path && *path ? path : "/usr/bin:/bin");
        for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = path_join(d, name);
                if (p && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}
