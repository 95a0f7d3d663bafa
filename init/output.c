/* The payload's own port.  The host names it on the command line (common/contract.h:
 * leanboot.output=ttyS1[,terminal]); the payload's stdout and stderr go there, and the console
 * keeps the kernel log and the init's markers, so that whatever the kernel prints while the
 * payload runs never lands in the payload's output. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"
#include "../common/contract.h"
#include "../common/cmdline.h"

static int output_fd = -1;
static bool output_terminal;

void payload_output_open(const struct cmdline *cl)
{
        const char *v = cmdline_get(cl, CMDLINE_OUTPUT);
        if (!v || !*v) {
                /* A launcher that gives no port (libguestfs): the console, as before. */
                stage_say_output(OUTPUT_CONSOLE);
                return;
        }
        size_t n = strcspn(v, ",");
        output_terminal = v[n] == ',' && streq(v + n + 1, OUTPUT_TERMINAL);
        char dev[64];
        int fd = -1;
        if (n > 0 && n < sizeof dev - 5 && !memchr(v, '/', n)) {
                snprintf(dev, sizeof dev, "/dev/%.*s", (int)n, v);
                fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
                /* A kernel asked for one UART only (8250.nr_uarts=1): the host streams the console. */
                if (fd < 0)
                        init_say("%s: %s; the payload writes to the console", dev, strerror(errno));
        } else {
                init_say(CMDLINE_OUTPUT "=%s: not a tty name like " OUTPUT_PORT "; the payload writes to the console", v);
        }
        if (fd < 0) {
                stage_say_output(OUTPUT_CONSOLE);
                return;
        }
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
                if (output_terminal)
                        /* The host's terminal turns \n into \r\n itself (QEMU keeps its OPOST):
                         * the guest's tty keeps line editing, echo and job control, not ONLCR. */
                        t.c_oflag &= ~(tcflag_t)ONLCR;
                else
                        /* The payload's bytes as written: no \n -> \r\n, no echo, no line editing. */
                        cfmakeraw(&t);
                (void)tcsetattr(fd, TCSANOW, &t);
        }
        output_fd = fd;
        stage_say_output(dev + 5);
}

void payload_output_attach(void)
{
        if (output_fd < 0) {
                (void)ioctl(STDIN_FILENO, TIOCSCTTY, 1); /* the console as its terminal */
                return;
        }
        /* The init's own messages from this child (a failed exec) still belong on the console. */
        int console = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (console >= 0)
                stage_set_console_fd(console);
        int in = output_terminal ? output_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in >= 0)
                (void)dup2(in, STDIN_FILENO);
        (void)dup2(output_fd, STDOUT_FILENO);
        (void)dup2(output_fd, STDERR_FILENO);
        if (output_terminal)
                (void)ioctl(STDIN_FILENO, TIOCSCTTY, 1);
}

void payload_output_drain(void)
{
        /* The UART must have sent the payload's last bytes before QEMU is told to go. */
        if (output_fd >= 0)
                (void)tcdrain(output_fd);
}
