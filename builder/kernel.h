/* Which kernel an appliance boots. */
#ifndef LEANBOOT_BUILDER_KERNEL_H
#define LEANBOOT_BUILDER_KERNEL_H

/* The host distro kernel, chosen as supermin would: the running kernel's version when its
 * image and modules are installed, else the newest /boot/vmlinuz-* with /lib/modules. */
int pick_stock_kernel(char **ret_path, char **ret_version);

#endif
