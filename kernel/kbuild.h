/* leanboot kernel: build and check cut-down kernels (kbuild.c). */
#ifndef LEANBOOT_KBUILD_H
#define LEANBOOT_KBUILD_H
int cmd_kernel(int argc, char **argv);
#endif
