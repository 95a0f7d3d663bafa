/* What `leanboot build` was asked (struct build_opts) and what it will do (struct build_plan):
 * packages, kernel, modules and the init's binaries decided and checked before anything is
 * built, and the hash of every input (plan.c). */
#ifndef LEANBOOT_PLAN_H
#define LEANBOOT_PLAN_H

#include <stdbool.h>

#include "modlist.h"
#include "../common/contract.h"

/* The virtio device types a libguestfs appliance has drivers for: net (guestfs_network=1), block,
 * console (guestfsd's channel) and SCSI (libguestfs's disks); see init/preinit/preinit.c. */
#define LIBGUESTFS_VIRTIO_KEEP "1 2 3 8"

struct build_opts {
        const char *output;   /* -o DIR */
        const char *kernel;   /* --kernel stock|PATH */
        char **packages;      /* -p PKG (added to the defaults) */
        char **copies;        /* --copy SRC:DEST */
        char **hooks;         /* --hook FILE */
        char **modules;       /* --module NAME */
        const char *run;      /* --run 'CMD' */
        bool debug;           /* --debug */
        bool force;           /* --force: rebuild even when nothing changed */
        bool bzimage;         /* --bzimage: keep the kernel compressed */
        bool keep_signatures; /* --keep-module-signatures: initrd modules as the distro signed them */
        const char *from_smd; /* --from-supermin-d DIR (or "libguestfs": the installed one) */
        const char *like;     /* --like DIR: DIR's initrd, root and command line, with --kernel */
};

/* Everything the build decided before running supermin. */
struct build_plan {
        enum appliance_profile profile; /* libguestfs with --from-supermin-d */
        char **packages;
        char *kernel_path, *kernel_version;
        const char *kernel_origin;
        char **kernel_machines;   /* the QEMU machines it boots on (common/machine.h), from its config */
        char *kernel_machines_why; /* why one is missing, or NULL */
        char *moddir;   /* /lib/modules/VERSION, or an empty directory for a custom kernel */
        struct modlist modules;
        struct modlist initrd_modules;  /* what stays in supermin's mini-initrd (stock kernel) */
        struct modlist network_modules; /* loaded by the libguestfs profile when guestfs_network=1 */
        char *init_path;
        char *udev_wait_path; /* leanboot-udev-wait.so beside the init, or NULL */
        char *preinit_path;   /* leanboot-preinit beside the init (libguestfs profile), or NULL */
        char *smd;      /* the supermin.d we start from, or NULL for supermin --prepare */
        char inputs[65];
};

/* Decide and check everything; 0, or -errno with the error logged. */
int plan_validate(const struct build_opts *o, struct build_plan *p);
/* p->inputs: the SHA-256 of everything the build reads (equal: a rebuild changes nothing). */
int plan_compute_inputs(const struct build_opts *o, struct build_plan *p);
void plan_free(struct build_plan *p);
/* --copy SRC:DEST, split (DEST absolute). */
int split_copy(const char *spec, char **ret_src, char **ret_dest);
/* The supermin.d tarball (DIR/TARNAME, or any) that holds MEMBER, malloc'd; NULL if none. */
char *smd_tarball_with(const char *dir, const char *tarname, const char *member);

#endif
