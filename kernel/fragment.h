/* Kernel config fragments against a kernel source tree: why an option was dropped (its Kconfig
 * dependencies).  Parsing fragments and .config files is common/kconfig.h's. */
#ifndef LEANBOOT_FRAGMENT_H
#define LEANBOOT_FRAGMENT_H

#include <stdbool.h>

#include "../common/kconfig.h"

/* What CONFIG_NAME's Kconfig entry in a kernel source tree depends on: its "depends on" lines
 * and enclosing "if" conditions, joined with " && "; "" when it has none; NULL when no Kconfig
 * file defines it.  The reason an option was dropped. */
char *kconfig_depends(const char *srcdir, const char *name);
/* The entries of the choice that CONFIG_NAME is a member of (names without CONFIG_, NAME among
 * them, in Kconfig order; a strv), or NULL when it is in none.  A choice member is turned off by
 * turning another on: the tailor's alternatives. */
char **kconfig_choice_members(const char *srcdir, const char *name);
/* The entries with a "select NAME" line (names without CONFIG_; a strv), or NULL when none
 * selects it.  What keeps an option on that a fragment turns off. */
char **kconfig_selectors(const char *srcdir, const char *name);
/* The config entries declared in the Kconfig file that declares CONFIG_NAME (names without
 * CONFIG_, NAME among them, in file order; a strv), or NULL when no file declares it.  The
 * options of one driver's own menu: those that shape its objects (SERIAL_8250_DETECT_IRQ beside
 * SERIAL_8250), not the whole tree's. */
char **kconfig_file_siblings(const char *srcdir, const char *name);
/* The condition that shows CONFIG_NAME's prompt: "EXPERT" for VT ("bool "Virtual terminal" if
 * EXPERT"); "" for a prompt always shown; NULL when the entry has no prompt (or no Kconfig file
 * defines it).  A hidden prompt keeps an option at its default: the tailor cuts such an option
 * together with what shows its prompt. */
char *kconfig_prompt_condition(const char *srcdir, const char *name);
/* The terms of EXPR's top-level "&&" that are a plain symbol: "FTRACE && (A || B) && !C && D"
 * gives FTRACE and D (a strv; NULL when none).  What an entry needs on, for sure. */
char **kconfig_conjuncts(const char *expr);
/* Those of NAMES (without CONFIG_) that are on in C: "EXT4_FS(=y), X(=m)"; "" when none. */
char *kconfig_names_on(char *const *names, const struct kconfig *c);
/* EXPR with each symbol's value in c appended: "VIRTIO(=y) && BLK_DEV(=n)". */
char *kconfig_annotate(const char *expr, const struct kconfig *c);
/* The terms of EXPR that c does not meet: "USB(=n), !X86_32(=y)" (a symbol that is n, a negated
 * one that is not; with WANT_Y, also one that is m, which limits a tristate to m); "" when every
 * term is met (then a choice, a select, a range or the config's own setting decides, not the
 * dependencies); NULL on ENOMEM.  Term by term: an "||" is read as if it were "&&", so a term it
 * leaves unmet is still named. */
char *kconfig_unmet(const char *expr, const struct kconfig *c, bool want_y);

#endif
