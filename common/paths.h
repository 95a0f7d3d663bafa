/* Where leanboot keeps what it can make again: kernels, appliances, host verdicts. */
#ifndef LEANBOOT_PATHS_H
#define LEANBOOT_PATHS_H

/* $LEANBOOT_CACHE_DIR, else $XDG_CACHE_HOME/leanboot, else ~/.cache/leanboot, with ~ from HOME or
 * the password database (malloc'd); NULL with errno ENOENT when there is no home: never /tmp. */
char *leanboot_cache_dir(void);
/* $XDG_NAME/leanboot, else ~/UNDER_HOME/leanboot (~ as for the cache: never /tmp); NULL with
 * errno ENOENT when there is no home.  ("XDG_DATA_HOME", ".local/share") is the history's. */
char *user_dir(const char *xdg_name, const char *under_home);

/* Where a file leanboot ships is: $ENV_NAME when set; else BUILD_REL beside this executable (a
 * build tree) when that holds PROBE (a name inside it, or NULL for BUILD_REL itself); else
 * INSTALLED's place relative to this executable as the install laid them out (bindir to
 * INSTALLED: a relocated install) when that holds PROBE; else INSTALLED (configure's install
 * path).  malloc'd; NULL on ENOMEM. */
/* The relative path from directory FROM to TO, both absolute and without ".." ("/usr/local/bin"
 * to "/usr/local/libexec/leanboot/x" is "../libexec/leanboot/x"); malloc'd; NULL when either is
 * not such a path, or on ENOMEM. */
char *path_relative(const char *from, const char *to);

char *shipped_path(const char *env_name, const char *build_rel, const char *probe, const char *installed);

#endif
