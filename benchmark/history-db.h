/* The history database's plumbing (history-db.c): opening it with its schema, and statements
 * with bound values, for the writer (history.c) and the reader (history-cmd.c). */
#ifndef LEANBOOT_HISTORY_DB_H
#define LEANBOOT_HISTORY_DB_H

#include <stdbool.h>
#include <sqlite3.h>

/* Open DB (NULL: the default), waiting up to a minute for another writer.  write: create it
 * (and its directory) with the schema when absent; else it must exist.  A schema newer than
 * this leanboot's is refused.  0, or -errno with the reason logged; *ret is set either way
 * (sqlite3_close it). */
int history_open(const char *db, bool write, sqlite3 **ret);
/* Run SQL without results: 0 or -EIO. */
int db_exec(sqlite3 *h, const char *sql);
/* Run one statement with values bound from TYPES: 't' text (NULL allowed), 'i' int,
 * 'I' sqlite3_int64, 'd' double (NaN is stored as NULL).  0 or -EIO. */
int db_exec_bind(sqlite3 *h, const char *sql, const char *types, ...);

#endif
