#ifndef LEANBOOT_ANALYZE_H
#define LEANBOOT_ANALYZE_H
#include "initcall.h"
int cmd_analyze(int argc, char **argv);
/* The `analyze --json` document. */
int analyze_write_json(const struct initcall_log *l, const char *path);
#endif
