/* leanboot-preinit: the first /init of a libguestfs appliance's mini-initrd on a modular kernel.
 *
 * It runs before supermin's mini-init (kept in the initrd as /init.supermin), which then loads
 * the initrd's modules, virtio_pci among them, and mounts the root.  virtio_pci binds every
 * virtio PCI device, and binding one enables it: on a kernel with ACPI, that evaluates the PCI
 * root's _PRT, which QEMU's i440fx DSDT builds in an AML loop of 128 entries, on every call:
 * about 115 ms a device under TCG.  libguestfs gives its guest a virtio-rng device, for which
 * the appliance has no driver (the kernel's RNG is seeded without it), so binding it buys
 * nothing.  This program marks every virtio PCI device whose type is not listed in
 * /leanboot-virtio-keep (written by the builder: the types the appliance has drivers for) with
 * a driver_override that no driver matches, so virtio_pci leaves it alone; then it execs
 * supermin's init.  A kernel with virtio_pci built in has bound them all before /init runs,
 * and this changes nothing.  Any failure is reported and supermin's init runs anyway. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep-list.h"
#include "../../common/contract.h"
#include "../../common/fileio.h"
#include "../../common/macro.h"

#define SUPERMIN_INIT INITRD_SUPERMIN_INIT
#define KEEP_FILE INITRD_VIRTIO_KEEP
#define PCI_DEVICES "/sys/bus/pci/devices"
#define VIRTIO_VENDOR 0x1af4
/* A name no driver has: the device stays unbound.  Readable in sysfs for whoever looks. */
#define NO_DRIVER "leanboot-unused"

static unsigned long read_hex(const char *dir, const char *attr)
{
        char p[512];
        _cleanup_free_ char *s = NULL;
        snprintf(p, sizeof p, "%s/%s", dir, attr);
        if (read_full_file(p, &s, NULL) < 0)
                return ~0UL;
        return strtoul(s, NULL, 16);
}

/* The virtio device type of a virtio PCI function, or -1: modern IDs are 0x1040 + type,
 * transitional ones (0x1000-0x103f) carry the type in the subsystem device ID. */
static int virtio_type(const char *dir)
{
        if (read_hex(dir, "vendor") != VIRTIO_VENDOR)
                return -1;
        unsigned long dev = read_hex(dir, "device");
        if (dev >= 0x1040 && dev <= 0x107f)
                return (int)(dev - 0x1040);
        if (dev >= 0x1000 && dev <= 0x103f) {
                unsigned long sub = read_hex(dir, "subsystem_device");
                return sub == ~0UL ? -1 : (int)sub;
        }
        return -1;
}

static void override_unused_devices(uint64_t keep)
{
        _cleanup_closedir_ DIR *d = opendir(PCI_DEVICES);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char dir[300], p[400];
                snprintf(dir, sizeof dir, "%s/%s", PCI_DEVICES, e->d_name);
                int type = virtio_type(dir);
                if (type < 0 || (type < 64 && (keep & (UINT64_C(1) << type))))
                        continue;
                snprintf(p, sizeof p, "%s/driver_override", dir);
                _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write_full(fd, NO_DRIVER "\n", sizeof NO_DRIVER) < 0)
                        fprintf(stderr, "leanboot-preinit: cannot leave %s unbound\n", e->d_name);
        }
}

static void leave_unused_devices_unbound(void)
{
        _cleanup_free_ char *keep = NULL;
        if (read_full_file(KEEP_FILE, &keep, NULL) < 0)
                return; /* no list: bind everything, as supermin does */
        (void)mkdir("/sys", 0755);
        if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
                fprintf(stderr, "leanboot-preinit: cannot mount /sys: %s\n", strerror(errno));
                return;
        }
        override_unused_devices(virtio_keep_parse(keep));
        /* supermin's init mounts /sys itself (EBUSY if it is still mounted) and unmounts it. */
        if (umount("/sys") < 0)
                fprintf(stderr, "leanboot-preinit: cannot unmount /sys: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
        (void)argc;
        if (getpid() != 1) {
                fprintf(stderr, "leanboot-preinit: must run as the initrd's /init (PID 1)\n");
                return 1;
        }
        leave_unused_devices_unbound();
        char *init_argv[] = { argv[0], NULL };
        execv(SUPERMIN_INIT, init_argv);
        /* PID 1 returning panics the kernel, which under libguestfs (panic=1, -no-reboot) ends
         * the guest with this message on its console: the same end as a failing mini-init. */
        fprintf(stderr, "leanboot-preinit: cannot run %s: %s\n", SUPERMIN_INIT, strerror(errno));
        return 1;
}
