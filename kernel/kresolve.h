/* The kernel's own kconfig kept running for one build tree (kresolve.c): configurations
 * resolved as `make olddefconfig` resolves them, without parsing the Kconfig tree and running its
 * toolchain probes again for each (4 s a configuration on 2 idle cores; milliseconds here).  The
 * program is kernel/kconfig-resolve/resolve.c linked with the objects of scripts/kconfig that
 * kbuild compiled in the tree, so it is that kernel's kconfig, version for version. */
#ifndef LEANBOOT_KRESOLVE_H
#define LEANBOOT_KRESOLVE_H

#include <stdio.h>
#include <sys/types.h>

struct kresolver {
        pid_t pid;
        FILE *from; /* a socket: requests are sent on it, answers read */
};

/* Build (in OBJ/scripts/kconfig) and start the resolver for the kernel source SRC and its kbuild
 * tree OBJ, which must have been configured and built once (its scripts/kconfig objects, and
 * include/config/auto.conf.cmd: the environment conf saw).  Its warnings go to LOG.  0, or -errno
 * (-ENOENT: the tree has not been built yet; -ENOPKG: leanboot's resolve.c is not installed; -EIO:
 * it did not build or start); nothing is said. */
int kresolver_start(struct kresolver *k, const char *src, const char *obj, const char *log);

/* IN (a configuration, possibly with later lines overriding earlier ones) resolved into OUT, as
 * olddefconfig would.  Both paths absolute, without tab or newline.  0, or -EIO (the resolver
 * failed on it or is gone). */
int kresolver_resolve(struct kresolver *k, const char *in, const char *out);

void kresolver_stop(struct kresolver *k);

#endif
