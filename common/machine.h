/* The QEMU machines a leanboot appliance boots on, and which of them a kernel can use.
 *
 * pc: the i440fx PC with SeaBIOS and virtio over PCI, what every kernel QEMU boots knows.
 * microvm: QEMU's machine without PCI or ACPI (Firecracker's idea): virtio over MMIO, named on
 *   the kernel command line, ISA UARTs and isa-debug-exit, a minimal firmware (qboot).  Less to
 *   emulate and less for the kernel to probe.
 * The builder records which machines an appliance's kernel boots on (manifest.json,
 * kernel.machines), from the kernel's config; `run` and `bench` pick from that. */
#ifndef LEANBOOT_MACHINE_H
#define LEANBOOT_MACHINE_H

#include <stdbool.h>

#include "kconfig.h"
#include "manifest.h"

enum machine { MACHINE_AUTO, MACHINE_PC, MACHINE_MICROVM };

/* "auto", "pc" or "microvm"; -EINVAL otherwise. */
int machine_from_string(const char *s, enum machine *ret);
const char *machine_name(enum machine m);

/* Bits (1 << MACHINE_PC, 1 << MACHINE_MICROVM) of the machines a kernel with config C boots an
 * appliance on.  Both: the 8250 console built in.  pc: PCI, and virtio-pci and virtio-blk, which
 * may be modules when the appliance carries them (MODULES: a stock kernel, whose mini-initrd
 * loads them before the root is mounted).  microvm: virtio-mmio with command-line devices and
 * virtio-blk built in (leanboot's initrd does not carry virtio-mmio: the root could not be
 * found).  *ret_why (may be NULL) says, for each machine missing, the first option that rules
 * it out (malloc'd, "" when both). */
unsigned kconfig_machines(const struct kconfig *c, bool modules, char **ret_why);

/* The machine to boot the appliance of manifest M on, for WANT: auto picks microvm when its
 * kernel boots there, else pc.  A machine its kernel cannot boot on: -EINVAL, with
 * *ret_why saying why (malloc'd). */
int machine_for_manifest(const struct manifest *m, enum machine want, enum machine *ret, char **ret_why);

#endif
