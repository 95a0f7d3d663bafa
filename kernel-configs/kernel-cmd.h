#ifndef LEANBOOT_KERNEL_CMD_H
#define LEANBOOT_KERNEL_CMD_H
int cmd_kernel(int argc, char **argv);
/* $LEANBOOT_CACHE_DIR, else $XDG_CACHE_HOME/leanboot, else ~/.cache/leanboot (malloc'd). */
char *leanboot_cache_dir(void);
#endif
