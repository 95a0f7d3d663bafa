/* argv-based spawning for the host tools (no shell, no command strings). */
#ifndef LEANBOOT_SPAWN_H
#define LEANBOOT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn_opts {
        int stdin_fd;   /* -1: /dev/null */
        int stdout_fd;  /* -1: inherit */
        int stderr_fd;  /* -1: inherit */
        char **env_add; /* NULL-terminated "K=V" list added to the environment, or NULL */
        int pass_fd;    /* -1, or a descriptor the program gets as fd 3 (e.g. /dev/fd/3 for QEMU) */
};
#define SPAWN_OPTS_DEFAULT { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .env_add = NULL, .pass_fd = -1 }

/* Fork and exec argv[0] (PATH search); returns the pid or -errno. */
pid_t spawn_argv(char *const *argv, const struct spawn_opts *o);
/* Wait for pid (EINTR-safe); returns its exit status, 128+signal, or -errno. */
int wait_exit_status(pid_t pid);
/* Run argv to completion; returns the exit status or -errno. */
int run_argv(char *const *argv, const struct spawn_opts *o);
/* The directory of this program's own executable (malloc'd), or NULL. */
char *self_dir(void);
/* Run this same program with ARGS (NULL-terminated, without argv[0]), as a user would. */
int run_self(char *const *args);
/* The same, with spawn options (where its output goes). */
int run_self_opts(char *const *args, const struct spawn_opts *o);
/* Whether NAME (a path, or a program looked up in PATH) can be run. */
bool program_in_path(const char *name);
/* Run argv and capture its stdout (stderr captured too, into *ret_err, when ret_err is set). */
int run_capture(char *const *argv, char **ret_out, char **ret_err);
/* The same, killing the program after timeout_ms (-1: no limit): then -ETIMEDOUT, with what it
 * had written. */
int run_capture_timeout(char *const *argv, int timeout_ms, char **ret_out, char **ret_err);

#endif
