#ifndef LEANBOOT_KERNEL_CMD_H
#define LEANBOOT_KERNEL_CMD_H
int cmd_kernel(int argc, char **argv);
#endif
