/* Which QEMU machines a kernel boots on (common/machine.h), from real .config files of the
 * cut-down kernel (base.config, and base.config + microvm.config), and the choice for a manifest;
 * what leanboot's guest needs of a kernel besides (common/guest-needs.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "common/guest-needs.h"
#include "common/machine.h"
#include "common/macro.h"

static int load(const char *name, struct kconfig *c)
{
        const char *dir = getenv("FIXTURES");
        char path[512];
        snprintf(path, sizeof path, "%s/dotconfig/%s", dir ? dir : "tests/fixtures", name);
        *c = (struct kconfig){ 0 };
        return kconfig_load(path, c, NULL);
}

#define PC (1u << MACHINE_PC)
#define MICROVM (1u << MACHINE_MICROVM)

static void test_configs(void)
{
        struct kconfig c;
        char *why = NULL;
        CHECK(load("cutdown-base-6.1.192.config", &c) == 0, "base.config's .config read");
        CHECK(kconfig_machines(&c, false, &why) == (PC | MICROVM) && why && !*why, "base.config: pc and microvm ('%s')", why);
        free(why);
        /* virtio-blk as a module: the PC machine only where the appliance carries modules. */
        CHECK(kconfig_parse("CONFIG_VIRTIO_BLK=m\n", "edit", &c, NULL) == 0, "edited");
        CHECK(kconfig_machines(&c, true, &why) == PC && strstr(why, "no microvm: CONFIG_VIRTIO_BLK is a module"),
              "virtio-blk=m with modules: pc only (%s)", why);
        free(why);
        CHECK(kconfig_machines(&c, false, &why) == 0 && strstr(why, "no pc: CONFIG_VIRTIO_BLK is a module"),
              "virtio-blk=m without modules: neither (%s)", why);
        free(why);
        kconfig_free(&c);

        /* No MSI: the PC machine only where ACPI routes the legacy interrupts. */
        CHECK(load("cutdown-base-6.1.192.config", &c) == 0, "base.config's .config read again");
        CHECK(kconfig_parse("# CONFIG_PCI_MSI is not set\n", "edit", &c, NULL) == 0, "edited");
        CHECK(kconfig_machines(&c, false, &why) == MICROVM && strstr(why, "no pc: CONFIG_PCI_MSI is not set, and without CONFIG_ACPI"),
              "no PCI_MSI, no ACPI: microvm only (%s)", why);
        free(why);
        CHECK(kconfig_parse("CONFIG_ACPI=y\n", "edit", &c, NULL) == 0, "edited");
        CHECK(kconfig_machines(&c, false, &why) == (PC | MICROVM), "no PCI_MSI, ACPI: pc and microvm (%s)", why);
        free(why);
        kconfig_free(&c);

        CHECK(load("cutdown-microvm-6.1.192.config", &c) == 0, "base.config + microvm.config's .config read");
        CHECK(kconfig_machines(&c, false, &why) == MICROVM && streq(why, "no pc: CONFIG_PCI is not set"),
              "microvm.config: microvm only (%s)", why);
        free(why);
        /* No serial console built in: neither machine (the host reads the init's markers there). */
        CHECK(kconfig_parse("# CONFIG_SERIAL_8250_CONSOLE is not set\n", "edit", &c, NULL) == 0, "edited");
        CHECK(kconfig_machines(&c, true, NULL) == 0, "no serial console: no machine");
        kconfig_free(&c);
}

static void test_guest_needs(void)
{
        struct kconfig c;
        const char *why = NULL;
        CHECK(load("cutdown-base-6.1.192.config", &c) == 0, "base.config's .config read");
        CHECK(!kconfig_guest_lacks(&c, &why), "base.config has what the init and the measure need");
        static const char *const edits[][2] = {
                { "# CONFIG_SYSFS is not set\n", "CONFIG_SYSFS" },
                { "CONFIG_DEVTMPFS=n\n", "CONFIG_DEVTMPFS" },
                { "# CONFIG_PRINTK is not set\n", "CONFIG_PRINTK" },
                { "CONFIG_KALLSYMS=m\n", "CONFIG_KALLSYMS" },
                { "# CONFIG_TMPFS is not set\n", "CONFIG_TMPFS" },
                { "# CONFIG_SIGNALFD is not set\n", "CONFIG_SIGNALFD" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
                struct kconfig e;
                CHECK(load("cutdown-base-6.1.192.config", &e) == 0 && kconfig_parse(edits[i][0], "edit", &e, NULL) == 0, "edited");
                const char *got = kconfig_guest_lacks(&e, &why);
                CHECK(got && streq(got, edits[i][1]) && why && *why, "without %s: it is named (%s: %s)", edits[i][1],
                      got ? got : "none", got ? why : "");
                kconfig_free(&e);
        }
        struct kconfig e;
        CHECK(load("cutdown-base-6.1.192.config", &e) == 0 && kconfig_parse("# CONFIG_SYSFS is not set\n", "edit", &e, NULL) == 0,
              "edited");
        CHECK(streq(kconfig_guest_lacks(&e, &why) ?: "", "CONFIG_SYSFS") && streq(why, "the init mounts sysfs on /sys"),
              "a mount's option says which mount (%s)", why);
        kconfig_free(&e);
        kconfig_free(&c);
}

static void test_manifest(void)
{
        char *pc_only[] = { "pc", NULL }, *both[] = { "pc", "microvm", NULL };
        struct manifest m = { .kernel_version = "6.1.192", .kernel_machines = both };
        enum machine got = MACHINE_AUTO;
        char *why = NULL;
        CHECK(machine_for_manifest(&m, MACHINE_AUTO, &got, &why) == 0 && got == MACHINE_MICROVM, "auto: microvm when it can");
        CHECK(machine_for_manifest(&m, MACHINE_PC, &got, &why) == 0 && got == MACHINE_PC, "pc when asked");
        m.kernel_machines = pc_only;
        m.kernel_machines_why = "no microvm: CONFIG_VIRTIO_MMIO is a module, not built in";
        CHECK(machine_for_manifest(&m, MACHINE_AUTO, &got, &why) == 0 && got == MACHINE_PC, "auto: pc when microvm cannot");
        got = MACHINE_AUTO;
        CHECK(machine_for_manifest(&m, MACHINE_MICROVM, &got, &why) == -EINVAL && got == MACHINE_AUTO && why &&
                      strstr(why, "cannot boot on microvm: no microvm: CONFIG_VIRTIO_MMIO is a module"),
              "microvm refused with the kernel's reason, *ret untouched (%s)", why);
        free(why);
        why = NULL;
        /* A manifest from before machines were recorded: the PC machine, and a rebuild to learn more. */
        struct manifest old = { .kernel_version = "6.1.192" };
        CHECK(machine_for_manifest(&old, MACHINE_AUTO, &got, &why) == 0 && got == MACHINE_PC, "old manifest: pc");
        CHECK(machine_for_manifest(&old, MACHINE_MICROVM, &got, &why) == -EINVAL && why && strstr(why, "build --force"),
              "old manifest on microvm: rebuild it (%s)", why);
        free(why);
}

static void test_names(void)
{
        static const char *const names[] = { "auto", "pc", "microvm" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                enum machine m;
                CHECK(machine_from_string(names[i], &m) == 0 && streq(machine_name(m), names[i]), "%s round-trips", names[i]);
        }
        enum machine m = MACHINE_PC;
        CHECK(machine_from_string("q35", &m) == -EINVAL && m == MACHINE_PC, "q35 is refused, untouched");
}

int main(void)
{
        test_configs();
        test_guest_needs();
        test_manifest();
        test_names();
        return tap_done();
}
