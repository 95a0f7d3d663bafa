#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "macro.h"
#include "strv.h"

int machine_from_string(const char *s, enum machine *ret)
{
        if (streq(s, "auto"))
                *ret = MACHINE_AUTO;
        else if (streq(s, "pc"))
                *ret = MACHINE_PC;
        else if (streq(s, "microvm"))
                *ret = MACHINE_MICROVM;
        else
                return -EINVAL;
        return 0;
}

const char *machine_name(enum machine m)
{
        return m == MACHINE_PC ? "pc" : m == MACHINE_MICROVM ? "microvm" : "auto";
}

/* The first of NAMES not set to one of the values in OK ("y", or "ym" for built in or a
 * module), or NULL when all are. */
static const char *first_unmet(const struct kconfig *c, const char *const *names, const char *ok)
{
        for (; *names; names++) {
                const char *v = kconfig_value(c, *names);
                if (strlen(v) != 1 || !strchr(ok, v[0]))
                        return *names;
        }
        return NULL;
}

unsigned kconfig_machines(const struct kconfig *c, bool modules, char **ret_why)
{
        static const char *const microvm_builtin[] = { "CONFIG_SERIAL_8250_CONSOLE", "CONFIG_VIRTIO_MMIO",
                                                       "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES", "CONFIG_VIRTIO_BLK", NULL };
        static const char *const pc_builtin[] = { "CONFIG_SERIAL_8250_CONSOLE", "CONFIG_PCI", NULL };
        static const char *const pc_virtio[] = { "CONFIG_VIRTIO_PCI", "CONFIG_VIRTIO_BLK", NULL };
        /* Without ACPI, a PCI device's INTx has no route: qboot's MP table names the ISA bus
         * only, and there is no $PIR table, so virtio-pci waits for interrupts that never come
         * (session 13: base.config without PCI_MSI gave no stage marker on pc).  MSI needs no
         * routing. */
        static const char *const pc_without_acpi[] = { "CONFIG_PCI_MSI", NULL };
        const char *no_microvm = first_unmet(c, microvm_builtin, "y");
        const char *no_pc = first_unmet(c, pc_builtin, "y");
        if (!no_pc)
                no_pc = first_unmet(c, pc_virtio, modules ? "ym" : "y");
        bool acpi = streq(kconfig_value(c, "CONFIG_ACPI"), "y");
        if (!no_pc && !acpi)
                no_pc = first_unmet(c, pc_without_acpi, "y");
        unsigned m = (no_pc ? 0 : 1u << MACHINE_PC) | (no_microvm ? 0 : 1u << MACHINE_MICROVM);
        if (ret_why) {
                char a[128] = "", b[192] = "";
                if (no_microvm)
                        snprintf(a, sizeof a, "no microvm: %s %s", no_microvm,
                                 streq(kconfig_value(c, no_microvm), "m") ? "is a module, not built in" : "is not set");
                if (no_pc)
                        snprintf(b, sizeof b, "no pc: %s %s", no_pc,
                                 streq(kconfig_value(c, no_pc), "m")        ? "is a module, and this kernel's appliances carry none"
                                 : !acpi && streq(no_pc, "CONFIG_PCI_MSI") ? "is not set, and without CONFIG_ACPI nothing routes "
                                                                              "virtio-pci's legacy interrupts"
                                                                            : "is not set");
                char *why = NULL;
                *ret_why = asprintf(&why, "%s%s%s", a, *a && *b ? "; " : "", b) < 0 ? NULL : why;
        }
        return m;
}

/* Does M's kernel boot on machine X?  A manifest older than the field: the PC machine only. */
static bool boots_on(const struct manifest *m, enum machine x)
{
        if (!m->kernel_machines)
                return x == MACHINE_PC;
        for (char **p = m->kernel_machines; *p; p++)
                if (streq(*p, machine_name(x)))
                        return true;
        return false;
}

int machine_for_manifest(const struct manifest *m, enum machine want, enum machine *ret, char **ret_why)
{
        if (want == MACHINE_AUTO) {
                *ret = boots_on(m, MACHINE_MICROVM) ? MACHINE_MICROVM : MACHINE_PC;
                return 0;
        }
        if (boots_on(m, want)) {
                *ret = want;
                return 0;
        }
        if (asprintf(ret_why, "its kernel (%s) cannot boot on %s: %s", m->kernel_version ? m->kernel_version : "?",
                     machine_name(want),
                     m->kernel_machines_why ? m->kernel_machines_why
                                            : "the appliance was built before leanboot knew machines: rebuild it with build --force") < 0)
                *ret_why = NULL;
        return -EINVAL;
}
