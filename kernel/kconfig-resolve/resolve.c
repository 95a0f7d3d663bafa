/* leanboot's kconfig resolver: the kernel's own kconfig, parsed once and kept running.
 *
 * `make olddefconfig` parses the whole Kconfig tree and runs its toolchain probes (cc-option,
 * as-instr: a compiler run each) every time: 4 s on 2 idle cores, 20 s on busy ones.  The tailor
 * resolves hundreds of configurations against one tree, so kernel/kresolve.c links this file
 * with the objects of scripts/kconfig that kbuild compiled in the tree (confdata.o, symbol.o, ...)
 * and asks it, one line at a time.  It is not part of leanboot's build: it needs the kernel's
 * scripts/kconfig/lkc.h, and it is compiled in the tailor's tree with that kernel's kconfig.
 *
 * Usage: leanboot-kconfig-resolve OBJDIR KCONFIG, with the environment kbuild gave conf (the
 * variables its Kconfig files read: CC, srctree, ARCH, ...).  It works in OBJDIR, as conf does
 * under make O=OBJDIR.  Each line on stdin is "IN<TAB>OUT": the configuration IN read as
 * olddefconfig reads .config (a later line for an option wins), every new option at its default,
 * written to OUT as olddefconfig writes .config.  It answers "ok" or "error" on a line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lkc.h"

int main(int argc, char **argv)
{
	char line[8192];

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJDIR KCONFIG\n", argv[0]);
		return 2;
	}
	if (chdir(argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	conf_set_message_callback(NULL);
	conf_parse(argv[2]);
	/* A broken Kconfig tree: conf would not write, so no answer would be right. */
	if (sym_dep_errors())
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		char *tab;
		int bad;

		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (!tab) {
			bad = 1;
		} else {
			*tab = '\0';
			/* conf_read resets every user value before reading (as menuconfig's Load does),
			 * so each line starts from nothing that an earlier one set. */
			bad = conf_read(line) || conf_write(tab + 1);
		}
		printf("%s\n", bad ? "error" : "ok");
		fflush(stdout);
	}
	return 0;
}
