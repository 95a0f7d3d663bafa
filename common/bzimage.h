/* What an x86 bzImage says about itself, read from its setup header (no unpacking). */
#ifndef LEANBOOT_BZIMAGE_H
#define LEANBOOT_BZIMAGE_H

/* The version string an x86 bzImage carries in its setup header ("6.1.0 (user@host) #1 ..."),
 * cut at the first blank. */
int bzimage_version(const char *path, char **ret_version);

#endif
