/* Writing the boot-time history (history.h). */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "history-db.h"
#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/paths.h"

char *history_default_path(const char *db)
{
        if (db)
                return strdup(db);
        _cleanup_free_ char *dir = user_dir("XDG_DATA_HOME", ".local/share");
        return dir ? path_join(dir, "history.db") : NULL;
}

int history_check_writable(const char *db)
{
        sqlite3 *h = NULL;
        int r = history_open(db, true, &h);
        sqlite3_close(h);
        return r;
}

/* The SHA-256 of a file (as sha256sum prints it), or NULL when it cannot be read. */
static char *file_hash(const char *path)
{
        char hex[65];
        return path && sha256_file(path, hex) == 0 ? strdup(hex) : NULL;
}

/* The kernel's config: beside a kernel leanboot built (kernel build -o DIR: DIR/config), or
 * Debian's /boot/config-VERSION for a stock kernel. */
static char *kernel_config_hash(const struct manifest *m)
{
        _cleanup_free_ char *path = NULL;
        if (m->kernel_origin && streq(m->kernel_origin, "stock") && m->kernel_version) {
                if (asprintf(&path, "/boot/config-%s", m->kernel_version) < 0)
                        return NULL;
        } else if (m->kernel_source) {
                _cleanup_free_ char *copy = strdup(m->kernel_source);
                if (!copy || asprintf(&path, "%s/config", dirname(copy)) < 0)
                        return NULL;
        }
        return file_hash(path);
}

static int insert_variant(sqlite3 *h, sqlite3_int64 id, const struct variant *v, const char *unit)
{
        struct manifest m = { 0 };
        bool have = !v->peer && manifest_load(v->appliance, &m) == 0;
        _cleanup_free_ char *mpath = path_join(v->appliance, "manifest.json");
        _cleanup_free_ char *mhash = have ? file_hash(mpath) : NULL, *chash = have ? kernel_config_hash(&m) : NULL;
        int r = db_exec_bind(h, "INSERT INTO variant (bench_id, name, appliance, machine, manifest_hash, inputs_hash, kernel, "
                                "kernel_config_hash, cmdline, boots, failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", "IttttttttIi", id,
                             v->name, v->appliance, machine_name(v->machine), mhash, have ? m.inputs : NULL, v->kernel, chash, v->cmdline, (sqlite3_int64)v->n, (int)v->failed);
        if (have)
                manifest_free(&m);
        for (int s = 0; r >= 0 && s < N_STAGES; s++) {
                if (!v->has[s])
                        continue;
                const struct summary *x = &v->sum[s];
                r = db_exec_bind(h, "INSERT INTO stage (bench_id, variant, stage, unit, n, median, mean, sd, min, max, spread_pct) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", "ItttIdddddd", id,
                                 v->name, stage_names[s], unit, (sqlite3_int64)x->n, x->median, x->mean, x->sd, x->min, x->max, x->spread);
        }
        return r;
}

static int insert_bench(sqlite3 *h, const char *label, const struct report *rp, sqlite3_int64 *ret_id)
{
        char when[32], host[256] = "";
        time_t now = time(NULL);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        (void)gethostname(host, sizeof host - 1);
        int r = db_exec_bind(h, "INSERT INTO bench (recorded_at, label, host, cpu, qemu, accel, clock, runs, leanboot_version) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", "tttttttit", when, label, host, rp->cpu, rp->qemu,
                             accel_name(rp->accel->accel), guest_clock_name(rp->accel->clock), rp->q->runs, PACKAGE_VERSION);
        if (r >= 0)
                *ret_id = sqlite3_last_insert_rowid(h);
        return r;
}

int history_record(const char *db, const char *label, const struct report *rp)
{
        sqlite3 *h = NULL;
        int r = history_open(db, true, &h);
        if (r < 0) {
                sqlite3_close(h);
                return r;
        }
        /* IMMEDIATE: the write lock is taken now, so a second bench recording at the same time
         * waits here (busy timeout) rather than failing halfway through its inserts. */
        r = db_exec(h, "BEGIN IMMEDIATE");
        sqlite3_int64 id = 0;
        r = r ?: insert_bench(h, label, rp, &id);
        const char *unit = guest_clock_unit(rp->accel->clock);
        for (size_t i = 0; r >= 0 && i < rp->nv; i++)
                r = insert_variant(h, id, &rp->v[i], unit);
        for (int s = 0; r >= 0 && rp->nv == 2 && s < N_STAGES; s++) {
                if (!rp->verdict[s])
                        continue;
                const struct comparison *c = &rp->cmp[s];
                r = db_exec_bind(h, "INSERT INTO comparison (bench_id, stage, ratio, diff, ci_lo, ci_hi, p_value, effect_pct, verdict) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", "Itddddddt", id,
                                 stage_names[s], c->ratio, c->diff, c->ci_lo, c->ci_hi, c->p_value, c->effect_pct, rp->verdict[s]);
        }
        r = r ?: db_exec(h, "COMMIT");
        if (r < 0) {
                log_error("history: cannot record the bench in %s: %s", sqlite3_db_filename(h, "main"), sqlite3_errmsg(h));
                (void)sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        } else
                printf("history: recorded as bench %lld in %s\n", (long long)id, sqlite3_db_filename(h, "main"));
        sqlite3_close(h);
        return r;
}
