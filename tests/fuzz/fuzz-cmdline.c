/* The kernel command line tokenizer and the payload's argv encoding (common/cmdline.c): the init
 * reads both from /proc/cmdline.  Promises: argv_encode then argv_decode gives back the argv
 * exactly (the input, cut at NUL bytes, is the argv); a value argv_decode accepts encodes and
 * decodes to the same argv again. */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "common/cmdline.h"
#include "common/strv.h"

static void check_argv_round_trip(char *const *argv, size_t argc)
{
        char *enc = NULL;
        fuzz_assert(argv_encode(argv, argc, &enc) == 0);
        char **back = NULL;
        size_t n = 0;
        fuzz_assert(argv_decode(enc, &back, &n) == 0 && n == argc);
        for (size_t i = 0; i < argc; i++)
                fuzz_assert(strcmp(back[i], argv[i]) == 0);
        fuzz_assert(back[argc] == NULL);
        strv_free(back);
        free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *text = fuzz_cstring(data, size);
        struct cmdline c = { NULL, 0 };
        if (cmdline_parse(text, &c) == 0) {
                for (size_t i = 0; i < c.n; i++) {
                        char *key = strdup(c.tokens[i]);
                        if (!key)
                                abort();
                        fuzz_assert(cmdline_has(&c, c.tokens[i]));
                        bool has_value = key[strcspn(key, "=")] == '=';
                        key[strcspn(key, "=")] = '\0';
                        const char *v = cmdline_get(&c, key);
                        fuzz_assert(!has_value || v);
                        if (v)
                                (void)cmdline_value_is_name(v);
                        free(key);
                }
                cmdline_free(&c);
        }
        char **argv = NULL;
        size_t argc = 0;
        if (argv_decode(text, &argv, &argc) == 0) {
                if (argc > 0)
                        check_argv_round_trip(argv, argc);
                strv_free(argv);
        }
        free(text);

        /* The raw bytes as an argv: NUL separates its arguments. */
        char *copy = fuzz_cstring(data, size);
        char *args[64];
        size_t n = 0;
        for (size_t off = 0; off <= size && n < 64; n++) {
                args[n] = copy + off;
                off += strlen(copy + off) + 1;
        }
        check_argv_round_trip(args, n);
        free(copy);
        return 0;
}
