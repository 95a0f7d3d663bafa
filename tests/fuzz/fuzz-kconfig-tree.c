/* The Kconfig tree walker (kernel/fragment.c's kconfig_depends, kconfig_prompt_condition, and
 * kconfig_file_siblings, the tailor's: the entries of one file), and kconfig_conjuncts over what it returns: it follows
 * source lines through a kernel source tree to say why an option was dropped.  The input is up to four files, NUL
 * between them: Kconfig, a/Kconfig, b/Kconfig and c/Kconfig under a directory of its own.
 * Promises: it ends (no loop through sources), reads nothing outside the tree, and what it
 * returns for a symbol is a string. */
#include <config.h>

#include <errno.h>

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "common/strv.h"
#include "kernel/fragment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        static const char *const names[] = { "tree/Kconfig", "tree/a/Kconfig", "tree/b/Kconfig", "tree/c/Kconfig" };
        char *tree = NULL;
        if (asprintf(&tree, "%s/tree", fuzz_tmpdir()) < 0)
                abort();
        static bool made;
        if (!made) {
                static const char *const dirs[] = { "", "/a", "/b", "/c" };
                for (size_t i = 0; i < 4; i++) {
                        char *d = NULL;
                        if (asprintf(&d, "%s%s", tree, dirs[i]) < 0 || (mkdir(d, 0755) < 0 && errno != EEXIST))
                                abort();
                        free(d);
                }
                made = true;
        }
        size_t off = 0;
        for (size_t i = 0; i < 4; i++) {
                const uint8_t *part = off < size ? data + off : (const uint8_t *)"";
                size_t left = off < size ? size - off : 0;
                const uint8_t *nul = memchr(part, '\0', left);
                size_t len = nul ? (size_t)(nul - part) : left;
                free(fuzz_write_file(names[i], part, len));
                off += len + 1;
        }
        static const char *const symbols[] = { "FOO", "CONFIG_BAR", "X86" };
        for (size_t i = 0; i < 3; i++) {
                char *deps = kconfig_depends(tree, symbols[i]);
                char **terms = deps ? kconfig_conjuncts(deps) : NULL;
                for (char **t = terms; t && *t; t++)
                        fuzz_assert(**t && strspn(*t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abcdefghijklmnopqrstuvwxyz") == strlen(*t));
                strv_free(terms);
                free(deps);
                /* a prompt's condition is one line's, without its comment */
                char *shown_if = kconfig_prompt_condition(tree, symbols[i]);
                fuzz_assert(!shown_if || (!strchr(shown_if, '\n') && !strchr(shown_if, '#')));
                free(shown_if);
                char **siblings = kconfig_file_siblings(tree, symbols[i]);
                for (char **t = siblings; t && *t; t++)
                        fuzz_assert(**t && !strchr(*t, ' '));
                strv_free(siblings);
        }
        free(tree);
        return 0;
}
