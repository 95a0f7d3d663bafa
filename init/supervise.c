/* PID 1 child supervision, tini-style: every signal is blocked and read from a signalfd, so
 * nothing runs in a signal handler; each SIGCHLD reaps until waitpid says none are left. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "../common/clock.h"

static int sig_fd = -1;

int supervise_setup(void)
{
        sigset_t all;
        sigfillset(&all);
        if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
                return -errno;
        sigset_t watched;
        sigemptyset(&watched);
        sigaddset(&watched, SIGCHLD);
        sigaddset(&watched, SIGTERM);
        sigaddset(&watched, SIGINT);
        sigaddset(&watched, SIGHUP);
        sig_fd = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
        return sig_fd < 0 ? -errno : 0;
}

static int decode_status(int wstatus)
{
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return INIT_STATUS_FAILED;
}

pid_t fork_session_child(void)
{
        pid_t pid = fork();
        if (pid != 0)
                return pid < 0 ? -errno : pid;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        return 0;
}

pid_t spawn_child_env(char *const *argv, bool payload, char *const *env_add)
{
        pid_t pid = fork_session_child();
        if (pid != 0)
                return pid;

        if (payload)
                payload_output_attach();
        /* In the child only: what one program needs (guestfsd's preloaded waiter) is not
         * inherited by every other one PID 1 starts. */
        for (size_t i = 0; env_add && env_add[i]; i++)
                (void)putenv(env_add[i]);
        execvp(argv[0], argv);
        int err = errno;
        init_error("cannot run '%s': %s", argv[0], strerror(err));
        _exit(err == ENOENT ? INIT_STATUS_NOT_FOUND : INIT_STATUS_CANNOT_EXEC);
}

int wait_child(pid_t target, int timeout_ms)
{
        int64_t deadline = timeout_ms < 0 ? -1 : now_msec() + timeout_ms;
        for (;;) {
                /* Reap first: the child may have exited before we got here. */
                for (;;) {
                        int ws;
                        pid_t p = waitpid(-1, &ws, WNOHANG);
                        if (p < 0 && errno == ECHILD)
                                return -ECHILD; /* nothing left to wait for */
                        if (p <= 0)
                                break;
                        if (p == target)
                                return decode_status(ws);
                }
                int wait_for = -1;
                if (deadline >= 0) {
                        int64_t left = deadline - now_msec();
                        if (left <= 0)
                                return -ETIMEDOUT;
                        wait_for = (int)left;
                }
                struct pollfd pfd = { .fd = sig_fd, .events = POLLIN };
                int r = poll(&pfd, 1, wait_for);
                if (r < 0 && errno != EINTR)
                        return -errno;
                struct signalfd_siginfo si;
                while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
                        if (si.ssi_signo != SIGCHLD && target > 0)
                                kill(target, (int)si.ssi_signo);
                }
        }
}

pid_t spawn_child(char *const *argv, bool payload)
{
        return spawn_child_env(argv, payload, NULL);
}

int run_child_and_wait_env(char *const *argv, bool payload, char *const *env_add)
{
        pid_t pid = spawn_child_env(argv, payload, env_add);
        if (pid < 0)
                return (int)pid;
        return wait_child(pid, -1);
}

int run_child_and_wait(char *const *argv, bool payload)
{
        return run_child_and_wait_env(argv, payload, NULL);
}
