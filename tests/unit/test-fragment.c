/* Kernel config fragments: syntax, the shipped fragments, and the missing-option check. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/macro.h"
#include "common/strv.h"
#include "kernel/fragment.h"

static const char *fixtures(void)
{
        const char *d = getenv("FIXTURES");
        return d ? d : "tests/fixtures";
}

struct syntax_case {
        const char *text;
        int ret;
        size_t n;
        const char *bad_line; /* expected in the error, "FILE:LINE" */
};

static const struct syntax_case syntax_cases[] = {
        { "", 0, 0, NULL },
        { "# just a comment\n\n", 0, 0, NULL },
        { "CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\n", 0, 3, NULL },
        { "CONFIG_S=\"a string\"\nCONFIG_N=17\nCONFIG_H=0x1000000\nCONFIG_NEG=-1\n", 0, 4, NULL },
        { "CONFIG_A=y\nCONFIG_A=n\n", 0, 1, NULL }, /* later wins */
        { "  CONFIG_INDENTED=y  \n", 0, 1, NULL },
        { "CONFIG_A=y\nA=y\n", -EINVAL, 0, "t.config:2:" },
        { "CONFIG_A\n", -EINVAL, 0, "t.config:1:" },
        { "CONFIG_A=\n", -EINVAL, 0, "t.config:1:" },
        { "CONFIG_A=yes please\n", -EINVAL, 0, "t.config:1:" },
        { "CONFIG_S=\"unterminated\n", -EINVAL, 0, "t.config:1:" },
        { "# CONFIG_bad-name is not set\n", -EINVAL, 0, "t.config:1:" },
        { "CONFIG_=y\n", -EINVAL, 0, "t.config:1:" },
};

static void test_syntax(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(syntax_cases); i++) {
                const struct syntax_case *c = &syntax_cases[i];
                struct kconfig k = { 0 };
                char *err = NULL;
                int r = kconfig_parse(c->text, "t.config", &k, &err);
                CHECK(r == c->ret, "case %zu: returns %d (want %d)", i, r, c->ret);
                if (c->ret == 0)
                        CHECK(k.n == c->n, "case %zu: %zu options (want %zu)", i, k.n, c->n);
                else
                        CHECK(err && strstr(err, c->bad_line), "case %zu: error names %s: %s", i, c->bad_line,
                              err ? err : "(none)");
                free(err);
                kconfig_free(&k);
        }
        struct kconfig k = { 0 };
        kconfig_parse("CONFIG_A=y\n# CONFIG_A is not set\n", "t", &k, NULL);
        CHECK_STR(kconfig_value(&k, "CONFIG_A"), "n", "'is not set' after =y wins");
        CHECK_STR(kconfig_value(&k, "CONFIG_ABSENT"), "n", "an absent option is n");
        kconfig_free(&k);
}

/* The shipped fragments parse, and every option in base.config has its reason above it. */
static void test_shipped(void)
{
        const char *dir = getenv("KCONFIGS");
        static const char *const names[] = { "base.config", "net.config", "debug.config", "guestfs.config" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *p = path_join(dir ? dir : "kernel-configs", names[i]);
                struct kconfig k = { 0 };
                char *err = NULL;
                CHECK(kconfig_load(p, &k, &err) == 0 && k.n > 0, "%s parses (%zu options) %s", names[i], k.n,
                      err ? err : "");
                free(err);
                kconfig_free(&k);
        }
        _cleanup_free_ char *p = path_join(dir ? dir : "kernel-configs", "base.config");
        _cleanup_free_ char *text = NULL;
        read_full_file(p, &text, NULL);
        unsigned lineno = 0, unexplained = 0;
        const char *prev = "";
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                lineno++;
                bool opt = strncmp(l, "CONFIG_", 7) == 0 || strstr(l, " is not set");
                /* A reason: a comment line directly above, or above a run of options it covers. */
                bool prev_ok = prev[0] == '#' || strncmp(prev, "CONFIG_", 7) == 0;
                if (opt && !prev_ok) {
                        unexplained++;
                        printf("# base.config: '%s' has no reason above it\n", l);
                }
                prev = l;
        }
        CHECK(unexplained == 0, "every base.config option carries a reason (%u without)", unexplained);
}

