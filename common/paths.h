/* Where leanboot keeps what it can make again: kernels, appliances, host verdicts. */
#ifndef LEANBOOT_PATHS_H
#define LEANBOOT_PATHS_H

/* $LEANBOOT_CACHE_DIR, else $XDG_CACHE_HOME/leanboot, else ~/.cache/leanboot (malloc'd). */
char *leanboot_cache_dir(void);

#endif
