#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "history-db.h"
#include "../common/fileio.h"
#include "../common/log.h"

/* A bench records in well under a second; a minute covers any queue of them. */
#define BUSY_TIMEOUT_MS 60000

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, label TEXT,"
        "  host TEXT, cpu TEXT, qemu TEXT, accel TEXT NOT NULL, clock TEXT NOT NULL, runs INTEGER NOT NULL,"
        "  leanboot_version TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS variant (bench_id INTEGER NOT NULL REFERENCES bench(id), name TEXT NOT NULL,"
        "  appliance TEXT, machine TEXT, manifest_hash TEXT, inputs_hash TEXT, kernel TEXT, kernel_config_hash TEXT, cmdline TEXT,"
        "  boots INTEGER NOT NULL, failed INTEGER NOT NULL, PRIMARY KEY (bench_id, name));"
        "CREATE TABLE IF NOT EXISTS stage (bench_id INTEGER NOT NULL REFERENCES bench(id), variant TEXT NOT NULL,"
        "  stage TEXT NOT NULL, unit TEXT NOT NULL, n INTEGER NOT NULL, median REAL, mean REAL, sd REAL, min REAL,"
        "  max REAL, spread_pct REAL, PRIMARY KEY (bench_id, variant, stage));"
        "CREATE TABLE IF NOT EXISTS comparison (bench_id INTEGER NOT NULL REFERENCES bench(id), stage TEXT NOT NULL,"
        "  ratio REAL, diff REAL, ci_lo REAL, ci_hi REAL, p_value REAL, effect_pct REAL, verdict TEXT,"
        "  PRIMARY KEY (bench_id, stage));";

int db_exec(sqlite3 *h, const char *sql)
{
        return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int db_exec_bind(sqlite3 *h, const char *sql, const char *types, ...)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
                return -EIO;
        va_list ap;
        va_start(ap, types);
        int rc = SQLITE_OK;
        for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
                if (types[i] == 't') {
                        const char *t = va_arg(ap, const char *);
                        rc = t ? sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
                } else if (types[i] == 'i')
                        rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
                else if (types[i] == 'I')
                        rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, sqlite3_int64));
                else {
                        double d = va_arg(ap, double);
                        rc = isnan(d) ? sqlite3_bind_null(st, i + 1) : sqlite3_bind_double(st, i + 1, d);
                }
        }
        va_end(ap);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? 0 : -EIO;
}

/* The schema version DB says it has; 0 for an empty database (a new one); -EINVAL for one that
 * holds tables but no leanboot schema version (someone else's); -EIO when it cannot be read. */
static int schema_version(sqlite3 *h)
{
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
        if (rc != SQLITE_OK) {
                sqlite3_finalize(st);
                if (!strstr(sqlite3_errmsg(h), "no such table"))
                        return -EIO;
                if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
                    sqlite3_step(st) != SQLITE_ROW) {
                        sqlite3_finalize(st);
                        return -EIO;
                }
                int tables = sqlite3_column_int(st, 0);
                sqlite3_finalize(st);
                return tables == 0 ? 0 : -EINVAL;
        }
        rc = sqlite3_step(st);
        int v = rc == SQLITE_ROW ? atoi((const char *)sqlite3_column_text(st, 0)) : rc == SQLITE_DONE ? -EINVAL : -EIO;
        sqlite3_finalize(st);
        return v == 0 ? -EINVAL : v;
}

/* The one line for a version that will not do; v is schema_version's. */
static int refuse_version(sqlite3 *h, const char *path, int v)
{
        if (v == -EINVAL)
                return log_error_status(-EINVAL, "history: %s is not a leanboot history database", path);
        if (v < 0)
                return log_error_status(-EIO, "history: %s: %s", path, sqlite3_errmsg(h));
        return log_error_status(-EPROTONOSUPPORT, "history: %s has schema version %d, newer than this leanboot's %d", path, v,
                                HISTORY_SCHEMA_VERSION);
}

/* Under the write lock, so that two first writers do not both create it; the version is read
 * before anything is written, so a database this leanboot does not understand is left alone. */
static int ensure_schema(sqlite3 *h, const char *path)
{
        if (db_exec(h, "BEGIN IMMEDIATE") < 0)
                return log_error_status(-EIO, "history: %s: %s", path, sqlite3_errmsg(h));
        int v = schema_version(h), r = 0;
        if (v < 0 || v > HISTORY_SCHEMA_VERSION)
                r = refuse_version(h, path, v);
        else if (v == 0) {
                r = db_exec(h, schema);
                r = r ?: db_exec_bind(h, "INSERT INTO meta VALUES ('schema_version', ?1)", "i", HISTORY_SCHEMA_VERSION);
                if (r < 0)
                        log_error("history: %s: %s", path, sqlite3_errmsg(h));
        }
        if (r < 0) {
                (void)sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        if (db_exec(h, "COMMIT") < 0)
                return log_error_status(-EIO, "history: %s: %s", path, sqlite3_errmsg(h));
        return 0;
}

int history_open(const char *db, bool write, sqlite3 **ret)
{
        *ret = NULL;
        _cleanup_free_ char *path = history_default_path(db);
        if (!path)
                return errno == ENOENT ? log_error_status(-ENOENT, "history: no home directory for the history "
                                                                   "(set XDG_DATA_HOME or name a database)")
                                       : log_error_errno(-ENOMEM, "history");
        if (write) {
                _cleanup_free_ char *dir = strdup(path);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash && slash != dir) {
                        *slash = '\0';
                        int r = mkdir_p(dir, 0755);
                        if (r < 0)
                                return log_error_errno(r, "history: cannot create %s", dir);
                }
        } else if (access(path, R_OK) < 0)
                return log_error_errno(-errno, "history: %s (record a bench into it with bench --record)", path);
        int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        int rc = sqlite3_open_v2(path, ret, flags, NULL);
        if (rc != SQLITE_OK)
                return log_error_status(-EIO, "history: cannot open %s: %s", path, *ret ? sqlite3_errmsg(*ret) : sqlite3_errstr(rc));
        sqlite3_busy_timeout(*ret, BUSY_TIMEOUT_MS);
        if (write)
                return ensure_schema(*ret, path);
        int v = schema_version(*ret);
        return v > 0 && v <= HISTORY_SCHEMA_VERSION ? 0 : refuse_version(*ret, path, v == 0 ? -EINVAL : v);
}