static void test_missing(void)
{
        _cleanup_free_ char *fin_path = path_join(fixtures(), "kconfig/final.config");
        struct kconfig fin = { 0 }, req = { 0 };
        char *err = NULL;
        CHECK(kconfig_load(fin_path, &fin, &err) == 0, "final.config loads %s", err ? err : "");
        free(err);
        CHECK_STR(kconfig_value(&fin, "CONFIG_CC_VERSION_TEXT"), "\"gcc (Debian 12.2.0-14) 12.2.0\"", "string value");
        CHECK(kconfig_enabled(&fin) == 7, "7 enabled options (got %zu)", kconfig_enabled(&fin));
        kconfig_parse("CONFIG_64BIT=y\nCONFIG_VIRTIO_BLK=y\n# CONFIG_MODULES is not set\n"
                      "# CONFIG_NEVER_HEARD_OF is not set\nCONFIG_USB=y\nCONFIG_ACPI=y\nCONFIG_NR_CPUS=4\n"
                      "CONFIG_PRINTK=m\n",
                      "frag.config", &req, NULL);
        size_t *idx = NULL, n = 0;
        CHECK(kconfig_missing(&req, &fin, &idx, &n) == 0, "missing computed");
        CHECK(n == 4, "4 missing (got %zu)", n);
        static const char *const want[] = { "CONFIG_USB", "CONFIG_ACPI", "CONFIG_NR_CPUS", "CONFIG_PRINTK" };
        for (size_t i = 0; i < n && i < 4; i++)
                CHECK_STR(req.opts[idx[i]].name, want[i], "missing option");
        CHECK(n > 0 && req.opts[idx[0]].line == 5 && strcmp(req.opts[idx[0]].file, "frag.config") == 0,
              "missing option keeps its file and line");
        free(idx);
        kconfig_free(&req);
        kconfig_free(&fin);
}

/* A tree that sources itself: the lookup ends (the audit's: about 2^33 file reads), and finds
 * what the files hold. */
static void test_depends_loop(void)
{
        _cleanup_free_ char *src = path_join(fixtures(), "kconfig/loop");
        _cleanup_free_ char *looped = kconfig_depends(src, "LOOPED"), *sub = kconfig_depends(src, "SUB");
        CHECK_STR(looped, "X", "a self-sourcing Kconfig: its own entry found once");
        CHECK_STR(sub, "Y", "a file that sources the top back: its entry found");
}

static void test_depends(void)
{
        _cleanup_free_ char *src = path_join(fixtures(), "kconfig/ksrc");
        _cleanup_free_ char *foo = kconfig_depends(src, "CONFIG_FOO");
        CHECK_STR(foo, "BAR && PCI && !EMBEDDED", "FOO's dependencies, both lines");
        _cleanup_free_ char *dbg = kconfig_depends(src, "FOO_DEBUG");
        CHECK_STR(dbg, "MENUDEP && USB && FOO", "a sourced file inherits the menu's and the if's conditions");
        _cleanup_free_ char *never = kconfig_depends(src, "NEVER_SOURCED");
        CHECK(never == NULL, "a Kconfig file nothing sources is not read");
        _cleanup_free_ char *bar = kconfig_depends(src, "CONFIG_BAR");
        CHECK(bar && bar[0] == '\0', "BAR exists and has no dependencies");
        _cleanup_free_ char *none = kconfig_depends(src, "CONFIG_NOPE");
        CHECK(none == NULL, "an unknown option is not found");
        _cleanup_free_ char *inner = kconfig_depends(src, "CONFIG_INNER");
        CHECK_STR(inner, "OUTER && (A || B)", "enclosing if blocks count as dependencies");
        _cleanup_free_ char *after = kconfig_depends(src, "CONFIG_AFTER");
        CHECK_STR(after, "", "an endif closes the block");
        _cleanup_free_ char *trail = kconfig_depends(src, "TRAIL_OUT");
        CHECK_STR(trail, "", "'endif # comment' closes its block; help text is not read as statements");
        /* The tailor's alternatives: a choice member is cut by turning another on. */
        _cleanup_strv_free_ char **members = kconfig_choice_members(src, "CONFIG_ALLOC_B");
        _cleanup_free_ char *joined = members ? strv_join(members, " ") : NULL;
        CHECK_STR(joined, "ALLOC_A ALLOC_B", "a choice's members, in Kconfig order");
        _cleanup_strv_free_ char **alone = kconfig_choice_members(src, "AFTER_CHOICE");
        CHECK(alone == NULL, "an entry after endchoice is in no choice");
        _cleanup_strv_free_ char **foo_members = kconfig_choice_members(src, "FOO");
        CHECK(foo_members == NULL, "an entry outside any choice is in none");
        /* What keeps an option on that a fragment turns off. */
        _cleanup_strv_free_ char **sel = kconfig_selectors(src, "CONFIG_ALLOC_A");
        _cleanup_free_ char *sel_joined = sel ? strv_join(sel, " ") : NULL;
        CHECK_STR(sel_joined, "PICKS_A", "the entry that selects it ('select X if COND' too)");
        _cleanup_strv_free_ char **none_sel = kconfig_selectors(src, "ALLOC_B");
        CHECK(none_sel == NULL, "nothing selects ALLOC_B (ALLOC_AB is another name)");
        /* What shows a prompt (VT's "if EXPERT"): a hidden prompt keeps an option at its default. */
        static const struct {
                const char *name, *want; /* NULL: no prompt */
        } prompts[] = {
                { "CONFIG_HIDDEN_VT", "EXPERT_LIKE" },
                { "EXPERT_LIKE", "" },
                { "NO_PROMPT", NULL },
                { "LATE_PROMPT", "BAR && !FOO" },
                { "HELP_SAYS_IF", "" },
                { "FOO", "" },
                { "NOPE", NULL },
        };
        for (size_t i = 0; i < ARRAY_SIZE(prompts); i++) {
                _cleanup_free_ char *cond = kconfig_prompt_condition(src, prompts[i].name);
                CHECK(prompts[i].want ? cond && streq(cond, prompts[i].want) : !cond, "%s's prompt shown if '%s' (want '%s')",
                      prompts[i].name, cond ? cond : "(no prompt)", prompts[i].want ? prompts[i].want : "(no prompt)");
        }
        /* Reading prompts leaves the other attributes to the walker: a "depends on" before the
         * prompt, or in an entry without one (HW_CONSOLE's "depends on VT"), still counts. */
        _cleanup_free_ char *late = kconfig_depends(src, "LATE_PROMPT"), *noprompt = kconfig_depends(src, "NO_PROMPT");
        CHECK_STR(late, "BAR", "a dependency read before the entry's prompt");
        CHECK_STR(noprompt, "FOO", "a dependency of an entry without a prompt");
        struct kconfig fin = { 0 };
        kconfig_parse("CONFIG_VIRTIO=y\n# CONFIG_BLK_DEV is not set\n", "t", &fin, NULL);
        _cleanup_free_ char *ann = kconfig_annotate("VIRTIO && BLK_DEV && (X86_64 || !m)", &fin);
        CHECK_STR(ann, "VIRTIO(=y) && BLK_DEV(=n) && (X86_64(=n) || !m)", "annotated dependencies");
        /* What keeps an option out: only the terms that are not met, not those that are
         * ("EXT4_FS ... depends on BLOCK(=y)" named a met dependency as the reason). */
        _cleanup_free_ char *unmet = kconfig_unmet("VIRTIO && BLK_DEV && !SMP && ! VIRTIO_MMIO || m", &fin, true);
        CHECK_STR(unmet, "BLK_DEV(=n)", "unmet: the symbol that is n; a negated one that is n is met; constants ignored");
        _cleanup_free_ char *neg = kconfig_unmet("!VIRTIO && BLOCK", &fin, true);
        CHECK_STR(neg, "!VIRTIO(=y), BLOCK(=n)", "unmet: a negated symbol that is set, and one that is not");
        _cleanup_free_ char *met = kconfig_unmet("VIRTIO", &fin, true);
        CHECK_STR(met, "", "every term met: none named");
        struct kconfig mod = { 0 };
        kconfig_parse("CONFIG_VIRTIO=m\n", "t", &mod, NULL);
        _cleanup_free_ char *limit = kconfig_unmet("VIRTIO", &mod, true), *as_m = kconfig_unmet("VIRTIO", &mod, false);
        CHECK_STR(limit, "VIRTIO(=m)", "asked y: a dependency that is m limits it");
        CHECK_STR(as_m, "", "asked m: a dependency that is m is met");
        kconfig_free(&mod);
        kconfig_free(&fin);
}

