/* Which Kconfig options build an object: kbuild's own Makefiles read as kbuild reads them
 * (obj-$(CONFIG_X) += name.o, composite objects name-y / name-objs / name-$(CONFIG_Y) += part.o,
 * directories obj-$(CONFIG_Z) += dir/, and ifdef/ifeq blocks on CONFIG_ options), from the
 * object's directory up to the top of the tree.  With objsyms.h this maps an initcall to the
 * options that put it in the kernel, exactly for this source. */
#ifndef LEANBOOT_KMAKEFILE_H
#define LEANBOOT_KMAKEFILE_H

/* The CONFIG_ options kbuild needs for OBJ ("drivers/virtio/virtio_pci_common.o", relative to
 * SRCDIR): innermost first (the option that names the object, then those of the composite object
 * and the directories above), each once.  An empty list: built whatever the configuration (obj-y
 * all the way up).  0 with *ret set (a strv, possibly NULL), -ENOENT when no Makefile up the tree
 * names OBJ, or another -errno. */
int kmakefile_object_options(const char *srcdir, const char *obj, char ***ret);

/* The CONFIG_ options OBJ's compile tested, in the kbuild output tree TREE: fixdep's
 * "$(wildcard include/config/X)" lines in OBJ's .cmd file, for its source and every header it
 * included (CONFIG_SERIAL_8250_DETECT_IRQ for 8250_core.o, through asm/serial.h).  What changes
 * an object without removing it.  0 with *ret (a strv of "CONFIG_X", possibly NULL), or -errno
 * (-ENOENT: not built in TREE). */
int kbuild_object_tested(const char *tree, const char *obj, char ***ret);

#endif
