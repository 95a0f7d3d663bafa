#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "settle-args.h"
#include "../../common/macro.h"

/* "N" or "Ns" seconds, as guestfsd and scripts write them; anything fancier goes to udevadm. */
static bool parse_seconds(const char *s, long *ret_ms)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v > 86400 || (*end && !(end[0] == 's' && end[1] == '\0')))
                return false;
        *ret_ms = v * 1000;
        return true;
}

/* True when ARGV is `udevadm [--debug|-d] settle [-E FILE|--exit-if-exists=FILE]
 * [-t SEC|--timeout=SEC]...` and nothing else. */
bool settle_args_parse(const char *file, char *const argv[], struct settle_request *ret)
{
        if (!file || !streq(base_name(file), "udevadm") || !argv || !argv[0])
                return false;
        size_t i = 1;
        while (argv[i] && (streq(argv[i], "--debug") || streq(argv[i], "-d")))
                i++;
        if (!argv[i] || !streq(argv[i], "settle"))
                return false;
        struct settle_request r = { NULL, SETTLE_DEFAULT_TIMEOUT_MS };
        for (i++; argv[i]; i++) {
                const char *a = argv[i];
                if ((streq(a, "-E") || streq(a, "--exit-if-exists")) && argv[i + 1] && argv[i + 1][0])
                        r.exists = argv[++i];
                else if (strncmp(a, "--exit-if-exists=", 17) == 0 && a[17])
                        r.exists = a + 17;
                else if ((streq(a, "-t") || streq(a, "--timeout")) && argv[i + 1]) {
                        if (!parse_seconds(argv[++i], &r.timeout_ms))
                                return false;
                } else if (strncmp(a, "--timeout=", 10) == 0) {
                        if (!parse_seconds(a + 10, &r.timeout_ms))
                                return false;
                } else
                        return false;
        }
        *ret = r;
        return true;
}
