/* One logging module per program: "PROG: error: ..." lines on stderr. */
#ifndef LEANBOOT_LOG_H
#define LEANBOOT_LOG_H

#include <stdbool.h>
#include "macro.h"

/* Name printed before every message ("leanboot", "leanboot-init"). */
void log_set_program(const char *name);
/* -1: nothing (the fuzz harnesses, whose every input is bad); 0: errors and warnings only;
 * 1: info (default); 2: debug.  The message is still formatted at -1. */
void log_set_level(int level);
int log_get_level(void);

void log_error(const char *fmt, ...) _printf_(1, 2);
void log_warn(const char *fmt, ...) _printf_(1, 2);
void log_info(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2);

/* The last LINES lines of TEXT on stderr (a failed tool's output, a build log's end), under
 * "--- TITLE ---" when TITLE is given. */
void log_text_tail(const char *title, const char *text, int lines);
/* Log "error: MSG: strerror(-r)" and return r (a negative errno), systemd-style. */
int log_error_errno(int r, const char *fmt, ...) _printf_(2, 3);
/* Log "error: MSG" and return STATUS (a negative errno below the command layer, an exit status
 * in it), so that `return log_error_status(-EINVAL, ...)` reads as one step. */
int log_error_status(int status, const char *fmt, ...) _printf_(2, 3);
/* Log "error: MSG: strerror(-r)" and return STATUS (an exit status). */
int log_error_errno_status(int status, int r, const char *fmt, ...) _printf_(3, 4);

#endif
