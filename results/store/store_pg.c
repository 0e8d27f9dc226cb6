/* core/store_pg.c — the PostgreSQL engine of the result store (libpq), for a
 * team sharing one server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_backend.h"

#ifdef NEURIO_NO_POSTGRES
/* Built with NEURIO_WITH_POSTGRES=OFF: no libpq.  Opening a postgresql://
 * store (and so the farm) fails with a message naming the option. */
static int pg_open(const char *target, int read_only, void **out, neurio_errbuf *err)
{
    char where[256];
    (void)read_only;
    *out = NULL;
    nr_store_redact(where, sizeof where, target);
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "cannot use the PostgreSQL store '%s': this neurio was built without "
                       "PostgreSQL support (NEURIO_WITH_POSTGRES=OFF); use an sqlite: store "
                       "or rebuild with libpq", where);
}

static void pg_close(void *db)
{
    (void)db;
}

static int pg_exec(void *db, const char *sql, int nparams, const char *const *params,
                   nr_sb_row_fn fn, void *user, neurio_errbuf *err)
{
    (void)db, (void)sql, (void)nparams, (void)params, (void)fn, (void)user;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "PostgreSQL support is not built in");
}

static int pg_has_table(void *db, const char *table, int *exists, neurio_errbuf *err)
{
    (void)db, (void)table;
    *exists = 0;
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "PostgreSQL support is not built in");
}
#else
#include <libpq-fe.h>

typedef struct pg_db {
    PGconn *conn;
    char where[256];  /* the spec without password, for messages */
} pg_db;

/* libpq messages span lines ("connection to server ... failed: \n\tIs the
 * server running..."): fold them into one line. */
static void pg_one_line(char *dst, size_t cap, const char *msg)
{
    size_t j = 0;
    int space = 0;
    for (size_t i = 0; msg && msg[i] && j + 1 < cap; i++) {
        char c = msg[i];
        if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
            space = 1;
            continue;
        }
        if (space && j > 0 && j + 2 < cap)
            dst[j++] = ' ';
        space = 0;
        dst[j++] = c;
    }
    dst[j] = '\0';
}

static void pg_ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_open(const char *target, int read_only, void **out, neurio_errbuf *err)
{
    (void)read_only;
    *out = NULL;
    pg_db *d = calloc(1, sizeof *d);
    if (!d)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory connecting to PostgreSQL");
    nr_store_redact(d->where, sizeof d->where, target);
    /* dbname is expanded (URI or conninfo); connect_timeout after it bounds
     * the wait for an unreachable server. */
    const char *const keys[] = { "dbname", "connect_timeout", "application_name", NULL };
    const char *const vals[] = { target, "10", "neurio", NULL };
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
        char line[400];
        pg_one_line(line, sizeof line, d->conn ? PQerrorMessage(d->conn) : "out of memory");
        neurio_fail(err, NEURIO_ERR_IO,
                    "cannot reach the PostgreSQL store '%s': %s; check output.store "
                    "(or --store) and that the server is running", d->where, line);
        PQfinish(d->conn);
        free(d);
        return NEURIO_ERR_IO;
    }
    PQsetNoticeProcessor(d->conn, pg_ignore_notice, NULL);
    *out = d;
    return 0;
}

static void pg_close(void *db)
{
    pg_db *d = db;
    if (!d)
        return;
    PQfinish(d->conn);
    free(d);
}

static int pg_exec(void *db, const char *sql, int nparams, const char *const *params,
                   nr_sb_row_fn fn, void *user, neurio_errbuf *err)
{
    pg_db *d = db;
    PGresult *r = PQexecParams(d->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char line[400];
        pg_one_line(line, sizeof line,
                    r ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
        neurio_fail(err, NEURIO_ERR_IO, "store '%s': %s", d->where, line);
        PQclear(r);
        return NEURIO_ERR_IO;
    }
    if (st == PGRES_TUPLES_OK && fn) {
        int rows = PQntuples(r), n = PQnfields(r);
        if (n > 64)
            n = 64;
        const char *vals[64];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < n; c++)
                vals[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
            if (fn(user, n, vals)) {
                PQclear(r);
                return 1;
            }
        }
    }
    PQclear(r);
    return 0;
}

static int pg_has_table_row(void *user, int ncols, const char *const *vals)
{
    *(int *)user = ncols > 0 && vals[0] != NULL;
    return 0;
}

static int pg_has_table(void *db, const char *table, int *exists, neurio_errbuf *err)
{
    *exists = 0;
    const char *p[1] = { table };
    /* A catalog query under the statement's snapshot, not to_regclass(): the
     * latter goes through the backend's name cache, which can keep a stale
     * "no such table" after another session created it under our lock. */
    return pg_exec(db, "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = "
                       "current_schema() AND tablename = $1", 1, p, pg_has_table_row, exists,
                   err);
}

#endif /* NEURIO_NO_POSTGRES */

const nr_store_backend nr_store_backend_pg = {
    .kind = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .has_table = pg_has_table,
    .begin_migration_sql = "BEGIN",
    /* Any constant works as long as every neurio uses the same one. */
    .lock_migration_sql = "SELECT pg_advisory_xact_lock(7243100001)",
};
