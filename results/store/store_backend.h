/* results/store/store_backend.h — what core/store.c needs from a database engine.
 * Internal to the store; implemented by store_sqlite.c and store_pg.c.
 *
 * SQL uses $1..$N placeholders (both engines accept them); every parameter
 * is passed as text or NULL (SQL NULL) and every result value comes back as
 * text or NULL.  The schema and the queries live once, in store.c. */
#ifndef NEURIO_CORE_STORE_BACKEND_H
#define NEURIO_CORE_STORE_BACKEND_H

#include <stddef.h>

#include "neurio/status.h"

/* One result row: vals[0..ncols), NULL for SQL NULL.  Non-zero stops. */
typedef int (*nr_sb_row_fn)(void *user, int ncols, const char *const *vals);

typedef struct nr_store_backend {
    const char *kind;
    /* target: the path (sqlite) or conninfo/URI (postgresql). */
    int (*open)(const char *target, int read_only, void **db, neurio_errbuf *err);
    void (*close)(void *db);
    /* Run one statement with parameters; fn may be NULL.  Errors carry the
     * engine's message. */
    int (*exec)(void *db, const char *sql, int nparams,
                const char *const *params, nr_sb_row_fn fn, void *user,
                neurio_errbuf *err);
    /* Non-zero when the table exists. */
    int (*has_table)(void *db, const char *table, int *exists, neurio_errbuf *err);
    /* Starts the schema-migration transaction so that concurrent openers
     * of a fresh store serialize ("BEGIN IMMEDIATE" for SQLite), and an
     * optional statement run right after it to take a lock (PostgreSQL
     * advisory lock), or NULL. */
    const char *begin_migration_sql;
    const char *lock_migration_sql;
    /* How long a statement waits on another process's lock, in ms (< 0:
     * as long as it takes); a statement that gives up fails with
     * NEURIO_ERR_TIMEOUT.  NULL when the engine has no such notion. */
    void (*set_busy_wait)(void *db, int ms);
} nr_store_backend;

/* Copy a store spec or connection target into dst for messages, with the
 * password of a URI ("postgresql://user:secret@host/db") replaced by ***.
 * Always NUL-terminates.  The one redaction every store message uses. */
void nr_store_redact(char *dst, size_t cap, const char *spec);

extern const nr_store_backend nr_store_backend_sqlite;
extern const nr_store_backend nr_store_backend_pg;

#endif /* NEURIO_CORE_STORE_BACKEND_H */
