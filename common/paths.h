/* Where leanboot keeps what it can make again: kernels, appliances, host verdicts. */
#ifndef LEANBOOT_PATHS_H
#define LEANBOOT_PATHS_H

/* $LEANBOOT_CACHE_DIR, else $XDG_CACHE_HOME/leanboot, else ~/.cache/leanboot, with ~ from HOME or
 * the password database (malloc'd); NULL with errno ENOENT when there is no home: never /tmp. */
char *leanboot_cache_dir(void);

/* Where a file leanboot ships is: $ENV_NAME when set; else BUILD_REL beside this executable (a
 * build tree) when that holds PROBE (a name inside it, or NULL for BUILD_REL itself); else
 * INSTALLED (configure's install path).  malloc'd; NULL on ENOMEM. */
char *shipped_path(const char *env_name, const char *build_rel, const char *probe, const char *installed);

#endif
