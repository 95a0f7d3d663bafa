/* Kernel command line handling, by whole tokens (never substring matching).
 *
 * Tokens are split on blanks; double quotes group blanks into a token and are removed,
 * as the kernel's own parser does ("a b"=c, key="a b").  A flag matches only a token that
 * is exactly the key; a value comes from the last "key=value" token, as the kernel lets
 * the last occurrence win.
 *
 * A payload argv travels in one token, leanboot.run=ARG,ARG,...: every byte outside a small
 * safe set is %XX-encoded, so blanks, quotes, commas and '%' survive any cmdline quoting. */
#ifndef LEANBOOT_CMDLINE_H
#define LEANBOOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct cmdline {
        char **tokens;
        size_t n;
};

int cmdline_parse(const char *text, struct cmdline *ret);
void cmdline_free(struct cmdline *c);
/* True when a token is exactly KEY. */
bool cmdline_has(const struct cmdline *c, const char *key);
/* Value of the last KEY=VALUE token, or NULL.  A bare KEY gives "". */
const char *cmdline_get(const struct cmdline *c, const char *key);
/* Is V a plain name (letters, digits, '.', '_', '+', '-'; 1 to 64 of them), safe to write into a
 * shell script unquoted?  What a terminal type (TERM=) from the command line must be. */
bool cmdline_value_is_name(const char *v);

/* Encode argv (argc >= 1) as one token value; returns 0 or -errno. */
int argv_encode(char *const *argv, size_t argc, char **ret);
/* Decode a value made by argv_encode into a NULL-terminated malloc'd argv (free it with strv_free).
 * -EINVAL on a bad escape. */
int argv_decode(const char *value, char ***ret_argv, size_t *ret_argc);

#endif