/* The tailor's proposals for a cost that moved: what an entry needs on for sure, and the options
 * of a driver's own Kconfig file. */
static void test_conjuncts_siblings(void)
{
        static const struct {
                const char *expr, *want;
        } cases[] = {
                { "FTRACE && (A || B) && !C && D", "FTRACE D" },
                { "X=y && Y", "Y" },
                { "  SPACED  &&TIGHT", "SPACED TIGHT" },
                { "A && A && y", "A" },
                { "(A && B)", "" },
                { "A || B", "" },
                { "", "" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_strv_free_ char **c = kconfig_conjuncts(cases[i].expr);
                _cleanup_free_ char *joined = c ? strv_join(c, " ") : strdup("");
                CHECK(streq(joined, cases[i].want), "conjuncts of '%s': '%s' (want '%s')", cases[i].expr, joined, cases[i].want);
        }
        _cleanup_free_ char *src = path_join(fixtures(), "kconfig/ksrc");
        _cleanup_strv_free_ char **dbg = kconfig_file_siblings(src, "CONFIG_FOO_DEBUG");
        _cleanup_free_ char *dbg_joined = dbg ? strv_join(dbg, " ") : NULL;
        CHECK_STR(dbg_joined, "FOO_DEBUG FOO_DEBUG_VERBOSE", "the entries of a sourced file");
        _cleanup_strv_free_ char **top = kconfig_file_siblings(src, "FOO");
        CHECK(strv_length(top) == 11 && streq(top[0], "BAR") && streq(top[10], "PICKS_A") && !strv_contains(top, "FOO_DEBUG") &&
                      !strv_contains(top, "NEVER_SOURCED"),
              "the top file's entries, and none of the files it sources (%zu)", strv_length(top));
        _cleanup_strv_free_ char **none = kconfig_file_siblings(src, "NOPE");
        CHECK(none == NULL, "an option no file declares: none");
}

int main(void)
{
        test_syntax();
        test_shipped();
        test_missing();
        test_depends();
        test_depends_loop();
        test_conjuncts_siblings();
        return tap_done();
}
