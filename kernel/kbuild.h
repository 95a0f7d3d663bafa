/* leanboot kernel: build and check cut-down kernels (kbuild.c); what the tailor (tailor.c) shares
 * of it: make in a tree, the source, the shipped fragments. */
#ifndef LEANBOOT_KBUILD_H
#define LEANBOOT_KBUILD_H

#include <stddef.h>

int cmd_kernel(int argc, char **argv);

/* One make in a kernel source tree. */
struct kmake {
        const char *tree;  /* the source */
        const char *obj;   /* kbuild's O= directory */
        const char *log;   /* every line of make's output is appended here */
        int jobs;
        char *const *vars; /* extra make variables ("CC=ccache gcc"), or NULL */
        char **env;        /* extra environment ("CCACHE_PREFIX=distcc"), or NULL */
};
/* Run make TARGETS.  With PROGRESS, the objects compiled so far are counted against EXPECT (0:
 * unknown; common/progress.h: a terminal line, or a plain line every few seconds in a log);
 * *ret_objects (may be NULL) gets the count.  make's exit status, or -errno. */
int kbuild_make(const struct kmake *m, char *const *targets, const char *progress, size_t expect, size_t *ret_objects);
/* allnoconfig or tinyconfig (BASE), the fragments merged with the kernel's merge_config.sh, then
 * olddefconfig: OBJ/.config.  0, or the failing step's status. */
int kbuild_configure(const char *tree, const char *obj, const char *logp, const char *base, char *const *frags, int jobs);
/* FRAGS (paths) merged into OBJ/.config by the kernel's merge_config.sh (merge only: -m, no
 * olddefconfig); its output appended to LOGP.  0 (nothing to merge too), or its status. */
int kbuild_merge_fragments(const char *tree, const char *obj, const char *logp, char *const *frags);
/* The last LINES lines of a build log, on stderr. */
void kbuild_show_log_tail(const char *logpath, int lines);
/* The kernel source tree of SOURCE (a tarball, unpacked once into the cache, or a tree; NULL:
 * Debian's linux-source), and a key naming that source.  0, or -errno said. */
int kbuild_source_tree(const char *source, char **ret_tree, char ret_srckey[65]);
/* "net" or "net.config": the shipped fragment; a path: itself (absolute).  malloc'd. */
char *kbuild_fragment_path(const char *name);

#endif
