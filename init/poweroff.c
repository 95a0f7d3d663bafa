/* The end of every boot: stop what runs, sync, report the status, power off. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#endif

#include "init.h"
#include "../common/marker.h"

/* QEMU's isa-debug-exit device (iobase 0xf4): a write makes QEMU exit at once with status
 * (value << 1) | 1, with no firmware or ACPI power-off path to wait for.  The host reads the
 * exact status from the exit marker; the device is the fast way out, not the channel. */
#define DEBUG_EXIT_PORT 0xf4

static void debug_exit(int status)
{
#if defined(__x86_64__) || defined(__i386__)
        if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
                outl((unsigned)status & 0x7f, DEBUG_EXIT_PORT);
#else
        (void)status;
#endif
}

void power_off(int status)
{
        stage_begin("shutdown");
        /* Everything else gets a chance to finish writing, then goes. */
        kill(-1, SIGTERM);
        (void)wait_child(-1, 200);
        kill(-1, SIGKILL);
        (void)wait_child(-1, 100);
        sync();

        payload_output_drain();
        char line[MARKER_LINE_MAX];
        int n = marker_format_exit(line, sizeof line, status, boottime_us(), guest_tsc(), stage_nonce());
        if (n > 0)
                (void)write(STDOUT_FILENO, line, (size_t)n);
        /* The UART must have sent every byte before QEMU is told to go. */
        tcdrain(STDOUT_FILENO);

        debug_exit(status);
        /* Without ACPI (leanboot's cut-down kernel) power-off would only halt the CPU and QEMU
         * would wait forever; a reboot, which QEMU's -no-reboot turns into an exit, ends it. */
        reboot(access("/sys/firmware/acpi", F_OK) == 0 ? RB_POWER_OFF : RB_AUTOBOOT);
        /* PID 1 must never exit: if power-off did not take, wait to be killed. */
        for (;;)
                pause();
}
