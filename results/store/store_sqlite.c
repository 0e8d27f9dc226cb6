/* core/store_sqlite.c — the SQLite engine of the result store (default:
 * embedded, one file, no server). */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_backend.h"

enum { SQ_CACHE = 16 };

typedef struct sq_db {
    sqlite3 *db;
    char path[1024];
    /* The file opened, to notice it being deleted or replaced under us
     * (SQLite would go on writing into the unlinked inode). */
    dev_t dev;
    ino_t ino;
    int watch;
    /* Busy handling: how long one statement waits for another process's
     * lock (ms; < 0 = as long as it takes), and the current wait. */
    int wait_ms;
    int64_t waited_ms;
    int64_t next_note_ms;
    /* Prepared statements by SQL text: a run inserts the same few
     * statements thousands of times. */
    struct { char *sql; sqlite3_stmt *st; int busy; } cache[SQ_CACHE];
    int next;
} sq_db;

/* The directory part of `path` must exist: a store never creates
 * directories behind the user's back (a typo would scatter databases). */
static int sq_check_parent(const char *path, neurio_errbuf *err)
{
    char buf[1024];
    struct stat st;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "store path too long: '%s'", path);
    char *slash = strrchr(buf, '/');
    if (!slash)
        return 0;
    if (slash == buf)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "store sqlite:%s: the directory %s does not exist; create it "
                           "first (the store creates no directories) or fix output.store",
                           path, buf);
    return 0;
}

static int64_t sq_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Another process holds the database: back off (1, 2, 4 ... 500 ms) for
 * as long as wait_ms allows; say so every 10 s when waiting long. */
static int sq_busy(void *user, int count)
{
    sq_db *d = user;
    if (count == 0)
        d->waited_ms = 0;
    if (d->wait_ms >= 0 && d->waited_ms >= d->wait_ms)
        return 0;
    int step = count < 9 ? 1 << count : 500;
    if (d->wait_ms >= 0 && d->waited_ms + step > d->wait_ms)
        step = (int)(d->wait_ms - d->waited_ms) + 1;
    struct timespec ts = { .tv_sec = step / 1000, .tv_nsec = (long)(step % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    d->waited_ms += step;
    if (d->wait_ms < 0 && d->waited_ms >= 10000 && sq_now_ms() >= d->next_note_ms) {
        fprintf(stderr, "[neurio] store sqlite:%s is locked by another process; waiting "
                        "(%lld s so far, results are kept)\n",
                d->path, (long long)(d->waited_ms / 1000));
        d->next_note_ms = sq_now_ms() + 10000;
    }
    return 1;
}

/* sqlite3_exec, retried while the database is busy.  Switching a new file
 * to WAL while another process opens it too can return SQLITE_BUSY without
 * calling the busy handler (SQLite does so where waiting could deadlock);
 * retry for up to the store's wait, 10 ms apart. */
static int sq_exec_retry(sq_db *d, const char *sql, char **msg)
{
    for (int waited = 0;; waited += 10) {
        int rc = sqlite3_exec(d->db, sql, NULL, NULL, msg);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
            waited >= d->wait_ms)
            return rc;
        if (msg && *msg) {
            sqlite3_free(*msg);
            *msg = NULL;
        }
        sqlite3_sleep(10);
    }
}

/* Is the file at d->path still the one we opened? */
static int sq_same_file(sq_db *d, neurio_errbuf *err)
{
    struct stat st;
    if (!d->watch)
        return 0;
    if (stat(d->path, &st) != 0)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "store sqlite:%s: the database file was deleted while neurio had "
                           "it open (%s); every run stored in it is gone, and nothing more is "
                           "written there", d->path, strerror(errno));
    if (st.st_dev != d->dev || st.st_ino != d->ino)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "store sqlite:%s: the database file was replaced by another file "
                           "while neurio had it open; nothing more is written there (the "
                           "run's files are kept)", d->path);
    return 0;
}

static int sq_open(const char *target, int read_only, void **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!*target)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "store 'sqlite:' names no file; write e.g. store = \"sqlite:runs/results.db\"");
    struct stat st;
    if (read_only && stat(target, &st) != 0)
        return neurio_fail(err, NEURIO_ERR_IO,
                           "no store at sqlite:%s (%s); nothing was stored there yet, or pass "
                           "--store with the rig's output.store", target, strerror(errno));
    if (!read_only) {
        int rc = sq_check_parent(target, err);
        if (rc)
            return rc;
    }
    sq_db *d = calloc(1, sizeof *d);
    if (!d)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory opening sqlite:%s", target);
    snprintf(d->path, sizeof d->path, "%s", target);
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(target, &d->db, flags, NULL) != SQLITE_OK) {
        neurio_fail(err, NEURIO_ERR_IO, "cannot open the store sqlite:%s: %s", target,
                    d->db ? sqlite3_errmsg(d->db) : "out of memory");
        goto fail;
    }
    d->wait_ms = 10000;
    sqlite3_busy_handler(d->db, sq_busy, d);
    sqlite3_extended_result_codes(d->db, 1);
    /* Writers: WAL with synchronous=NORMAL — each batch's commit survives the
     * process being killed (even -9) without an fsync per batch; only an OS
     * crash may lose the last commits.  Readers (neurio runs) can read while
     * a run writes.  A writer appends rows: a 512 KiB page cache (SQLite's
     * default is 2 MB) keeps a long run's memory flat (issue 19). */
    if (!read_only &&
        sq_exec_retry(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                         "PRAGMA cache_size = -512;", NULL) != SQLITE_OK) {
        neurio_fail(err, NEURIO_ERR_IO, "cannot use the store sqlite:%s: %s; point "
                    "output.store at a neurio results database", target, sqlite3_errmsg(d->db));
        goto fail;
    }
    /* Touch the file so "not a database" surfaces here, not mid-run. */
    char *msg = NULL;
    if (sq_exec_retry(d, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master;",
                      &msg) != SQLITE_OK) {
        neurio_fail(err, NEURIO_ERR_IO, "cannot use the store sqlite:%s: %s; point "
                    "output.store at a neurio results database", target,
                    msg ? msg : sqlite3_errmsg(d->db));
        sqlite3_free(msg);
        goto fail;
    }
    if (stat(target, &st) == 0) {
        d->dev = st.st_dev;
        d->ino = st.st_ino;
        d->watch = 1;
    }
    *out = d;
    return 0;
