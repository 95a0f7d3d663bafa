#ifndef LEANBOOT_BUILDER_H
#define LEANBOOT_BUILDER_H
int cmd_build(int argc, char **argv);
#endif
