#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peer.h"
#include "../common/clock.h"
#include "../common/marker.h"

#ifdef HAVE_GUESTFS
#include <guestfs.h>

bool peer_libguestfs_available(void)
{
        return true;
}

/* Console bytes arrive in arbitrary pieces: lines are assembled here, and a marker line is
 * stamped with the host time its last piece arrived. */
struct console_lines {
        double t0;
        char line[512];
        size_t len;
        struct peer_mark *marks;
        size_t n, cap;
        struct marker_filter filter; /* no nonce: libguestfs writes the command line */
};

static void console_line(struct console_lines *c, double now)
{
        c->line[c->len] = '\0';
        struct marker m;
        if (c->n < c->cap && marker_scan(c->line, &c->filter, &m) && m.kind == MARKER_STAGE) {
                struct peer_mark *k = &c->marks[c->n++];
                snprintf(k->name, sizeof k->name, "%s", m.name);
                k->host_us = (uint64_t)((now - c->t0) * 1000.0);
                k->guest_us = m.t_us;
        }
        c->len = 0;
}

static void on_console(guestfs_h *g, void *opaque, uint64_t event, int handle, int flags, const char *buf,
                       size_t len, const uint64_t *array, size_t array_len)
{
        (void)g, (void)event, (void)handle, (void)flags, (void)array, (void)array_len;
        struct console_lines *c = opaque;
        double now = ((double)now_usec() / 1000.0);
        for (size_t i = 0; i < len; i++) {
                if (buf[i] == '\n' || buf[i] == '\r')
                        console_line(c, now);
                else if (c->len < sizeof c->line - 1)
                        c->line[c->len++] = buf[i];
        }
}

int peer_libguestfs_memsize(void)
{
        guestfs_h *g = guestfs_create();
        if (!g)
                return -EIO;
        int mb = guestfs_get_memsize(g); /* the default, or LIBGUESTFS_MEMSIZE */
        guestfs_close(g);
        return mb;
}

int peer_libguestfs_once(const char *path, bool tcg, double *ret_launch_ms, double *ret_shutdown_ms,
                         struct peer_mark *marks, size_t *n_marks, char **ret_error)
{
        struct console_lines console = { .marks = marks, .cap = marks && n_marks ? *n_marks : 0 };
        if (n_marks)
                *n_marks = 0;
        guestfs_h *g = guestfs_create();
        if (!g)
                return *ret_error = strdup("guestfs_create failed"), -EIO;
        /* Errors are collected here and reported once by the bench, not printed by libguestfs. */
        guestfs_set_error_handler(g, NULL, NULL);
        int r = guestfs_set_backend(g, "direct");
        /* libguestfs's own test of /dev/kvm is "it opens": on a host where that lies, it would
         * start QEMU with KVM and fail as leanboot's own boots would. */
        char *settings[] = { tcg ? "force_tcg" : "force_kvm", NULL };
        if (r == 0)
                r = guestfs_set_backend_settings(g, settings);
        if (r == 0 && path)
                r = guestfs_set_path(g, path);
        if (r == 0)
                r = guestfs_add_drive_opts(g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                           GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
        if (r == 0 && console.cap > 0)
                r = guestfs_set_event_callback(g, on_console, GUESTFS_EVENT_APPLIANCE, 0, &console) < 0 ? -1 : 0;
        double t0 = ((double)now_usec() / 1000.0), t1 = t0, t2 = t0;
        console.t0 = t0;
        if (r == 0) {
                r = guestfs_launch(g);
                t1 = ((double)now_usec() / 1000.0);
        }
        if (r == 0) {
                r = guestfs_shutdown(g);
                t2 = ((double)now_usec() / 1000.0);
        }
        if (r != 0) {
                const char *e = guestfs_last_error(g);
                *ret_error = strdup(e ? e : "libguestfs failed");
        }
        guestfs_close(g);
        if (n_marks)
                *n_marks = console.n;
        *ret_launch_ms = t1 - t0;
        *ret_shutdown_ms = t2 - t1;
        return r == 0 ? 0 : -EIO;
}
#else
bool peer_libguestfs_available(void)
{
        return false;
}

int peer_libguestfs_memsize(void)
{
        return -ENOTSUP;
}

int peer_libguestfs_once(const char *path, bool tcg, double *ret_launch_ms, double *ret_shutdown_ms,
                         struct peer_mark *marks, size_t *n_marks, char **ret_error)
{
        (void)path, (void)tcg, (void)marks;
        if (n_marks)
                *n_marks = 0;
        *ret_launch_ms = *ret_shutdown_ms = 0;
        *ret_error = strdup("leanboot was built without libguestfs (install libguestfs-dev and rebuild)");
        return -ENOTSUP;
}
#endif
