#ifndef LEANBOOT_DEMO_H
#define LEANBOOT_DEMO_H
int cmd_demo(int argc, char **argv);
#endif
