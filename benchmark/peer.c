#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peer.h"

#ifdef HAVE_GUESTFS
#include <guestfs.h>

bool peer_libguestfs_available(void)
{
        return true;
}

static double mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int peer_libguestfs_once(const char *path, double *ret_launch_ms, double *ret_shutdown_ms, char **ret_error)
{
        guestfs_h *g = guestfs_create();
        if (!g)
                return *ret_error = strdup("guestfs_create failed"), -1;
        /* Errors are collected here and reported once by the bench, not printed by libguestfs. */
        guestfs_set_error_handler(g, NULL, NULL);
        int r = guestfs_set_backend(g, "direct");
        if (r == 0 && path)
                r = guestfs_set_path(g, path);
        if (r == 0)
                r = guestfs_add_drive_opts(g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                           GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
        double t0 = mono_ms(), t1 = t0, t2 = t0;
        if (r == 0) {
                r = guestfs_launch(g);
                t1 = mono_ms();
        }
        if (r == 0) {
                r = guestfs_shutdown(g);
                t2 = mono_ms();
        }
        if (r != 0) {
                const char *e = guestfs_last_error(g);
                *ret_error = strdup(e ? e : "libguestfs failed");
        }
        guestfs_close(g);
        *ret_launch_ms = t1 - t0;
        *ret_shutdown_ms = t2 - t1;
        return r == 0 ? 0 : -1;
}
#else
bool peer_libguestfs_available(void)
{
        return false;
}

int peer_libguestfs_once(const char *path, double *ret_launch_ms, double *ret_shutdown_ms, char **ret_error)
{
        (void)path;
        *ret_launch_ms = *ret_shutdown_ms = 0;
        *ret_error = strdup("leanboot was built without libguestfs (install libguestfs-dev and rebuild)");
        return -1;
}
#endif