fail:
    sqlite3_close(d->db);
    free(d);
    return NEURIO_ERR_IO;
}

static void sq_close(void *db)
{
    sq_db *d = db;
    if (!d)
        return;
    for (int i = 0; i < SQ_CACHE; i++) {
        sqlite3_finalize(d->cache[i].st);
        free(d->cache[i].sql);
    }
    sqlite3_close(d->db);
    free(d);
}

/* A ready (reset, unbound) statement for sql: from the cache, or prepared
 * and cached (evicting round robin).  Returns an SQLite result code. */
static int sq_prepare(sq_db *d, const char *sql, sqlite3_stmt **out)
{
    /* A statement in use by an outer call (a row callback that queries
     * again) is neither reused nor evicted. */
    for (int i = 0; i < SQ_CACHE; i++)
        if (d->cache[i].sql && !d->cache[i].busy && !strcmp(d->cache[i].sql, sql)) {
            d->cache[i].busy = 1;
            *out = d->cache[i].st;
            return SQLITE_OK;
        }
    int rc = sqlite3_prepare_v2(d->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK)
        return rc;
    for (int tries = 0; tries < SQ_CACHE; tries++) {
        int k = d->next++ % SQ_CACHE;
        if (d->cache[k].busy)
            continue;
        char *copy = strdup(sql);
        if (!copy)
            break; /* uncached: still usable, finalized by sq_release */
        sqlite3_finalize(d->cache[k].st);
        free(d->cache[k].sql);
        d->cache[k].sql = copy;
        d->cache[k].st = *out;
        d->cache[k].busy = 1;
        break;
    }
    return SQLITE_OK;
}

/* Give a statement back: reset if cached, else finalize. */
static void sq_release(sq_db *d, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < SQ_CACHE; i++)
        if (d->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            d->cache[i].busy = 0;
            return;
        }
    sqlite3_finalize(st);
}

static int sq_exec(void *db, const char *sql, int nparams, const char *const *params,
                   nr_sb_row_fn fn, void *user, neurio_errbuf *err)
{
    sq_db *d = db;
    sqlite3_stmt *st = NULL;
    /* Each transaction starts on the file we opened, or not at all. */
    if (!strncmp(sql, "BEGIN", 5) && sq_same_file(d, err))
        return NEURIO_ERR_IO;
    int rc = sq_prepare(d, sql, &st);
    if (rc != SQLITE_OK)
        goto fail;
    for (int i = 0; i < nparams; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (!idx)
            continue; /* parameter not used by this statement */
        rc = params[i] ? sqlite3_bind_text(st, idx, params[i], -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK)
            goto fail;
    }
    const char *vals[64];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        if (n > 64)
            n = 64;
        for (int i = 0; i < n; i++)
            vals[i] = (const char *)sqlite3_column_text(st, i);
        if (fn && fn(user, n, vals)) {
            sq_release(d, st);
            return 1;
        }
    }
    if (rc != SQLITE_DONE)
        goto fail;
    sq_release(d, st);
    return 0;
fail:
    {
        int sys = sqlite3_system_errno(d->db);
        char why[160] = "";
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
            neurio_fail(err, NEURIO_ERR_TIMEOUT,
                        "store sqlite:%s is locked by another process (waited %lld ms); "
                        "the transaction was rolled back", d->path, (long long)d->waited_ms);
            sq_release(d, st);
            return NEURIO_ERR_TIMEOUT;
        }
        if ((rc & 0xff) == SQLITE_IOERR && sys)
            snprintf(why, sizeof why, " (%s)", strerror(sys));
        neurio_fail(err, NEURIO_ERR_IO, "store sqlite:%s: %s%s%s; the transaction was rolled "
                    "back", d->path, sqlite3_errmsg(d->db), why,
                    (rc & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EFBIG
                        ? ", free some disk space and rerun" : "");
    }
    sq_release(d, st);
    return NEURIO_ERR_IO;
}

static int sq_has_table_row(void *user, int ncols, const char *const *vals)
{
    (void)ncols;
    (void)vals;
    *(int *)user = 1;
    return 0;
}

static int sq_has_table(void *db, const char *table, int *exists, neurio_errbuf *err)
{
    *exists = 0;
    const char *p[1] = { table };
    return sq_exec(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
                   1, p, sq_has_table_row, exists, err);
}

static void sq_set_busy_wait(void *db, int ms)
{
    ((sq_db *)db)->wait_ms = ms;
}

const nr_store_backend nr_store_backend_sqlite = {
    .set_busy_wait = sq_set_busy_wait,
    .kind = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .has_table = sq_has_table,
    .begin_migration_sql = "BEGIN IMMEDIATE",
    .lock_migration_sql = NULL,
};
