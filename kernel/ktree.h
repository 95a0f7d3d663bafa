/* The tailor's build tree (ktree.c): one kbuild O= directory per starting configuration, kept
 * between candidates, so that a candidate recompiles only the objects its cuts change; compiles
 * go through ccache, and ccache's misses through a wrapper (distcc, icecc) when one is given.
 * Configurations are resolved by the kernel's own kconfig (olddefconfig), never by hand. */
#ifndef LEANBOOT_KTREE_H
#define LEANBOOT_KTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "kresolve.h"

struct ktree {
        char *src;   /* the kernel source tree */
        char *dir;   /* the tree's directory: obj/ (kbuild's O=), build.log */
        char *obj;
        char *log;
        char **vars; /* make variables: CC=ccache gcc */
        char **env;  /* CCACHE_PREFIX=WRAPPER */
        bool ccache;
        int jobs;
        struct kresolver resolver; /* the kernel's kconfig kept running, once the tree is built */
        int resolver_state;        /* 0: not tried yet; 1: running; -1: make olddefconfig instead */
};

/* DIR (created) for a tree of SRC.  WRAPPER (NULL: none) routes compiles to a build farm: with
 * ccache as CCACHE_PREFIX, so that kbuild's command lines, and with them the objects already
 * built, stay the same whether or not the farm is used; without ccache as CC's first word. */
int ktree_open(struct ktree *t, const char *dir, const char *src, const char *wrapper, bool ccache, int jobs);
void ktree_close(struct ktree *t);

/* The starting configuration, written to OUT: "base" (allnoconfig + base.config + FRAGS, as
 * `kernel build` makes it), "defconfig" (the kernel's x86_64_defconfig + kvm_guest.config, then
 * FRAGS), or the path of a .config (+ FRAGS), each finished by olddefconfig. */
int ktree_start_config(struct ktree *t, const char *from, char *const *frags, const char *out);

/* What olddefconfig makes of CONFIG (an olddefconfig's output: the start) with CHANGES
 * ("CONFIG_X=n", "CONFIG_Y=y") applied: written to OUT.  The kernel's own kconfig decides what the
 * changes take with them (dependents) and what they cannot change (selected options, a choice's
 * default): once the tree is built, kept running (kresolve.h), after it gave CONFIG back
 * unchanged; before, or if it did not, `make olddefconfig`. */
int ktree_resolve(struct ktree *t, const char *config, char *const *changes, const char *out);

struct ktree_build_stats {
        size_t objects;      /* compiled or assembled by this build */
        double seconds;
        long long ccache_hits, ccache_misses; /* -1: not known */
        long long image_size;
};

/* Build bzImage for CONFIG in the tree and copy it to OUT_IMAGE (its config beside it as
 * OUT_IMAGE.config).  0, or -EIO said (the log's tail shown). */
int ktree_build(struct ktree *t, const char *config, const char *out_image, struct ktree_build_stats *st);

#endif
