#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog.h"

#define TIMESTAMP_MAX_US (366.0 * 86400 * 1e6)

static double plausible_ts(double us)
{
        return us >= 0 && us <= TIMESTAMP_MAX_US ? us : -1;
}

bool klog_is_run_init(const char *msg)
{
        size_t len = strcspn(msg, "\n");
        const char *run = memmem(msg, len, "Run ", 4);
        return run && memmem(run, len - (size_t)(run - msg), " as init process", 16);
}

const char *klog_strip_prefixes(const char *s, double *ret_us)
{
        *ret_us = -1;
        /* /dev/kmsg: "PRIO,SEQ,USEC,FLAGS;MESSAGE", the ';' on this line.  The header is read
         * from a copy: sscanf measures its whole input first, and S may be the rest of a log. */
        if (isdigit((unsigned char)*s)) {
                size_t head = strcspn(s, ";\n");
                char copy[64];
                unsigned prio;
                unsigned long long seq, usec;
                if (s[head] == ';' && head < sizeof copy) {
                        memcpy(copy, s, head);
                        copy[head] = '\0';
                        if (sscanf(copy, "%u,%llu,%llu,", &prio, &seq, &usec) == 3) {
                                *ret_us = plausible_ts((double)usec);
                                return s + head + 1;
                        }
                }
        }
        /* syslog level "<7>", its '>' on this line */
        if (s[0] == '<' && isdigit((unsigned char)s[1])) {
                size_t gt = strcspn(s, ">\n");
                if (s[gt] == '>' && gt <= 4)
                        s += gt + 1;
        }
        /* "[    0.211416] " (strtod would also skip a newline: spaces only are skipped here) */
        if (s[0] == '[') {
                const char *num = s + 1 + strspn(s + 1, " ");
                char *end = (char *)num;
                double sec = isspace((unsigned char)*num) ? 0 : strtod(num, &end);
                if (end != num && *end == ']') {
                        *ret_us = plausible_ts(sec * 1e6);
                        s = end + 1;
                        while (*s == ' ')
                                s++;
                }
        }
        return s;
}
