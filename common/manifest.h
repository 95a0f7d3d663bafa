/* DIR/manifest.json: what an appliance is made of.  Written by `leanboot build`, read by
 * `run`, `bench` and the no-op rebuild check. */
#ifndef LEANBOOT_MANIFEST_H
#define LEANBOOT_MANIFEST_H

#include <stdbool.h>

struct manifest {
        char *leanboot_version;
        char *init_version;
        char *inputs;          /* SHA-256 of everything the build read */
        char *kernel_version;
        char *kernel_origin;   /* "stock" or "custom" */
        char *kernel_source;   /* the kernel file it was built from */
        char *kernel_format;   /* "elf-pvh" (stored uncompressed) or "bzImage" */
        char **kernel_machines; /* the QEMU machines the kernel boots on ("pc", "microvm"; machine.h);
                                 * NULL in a manifest older than the field: "pc" */
        char *kernel_machines_why; /* why a machine is missing, from the kernel's config; or NULL */
        char **packages;       /* requested packages (supermin adds their dependencies) */
        char **modules;        /* module list the init loads, dependencies first */
        char **initrd_modules; /* what supermin's mini-initrd loads before the root is mounted */
        bool initrd_signatures_stripped; /* their appended signatures cut off (see builder/initrd.h) */
        char *initrd_virtio_keep; /* with a pre-init (init/preinit/preinit.c): virtio types bound, else NULL */
        char **hooks;          /* names under /etc/leanboot/hooks, in run order */
        char **copies;         /* "SRC:DEST" */
        char *run;             /* built-in payload (shell command) or NULL */
        bool debug;
        char *cmdline;         /* default kernel command line */
        char *root_uuid;
        long long size_kernel, size_initrd, size_root, size_root_allocated;
        double build_seconds;
        char *built_at;        /* ISO 8601, UTC: a label, never used for timing */
};

int manifest_to_json(const struct manifest *m, char **ret_text);
int manifest_from_json(const char *text, struct manifest *ret);
int manifest_load(const char *dir, struct manifest *ret);
void manifest_free(struct manifest *m);

#endif
