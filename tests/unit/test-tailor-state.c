/* The tailor's state file and fragment (kernel/tailor-state.c, kernel/tailor-report.c): what a
 * resumed tailor reads back is what it saved, a damaged state is refused rather than half read,
 * and the fragment is a config fragment the kernel's format (and leanboot's parser) accepts. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "common/fileio.h"
#include "common/kconfig.h"
#include "common/macro.h"
#include "common/strv.h"
#include "kernel/tailor.h"

static void make_state(struct tailor_state *s)
{
        *s = (struct tailor_state){ .from = strdup("base"), .check = strdup("/a/app"), .payload = strdup("test -d /proc"),
                                    .check_host = strdup("guestfish -a d.img run :\nlist-filesystems"),
                                    .machine = strdup("pc"), .clock = strdup("insn"), .run_key = strdup("0911bafba3c43041"),
                                    .best_build = 3, .builds = 4,
                                    .seconds = 12.5, .mapped = true, .host_check_seconds = 5.25 };
        s->start = (struct measure){ .initcalls_us = 10635, .kernel_us = 28115, .total_us = 45071, .image_size = 2536448,
                                     .options = 631, .valid = true };
        s->best = (struct measure){ .initcalls_us = 6500, .kernel_us = 24000, .total_us = 41000, .image_size = 2400000,
                                    .options = 600, .valid = true };
        s->ncuts = 6;
        s->cuts = calloc(6, sizeof *s->cuts);
        s->cuts[0] = (struct cut){ .option = strdup("CONFIG_SLUB"), .alt = strdup("CONFIG_SLAB"), .cost_us = 3526, .initcalls = 1,
                                   .status = CUT_DROPPED, .build = 3 };
        strv_push(&s->cuts[0].also_off, "CONFIG_SLUB_CPU_PARTIAL");
        s->cuts[1] = (struct cut){ .option = strdup("CONFIG_EXT4_FS"), .cost_us = 484, .initcalls = 1, .status = CUT_KEPT,
                                   .why = strdup("the payload fails without it (exit status 125)"), .build = 4 };
        s->cuts[2] = (struct cut){ .option = strdup("CONFIG_AIO"), .cost_us = 90, .initcalls = 1, .status = CUT_QUEUED };
        /* A cut of several: what keeps jitterentropy on, cut together. */
        s->cuts[3] = (struct cut){ .option = strdup("CONFIG_CRYPTO_SEQIV"), .cost_us = 22362, .initcalls = 1, .status = CUT_DROPPED,
                                   .build = 3, .origin = strdup("keeps CRYPTO_JITTERENTROPY on, with CRYPTO_ECHAINIV") };
        strv_push(&s->cuts[3].with, "CONFIG_CRYPTO_JITTERENTROPY");
        strv_push(&s->cuts[3].with, "CONFIG_CRYPTO_ECHAINIV");
        strv_push(&s->cuts[3].with, "CONFIG_CRYPTO_DRBG_MENU"); /* kconfig kept it on: not said off */
        strv_push(&s->cuts[3].also_off, "CONFIG_CRYPTO_JITTERENTROPY");
        strv_push(&s->cuts[3].also_off, "CONFIG_CRYPTO_AEAD");
        strv_push(&s->cuts[3].also_off, "CONFIG_CRYPTO_ECHAINIV");
        /* Two whose prompts show only with EXPERT (x86_64_defconfig has it off). */
        s->cuts[4] = (struct cut){ .option = strdup("CONFIG_VT"), .shown_by = strdup("CONFIG_EXPERT"), .cost_us = 2903, .initcalls = 1,
                                   .status = CUT_DROPPED, .build = 3 };
        s->cuts[5] = (struct cut){ .option = strdup("CONFIG_PCSPKR_PLATFORM"), .shown_by = strdup("CONFIG_EXPERT"), .cost_us = 150,
                                   .initcalls = 1, .status = CUT_DROPPED, .build = 3 };
        int g[] = { 2 };
        tailor_push_group(s, g, 1);
        s->ntrials = 2;
        s->trials = calloc(2, sizeof *s->trials);
        s->trials[0] = (struct trial){ .build = 1, .result = strdup("start"), .m = s->start, .build_seconds = 300,
                                       .objects = 950, .ccache_hits = 0, .ccache_misses = 950 };
        s->trials[1] = (struct trial){ .build = 3, .result = strdup("faster"), .m = s->best, .build_seconds = 40,
                                       .objects = 900, .ccache_hits = 890, .ccache_misses = 10 };
        strv_push(&s->trials[1].dropped, "CONFIG_SLUB");
}

