#ifndef LEANBOOT_ANALYZE_H
#define LEANBOOT_ANALYZE_H
#include "../common/initcall.h"
int cmd_analyze(int argc, char **argv);
#endif
