/* Directories the cache keeps one of per key and reuses (the tailor's build trees and runs): each
 * has a lock file beside it (DIR.lock) that its user holds, and its modification time says when it
 * was used last, so that the least recently used can go when there are too many, but never one
 * in use.  A prune removes the lock file with its directory, holding it; a user who was waiting
 * on that file sees it is no longer the one at DIR.lock and locks the new one. */
#ifndef LEANBOOT_CACHEDIR_H
#define LEANBOOT_CACHEDIR_H

#include <stddef.h>

/* Holds DIR.lock, waiting (and saying so once, naming WHAT: "tailor tree") while another holds
 * it: the lock's fd, closed to let go, or -errno. */
int cachedir_lock(const char *dir, const char *what);

/* Marks DIR used now: cachedir_prune's order. */
void cachedir_mark_used(const char *dir);

/* Removes PARENT's directories named PREFIX* but the KEEP used last, leaving any whose lock is
 * held or that was used after the listing; each removal logged with WHAT ("tailor tree").  Best
 * effort: what cannot be listed or removed stays (a failed removal with a warning). */
void cachedir_prune(const char *parent, const char *prefix, size_t keep, const char *what);

#endif
