/* Kernel command line tokens and the payload encoding. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "common/cmdline.h"
#include "common/fileio.h"
#include "common/strv.h"
#include "common/macro.h"

struct split_case {
        const char *text;
        const char *tokens[8];
};

static const struct split_case split_cases[] = {
        { "", { NULL } },
        { "   \n", { NULL } },
        { "quiet", { "quiet", NULL } },
        { "  console=ttyS0   quiet\n", { "console=ttyS0", "quiet", NULL } },
        { "a\tb\tc", { "a", "b", "c", NULL } },
        { "key=\"a b\" x", { "key=a b", "x", NULL } },
        { "\"key=a b\" x", { "key=a b", "x", NULL } },
        { "k=\"unterminated x", { "k=unterminated x", NULL } },
        { "quietly notquiet quiet=1", { "quietly", "notquiet", "quiet=1", NULL } },
};

static void test_split(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(split_cases); i++) {
                const struct split_case *c = &split_cases[i];
                struct cmdline cl;
                CHECK(cmdline_parse(c->text, &cl) == 0, "parse case %zu", i);
                size_t want = 0;
                while (c->tokens[want])
                        want++;
                CHECK(cl.n == want, "case %zu: %zu tokens, want %zu", i, cl.n, want);
                for (size_t k = 0; k < want && k < cl.n; k++)
                        CHECK_STR(cl.tokens[k], c->tokens[k], "token");
                cmdline_free(&cl);
        }
}

struct lookup_case {
        const char *text, *key;
        bool has;
        const char *value;
};

static const struct lookup_case lookup_cases[] = {
        /* Whole tokens only: supermin's strstr would find "quiet" in all of these. */
        { "quietly notquiet quiet=1", "quiet", false, "1" },
        { "console=ttyS0 quiet", "quiet", true, "" },
        { "leanboot.debugx leanboot.debug.extra", "leanboot.debug", false, NULL },
        { "leanboot.udev=off leanboot.udev=fast", "leanboot.udev", false, "fast" }, /* last wins */
        { "root=UUID=abc", "root", false, "UUID=abc" },
        { "leanboot.udev.timeout=10 leanboot.udev=full", "leanboot.udev", false, "full" },
        { "x=\"a b\"", "x", false, "a b" },
};

static void test_lookup(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(lookup_cases); i++) {
                const struct lookup_case *c = &lookup_cases[i];
                struct cmdline cl;
                cmdline_parse(c->text, &cl);
                CHECK(cmdline_has(&cl, c->key) == c->has, "has(%s) in '%s'", c->key, c->text);
                const char *v = cmdline_get(&cl, c->key);
                if (c->value)
                        CHECK_STR(v, c->value, c->text);
                else
                        CHECK(v == NULL, "get(%s) in '%s' is NULL", c->key, c->text);
                cmdline_free(&cl);
        }
}

static void test_roundtrip(void)
{
        static const char *const cases[][5] = {
                { "echo", "hello", NULL },
                { "sh", "-c", "exit 7", NULL },
                { "printf", "%s,%s\\n", "a b", "\"quoted\" 'single'", NULL },
                { "", NULL },
                { "x", "", "y", NULL },
                { "caf\xc3\xa9", "tab\there", "nl\nx", NULL },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                size_t n = 0;
                while (cases[i][n])
                        n++;
                _cleanup_free_ char *enc = NULL;
                CHECK(argv_encode((char *const *)cases[i], n, &enc) == 0, "encode case %zu", i);
                CHECK(strcspn(enc, " \t\n\"'%") == strlen(enc) || strchr(enc, '%'),
                      "encoded '%s' has no blanks or quotes", enc);
                CHECK(strpbrk(enc, " \t\n\"'") == NULL, "encoded '%s' is one safe token", enc);
                char **dec = NULL;
                size_t dn = 0;
                CHECK(argv_decode(enc, &dec, &dn) == 0, "decode '%s'", enc);
                CHECK(dn == n, "case %zu: %zu args back, want %zu", i, dn, n);
                for (size_t k = 0; k < n && k < dn; k++)
                        CHECK_STR(dec[k], cases[i][k], "arg");
                CHECK(dec && dec[dn] == NULL, "argv is NULL-terminated");
                strv_free(dec);
        }
        _cleanup_free_ char *enc = NULL;
        argv_encode((char *const[]){ "echo", "a b", NULL }, 2, &enc);
        CHECK_STR(enc, "echo,a%20b", "readable encoding");
        CHECK(argv_encode(NULL, 0, &enc) == -EINVAL, "an empty argv is refused");
}

static void test_bad_encoding(void)
{
        static const char *const bad[] = { "a%", "a%2", "a%zz", "%00", "x,%g1" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char **dec = NULL;
                CHECK(argv_decode(bad[i], &dec, NULL) == -EINVAL, "'%s' is refused", bad[i]);
        }
}

/* The real kernel log's command line, as the kernel echoed it. */
static void test_fixture(void)
{
        const char *dir = getenv("FIXTURES");
        _cleanup_free_ char *path = path_join(dir ? dir : "tests/fixtures", "debian-6.1-stock-tcg-initcall_debug.log");
        _cleanup_free_ char *log = NULL;
        CHECK(read_full_file(path, &log, NULL) == 0, "read %s", path);
        if (!log)
                return;
        const char *line = strstr(log, "Kernel command line: ");
        CHECK(line != NULL, "fixture has a 'Kernel command line:' line");
        if (!line)
                return;
        line += strlen("Kernel command line: ");
        _cleanup_free_ char *text = strndup(line, strcspn(line, "\n"));
        struct cmdline cl;
        cmdline_parse(text, &cl);
        CHECK(cl.n == 5, "5 tokens in '%s' (got %zu)", text, cl.n);
        CHECK(cmdline_has(&cl, "initcall_debug"), "initcall_debug present");
        CHECK(!cmdline_has(&cl, "quiet"), "quiet absent");
        CHECK_STR(cmdline_get(&cl, "console"), "ttyS0", "console");
        CHECK_STR(cmdline_get(&cl, "panic"), "-1", "panic");
        cmdline_free(&cl);
}

/* TERM= goes into the rescue shell's .bashrc unquoted: only a plain name may. */
static void test_value_is_name(void)
{
        static const char *const good[] = { "xterm-256color", "linux", "vt100", "screen.xterm-new", "rxvt-unicode+x" };
        static const char *const bad[] = { "", "x;reboot", "a b", "$(id)", "`id`", "x'y", "a\nb",
                                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                CHECK(cmdline_value_is_name(good[i]), "'%s' is a name", good[i]);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                CHECK(!cmdline_value_is_name(bad[i]), "'%.20s' is not", bad[i]);
        CHECK(!cmdline_value_is_name(NULL), "NULL is not");
}

int main(void)
{
        test_value_is_name();
        test_split();
        test_lookup();
        test_roundtrip();
        test_bad_encoding();
        test_fixture();
        return tap_done();
}
