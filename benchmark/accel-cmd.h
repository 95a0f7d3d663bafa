#ifndef LEANBOOT_ACCEL_CMD_H
#define LEANBOOT_ACCEL_CMD_H
int cmd_accel(int argc, char **argv);
#endif