int main(void)
{
        char dir[] = "/tmp/test-tailor-XXXXXX";
        if (!mkdtemp(dir))
                return 99;
        _cleanup_free_ char *path = path_join(dir, "state.json"), *frag = path_join(dir, "cut.config");
        struct tailor_state s, back = { 0 };
        make_state(&s);
        CHECK(tailor_state_save(path, &s) == 0, "state saved");
        CHECK(tailor_state_load(path, &back) == 0, "state read back");
        CHECK_STR(back.from, "base", "from");
        CHECK_STR(back.payload, "test -d /proc", "payload");
        CHECK_STR(back.check_host, "guestfish -a d.img run :\nlist-filesystems", "host check");
        CHECK_STR(back.run_key, "0911bafba3c43041", "the question's key");
        CHECK(back.start.initcalls_us == 10635 && back.best.options == 600 && back.best_build == 3 && back.builds == 4,
              "measures and counters");
        CHECK(back.ncuts == 6 && back.cuts[0].status == CUT_DROPPED && back.cuts[1].status == CUT_KEPT &&
                      back.cuts[2].status == CUT_QUEUED, "each cut's status");
        CHECK_STR(back.cuts[0].alt, "CONFIG_SLAB", "a choice's replacement");
        CHECK_STR(back.cuts[4].shown_by, "CONFIG_EXPERT", "what shows a hidden prompt");
        CHECK(back.cuts[0].shown_by == NULL, "nothing, for a prompt always shown");
        CHECK(back.cuts[3].with && strv_length(back.cuts[3].with) == 3 && streq(back.cuts[3].with[1], "CONFIG_CRYPTO_ECHAINIV") &&
                      back.cuts[0].with == NULL, "what is cut together with a cut (and nothing, for one cut alone)");
        CHECK_STR(back.cuts[1].why, "the payload fails without it (exit status 125)", "why a cut stays");
        CHECK(back.nstack == 1 && tailor_group_len(back.stack[0]) == 1 && back.stack[0][0] == 2, "the groups left to try");
        CHECK(back.ntrials == 2 && back.trials[1].ccache_hits == 890 && back.trials[1].objects == 900, "the builds");
        CHECK(back.mapped && !back.done, "where it stopped");
        CHECK(back.host_check_seconds == 5.25, "the start's host check time (its later limit)");

        /* The fragment: the kernel's own format, read back by leanboot's parser. */
        CHECK(tailor_write_fragment(&s, frag) == 0, "fragment written");
        struct kconfig k = { 0 };
        _cleanup_free_ char *err = NULL;
        CHECK(kconfig_load(frag, &k, &err) == 0, "the fragment parses: %s", err ? err : "");
        CHECK(k.n == 10, "ten options: the dropped ones, a replacement, what was cut with one, what went with them, what shows two "
                         "prompts (got %zu)",
              k.n);
        CHECK_STR(kconfig_value(&k, "CONFIG_EXPERT"), "y", "what shows a hidden prompt: on");
        CHECK_STR(kconfig_value(&k, "CONFIG_VT"), "n", "the option behind it: not set");
        CHECK_STR(kconfig_value(&k, "CONFIG_SLUB"), "n", "dropped: not set");
        CHECK_STR(kconfig_value(&k, "CONFIG_SLAB"), "y", "its replacement: on");
        CHECK(kconfig_find(&k, "CONFIG_EXT4_FS") == NULL && kconfig_find(&k, "CONFIG_AIO") == NULL,
              "kept and untried options are not in it");
        _cleanup_free_ char *text = NULL;
        read_full_file(frag, &text, NULL);
        size_t experts = 0;
        for (const char *p = text; p && (p = strstr(p, "\nCONFIG_EXPERT=y\n")); p++)
                experts++;
        CHECK(experts == 1, "what shows two cuts' prompts is said once (%zu times)", experts);
        CHECK(text && strstr(text, "# CONFIG_VT: 1 initcall(s), 2.903 insn-ms in the kernel it was cut from; build 3 dropped it "
                                   "(that build saved 4.135 insn-ms); its prompt shows with CONFIG_EXPERT\nCONFIG_EXPERT=y\n"
                                   "# CONFIG_VT is not set\n"),
              "a cut says what shows its prompt, said on before it");
        CHECK(text && strstr(text, "# CONFIG_SLUB: 1 initcall(s), 3.526 insn-ms in the kernel it was cut from; build 3 dropped it"),
              "each cut says its cost and the build that dropped it");
        CHECK(text && strstr(text, "; on the host: guestfish -a d.img run : list-filesystems\n"),
              "the host check named, on one comment line");
        CHECK(text && strstr(text, "# kconfig turns these off with it:\n# CONFIG_SLUB_CPU_PARTIAL is not set\n"), "and what went with it, off too");
        CHECK(text && strstr(text, "# CONFIG_CRYPTO_SEQIV is not set\n# cut together with it:\n# CONFIG_CRYPTO_JITTERENTROPY is not set\n"
                                   "# CONFIG_CRYPTO_ECHAINIV is not set\n# kconfig turns these off with it:\n"
                                   "# CONFIG_CRYPTO_AEAD is not set\n"),
              "a cut of several: what was cut with it, then what kconfig took, each once");
        CHECK(kconfig_find(&k, "CONFIG_CRYPTO_DRBG_MENU") == NULL, "what kconfig kept on is not said off");
        kconfig_free(&k);

        /* Damaged states are refused whole. */
        static const char *const bad[] = {
                "", "{", "[]", "{\"version\": 2}", "{\"version\": 1, \"cuts\": [{\"status\": \"kept\"}]}",
                "{\"version\": 1, \"cuts\": [], \"stack\": [[0]]}", "{\"version\": 1, \"cuts\": [], \"stack\": [[-5]]}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct tailor_state d = { 0 };
                write_file_atomic(path, bad[i], strlen(bad[i]), 0644);
                int r = tailor_state_load(path, &d);
                CHECK(r == -EBADMSG, "damaged state %zu refused (%d)", i, r);
                if (r == 0)
                        tailor_state_free(&d);
        }
        tailor_state_free(&s);
        tailor_state_free(&back);
        unlink(path);
        unlink(frag);
        rmdir(dir);
        return tap_done();
}
