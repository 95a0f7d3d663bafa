#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "progress.h"

static const char *program = "leanboot";
static int level = 1;

void log_set_program(const char *name) { program = name; }
void log_set_level(int l) { level = l; }
int log_get_level(void) { return level; }

static void vlog(const char *kind, const char *fmt, va_list ap, int err)
{
        /* Build the whole line first so concurrent writers never interleave inside it. */
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        if (level < 0) {
                free(msg);
                return;
        }
        progress_clear_line();
        if (err)
                fprintf(stderr, "%s: %s%s: %s\n", program, kind, msg, strerror(err));
        else
                fprintf(stderr, "%s: %s%s\n", program, kind, msg);
        fflush(stderr);
        free(msg);
}

void log_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog("error: ", fmt, ap, 0);
        va_end(ap);
}

void log_warn(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog("warning: ", fmt, ap, 0);
        va_end(ap);
}

void log_info(const char *fmt, ...)
{
        if (level < 1)
                return;
        va_list ap;
        va_start(ap, fmt);
        vlog("", fmt, ap, 0);
        va_end(ap);
}

void log_debug(const char *fmt, ...)
{
        if (level < 2)
                return;
        va_list ap;
        va_start(ap, fmt);
        vlog("debug: ", fmt, ap, 0);
        va_end(ap);
}

int log_error_errno(int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog("error: ", fmt, ap, r < 0 ? -r : r);
        va_end(ap);
        return r < 0 ? r : -r;
}

int log_error_status(int status, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog("error: ", fmt, ap, 0);
        va_end(ap);
        return status;
}

int log_error_errno_status(int status, int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog("error: ", fmt, ap, r < 0 ? -r : r);
        va_end(ap);
        return status;
}

void log_text_tail(const char *title, const char *text, int lines)
{
        size_t len = strlen(text);
        const char *start = text + len;
        /* A final newline ends the last line; it does not start another. */
        if (start > text && start[-1] == '\n')
                start--;
        for (int seen = 0; start > text; start--)
                if (start[-1] == '\n' && ++seen == lines)
                        break;
        if (title)
                fprintf(stderr, "--- %s ---\n", title);
        fprintf(stderr, "%s%s", start, len && text[len - 1] != '\n' ? "\n" : "");
}
