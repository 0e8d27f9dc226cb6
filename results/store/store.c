/* core/store.c — the result store: spec parsing, the schema and its
 * migrations, and every query, written once for both engines
 * (store_sqlite.c, store_pg.c). */
#include "store/store.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_backend.h"
#include "store/store_internal.h"


/* ---- schema ------------------------------------------------------------ */

/* Version 1.  Types are spelled so both engines accept them (SQLite maps
 * BIGINT/DOUBLE PRECISION to its INTEGER/REAL affinities). */
static const char *const schema_v1[] = {
    "CREATE TABLE neurio_schema (version INTEGER NOT NULL)",
    "INSERT INTO neurio_schema (version) VALUES (0)",
    "CREATE TABLE models (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT, "
    "format TEXT, first_seen TEXT)",
    "CREATE TABLE devices (key TEXT PRIMARY KEY, plugin TEXT NOT NULL, board TEXT, "
    "cpu TEXT, clock_hz DOUBLE PRECISION, cycle_source TEXT, cycle_unit TEXT)",
    "CREATE TABLE runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, "
    "status TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0, task TEXT, "
    "model_sha256 TEXT REFERENCES models(sha256), device_key TEXT REFERENCES devices(key), "
    "n_planned BIGINT, n_done BIGINT NOT NULL DEFAULT 0, batch_size INTEGER, error TEXT, "
    "rig_path TEXT, plugin TEXT, plugin_version TEXT, plugin_path TEXT, firmware TEXT, "
    "toolchain TEXT, neurio_version TEXT, git_revision TEXT, host TEXT, "
    "profile_path TEXT, report_path TEXT)",
    "CREATE INDEX runs_started_at ON runs (started_at)",
    "CREATE TABLE metrics (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "name TEXT NOT NULL, grp TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, "
    "unit TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (run_id, name))",
    "CREATE TABLE inferences (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "idx BIGINT NOT NULL, host_ns BIGINT, cycles BIGINT, stack_bytes BIGINT, label BIGINT, "
    "prediction BIGINT, score DOUBLE PRECISION, PRIMARY KEY (run_id, idx))",
};

/* Version 2 (issue 17): per-layer counts, sweeps and the farm's job queue;
 * runs learn which sweep point or job (and which attempt) they belong to. */
static const char *const schema_v2[] = {
    "CREATE TABLE layers (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "idx INTEGER NOT NULL, op TEXT, name TEXT, mean DOUBLE PRECISION NOT NULL, "
    "unit TEXT NOT NULL, PRIMARY KEY (run_id, idx))",
    "ALTER TABLE runs ADD COLUMN sweep_id TEXT",
    "ALTER TABLE runs ADD COLUMN sweep_point INTEGER",
    "ALTER TABLE runs ADD COLUMN job_id TEXT",
    "ALTER TABLE runs ADD COLUMN attempt INTEGER",
    "CREATE INDEX runs_sweep ON runs (sweep_id, sweep_point)",
    "CREATE TABLE sweeps (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, cfg_path TEXT, "
    "base_rig TEXT, n_points INTEGER NOT NULL)",
    "CREATE TABLE sweep_points (sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE "
    "CASCADE, point INTEGER NOT NULL, label TEXT NOT NULL, sets TEXT NOT NULL, "
    "PRIMARY KEY (sweep_id, point))",
    "CREATE TABLE jobs (id TEXT PRIMARY KEY, submitted_at TEXT NOT NULL, rig_path TEXT NOT "
    "NULL, sets TEXT NOT NULL, work_dir TEXT NOT NULL, plugin TEXT, board TEXT, "
    "sweep_id TEXT, sweep_point INTEGER, "
    "status TEXT NOT NULL, worker TEXT, lease_until BIGINT, attempts INTEGER NOT NULL "
    "DEFAULT 0, run_id TEXT, finished_at TEXT, error TEXT)",
    "CREATE INDEX jobs_status ON jobs (status, submitted_at)",
};

/* Version 3 (issue 17): the farm's retry limit (a job whose attempts keep
 * dying is failed after max_attempts claims) and per-layer debug results
 * (`neurio debug`, task.debug: device against the host reference, prepared
 * against float).  snr_db NULL = identical (no error at all). */
static const char *const schema_v3[] = {
    "ALTER TABLE jobs ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3",
    "CREATE TABLE layer_debug (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "ref TEXT NOT NULL, idx INTEGER NOT NULL, op TEXT, tensor TEXT, dtype TEXT, "
    "samples INTEGER NOT NULL, elements BIGINT NOT NULL, mismatches BIGINT NOT NULL, "
    "max_abs DOUBLE PRECISION, rel_l2 DOUBLE PRECISION, snr_db DOUBLE PRECISION, "
    "PRIMARY KEY (run_id, ref, idx))",
};

/* Version 4 (issue 17): a debug row per output of a layer (out_idx; 0 =
 * the first output, which is all an older store held).  SQLite cannot
 * change a primary key in place: the table is rebuilt, rows kept. */
static const char *const schema_v4[] = {
    "CREATE TABLE layer_debug_v4 (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE "
    "CASCADE, ref TEXT NOT NULL, idx INTEGER NOT NULL, out_idx INTEGER NOT NULL DEFAULT 0, "
    "op TEXT, tensor TEXT, dtype TEXT, samples INTEGER NOT NULL, elements BIGINT NOT NULL, "
    "mismatches BIGINT NOT NULL, max_abs DOUBLE PRECISION, rel_l2 DOUBLE PRECISION, "
    "snr_db DOUBLE PRECISION, PRIMARY KEY (run_id, ref, idx, out_idx))",
    "INSERT INTO layer_debug_v4 (run_id, ref, idx, out_idx, op, tensor, dtype, samples, "
    "elements, mismatches, max_abs, rel_l2, snr_db) SELECT run_id, ref, idx, 0, op, tensor, "
    "dtype, samples, elements, mismatches, max_abs, rel_l2, snr_db FROM layer_debug",
    "DROP TABLE layer_debug",
    "ALTER TABLE layer_debug_v4 RENAME TO layer_debug",
};

/* Version 5: each layer's weight layout in the image (profile.json's
 * layers[].weights_layout, _layout_bytes, weights_added_bytes; NULL = none
 * reported), and a layer with a layout but no measured count (mean NULL).
 * SQLite cannot drop NOT NULL in place: the table is rebuilt, rows kept. */
static const char *const schema_v5[] = {
    "CREATE TABLE layers_v5 (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "idx INTEGER NOT NULL, op TEXT, name TEXT, mean DOUBLE PRECISION, unit TEXT NOT NULL, "
    "weights_layout TEXT, weights_layout_bytes BIGINT, weights_added_bytes BIGINT, "
    "PRIMARY KEY (run_id, idx))",
    "INSERT INTO layers_v5 (run_id, idx, op, name, mean, unit) SELECT run_id, idx, op, name, "
    "mean, unit FROM layers",
    "DROP TABLE layers",
    "ALTER TABLE layers_v5 RENAME TO layers",
};

typedef struct nr_migration {
    int version;
    const char *const *stmts;
    size_t n;
} nr_migration;

static const nr_migration migrations[] = {
    { .version = 1, .stmts = schema_v1, .n = sizeof schema_v1 / sizeof schema_v1[0] },
    { .version = 2, .stmts = schema_v2, .n = sizeof schema_v2 / sizeof schema_v2[0] },
    { .version = 3, .stmts = schema_v3, .n = sizeof schema_v3 / sizeof schema_v3[0] },
    { .version = 4, .stmts = schema_v4, .n = sizeof schema_v4 / sizeof schema_v4[0] },
    { .version = 5, .stmts = schema_v5, .n = sizeof schema_v5 / sizeof schema_v5[0] },
};

/* ---- helpers ----------------------------------------------------------- */

int nr_sx0(nr_store *s, const char *sql, neurio_errbuf *err)
{
    return s->be->exec(s->db, sql, 0, NULL, NULL, NULL, err);
}

int nr_sxp(nr_store *s, const char *sql, int n, const char *const *p,
           neurio_errbuf *err)
{
    return s->be->exec(s->db, sql, n, p, NULL, NULL, err);
}

/* Roll back after a failure, keeping the first message. */
int nr_srollback(nr_store *s, int rc)
{
    neurio_errbuf ignored;
    nr_sx0(s, "ROLLBACK", &ignored);
    return rc;
}

const char *nr_su64(char *buf, uint64_t v)
{
    snprintf(buf, 32, "%" PRIu64, v);
    return buf;
}

const char *nr_si64(char *buf, int64_t v)
{
    snprintf(buf, 32, "%" PRId64, v);
    return buf;
}

const char *nr_sdbl(char *buf, double v)
{
    snprintf(buf, 32, "%.17g", v);
    return buf;
}

void nr_store_redact(char *dst, size_t cap, const char *spec)
{
    if (!cap)
        return;
    /* Find the password in the spec itself, not in a truncated copy, so a
     * short buffer never shows a piece of it. */
    const char *scheme = strstr(spec, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (at && colon && colon < at)
        snprintf(dst, cap, "%.*s:***%s", (int)(colon - spec), spec, at);
    else
        snprintf(dst, cap, "%s", spec);
}

static int read_int_row(void *user, int ncols, const char *const *vals)
{
    if (ncols > 0 && vals[0])
        *(int64_t *)user = strtoll(vals[0], NULL, 10);
    return 0;
}

/* ---- open / migrate ---------------------------------------------------- */

/* The version recorded in the store, 0 when it has no neurio_schema. */
static int read_version(nr_store *s, int *exists, int *version, neurio_errbuf *err)
{
    int rc = s->be->has_table(s->db, "neurio_schema", exists, err);
    *version = 0;
    if (rc || !*exists)
        return rc;
    int64_t v = -1;
    rc = s->be->exec(s->db, "SELECT max(version) FROM neurio_schema", 0, NULL, read_int_row, &v,
                     err);
    *version = (int)v;
    return rc;
}

/* Apply every missing migration in ONE transaction, after taking the
 * engine's migration lock and re-reading the version under it, so that two
 * runs opening a fresh store at once do not both create it. */
static int migrate(nr_store *s, neurio_errbuf *err)
{
    int rc = nr_sx0(s, s->be->begin_migration_sql, err);
    if (rc)
        return rc;
    int exists = 0;
    if ((s->be->lock_migration_sql && (rc = nr_sx0(s, s->be->lock_migration_sql, err))) ||
        (rc = read_version(s, &exists, &s->version, err)))
        return nr_srollback(s, rc);
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        const nr_migration *m = &migrations[i];
        if (m->version <= s->version)
            continue;
        for (size_t k = 0; k < m->n; k++)
            if ((rc = nr_sx0(s, m->stmts[k], err)))
                return nr_srollback(s, rc);
        char v[32];
        const char *p[1] = { nr_si64(v, m->version) };
        if ((rc = nr_sxp(s, "UPDATE neurio_schema SET version = $1", 1, p, err)))
            return nr_srollback(s, rc);
        s->version = m->version;
    }
    if ((rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

int nr_store_open(const char *spec, nr_store_mode mode, nr_store **out,
                  neurio_errbuf *err)
{
    *out = NULL;
    const nr_store_backend *be = NULL;
    const char *target = NULL;
    if (!spec || !*spec)
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "no store given; use \"sqlite:<file>\" or \"postgresql://...\"");
    if (!strncmp(spec, "sqlite:", 7)) {
        be = &nr_store_backend_sqlite;
        target = spec + 7;
    } else if (!strncmp(spec, "postgresql://", 13) || !strncmp(spec, "postgres://", 11)) {
        be = &nr_store_backend_pg;
        target = spec;
    } else if (!strncmp(spec, "postgresql:", 11)) {
        be = &nr_store_backend_pg;
        target = spec + 11;
    } else {
        return neurio_fail(err, NEURIO_ERR_CONFIG,
                           "unknown store '%s'; use \"sqlite:<file>\" (default "
                           "\"sqlite:runs/results.db\"), \"postgresql://user@host/db\" or "
                           "\"postgresql:<conninfo>\"", spec);
    }
    nr_store *s = calloc(1, sizeof *s);
    if (!s)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory opening store");
    s->be = be;
    nr_store_redact(s->where, sizeof s->where, spec);
    int rc = be->open(target, mode == NR_STORE_READ, &s->db, err);
    if (rc)
        goto fail;
    int exists = 0;
    if ((rc = read_version(s, &exists, &s->version, err)))
        goto fail;
    if (s->version > NR_STORE_SCHEMA_VERSION) {
        rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                         "store %s has schema version %d, newer than this neurio understands "
                         "(%d); upgrade neurio, or point output.store at another store",
                         s->where, s->version, NR_STORE_SCHEMA_VERSION);
        goto fail;
    }
    if (mode == NR_STORE_READ && !exists) {
        rc = neurio_fail(err, NEURIO_ERR_IO,
                         "%s is not a neurio results store (no neurio_schema table)", s->where);
        goto fail;
    }
    if (mode == NR_STORE_WRITE && s->version < NR_STORE_SCHEMA_VERSION &&
        (rc = migrate(s, err)))
        goto fail;
    if (s->version > NR_STORE_SCHEMA_VERSION) { /* raced with a newer neurio */
        rc = neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                         "store %s has schema version %d, newer than this neurio understands "
                         "(%d); upgrade neurio, or point output.store at another store",
                         s->where, s->version, NR_STORE_SCHEMA_VERSION);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    nr_store_close(s);
    return rc;
}

void nr_store_set_busy_wait(nr_store *s, int ms)
{
    if (s && s->be->set_busy_wait)
        s->be->set_busy_wait(s->db, ms);
}

const char *nr_store_kind(const nr_store *s)
{
    return s->be->kind;
}

int nr_store_schema_version(const nr_store *s)
{
    return s->version;
}

void nr_store_close(nr_store *s)
{
    if (!s)
        return;
    if (s->db)
        s->be->close(s->db);
    free(s);
}

/* ---- writes ------------------------------------------------------------ */

int nr_store_begin_run(nr_store *s, const nr_store_run *r, neurio_errbuf *err)
{
    char devkey[384], clock[32], planned[32], batch[32];
    snprintf(devkey, sizeof devkey, "%s/%s/%s", r->plugin ? r->plugin : "?",
             r->board ? r->board : "?", r->cpu ? r->cpu : "?");
    const char *sha = r->model_sha256 && *r->model_sha256 ? r->model_sha256 : NULL;
    int rc = nr_sx0(s, "BEGIN", err);
    if (rc)
        return rc;
    if (sha) {
        const char *p[5] = { sha, r->model_name ? r->model_name : "", r->model_path,
                             r->model_format, r->started_at };
        if ((rc = nr_sxp(s, "INSERT INTO models (sha256, name, path, format, first_seen) "
                        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
                     5, p, err)))
            return nr_srollback(s, rc);
    }
    const char *pd[7] = { devkey, r->plugin ? r->plugin : "?", r->board, r->cpu,
                          r->clock_hz > 0 ? nr_sdbl(clock, r->clock_hz) : NULL,
                          r->cycle_source, r->cycle_unit };
    if ((rc = nr_sxp(s, "INSERT INTO devices (key, plugin, board, cpu, clock_hz, cycle_source, "
                    "cycle_unit) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT (key) DO NOTHING", 7, pd, err)))
        return nr_srollback(s, rc);
    char point[32], attempt[32];
    const char *pr[21] = {
        r->run_id, r->started_at, r->task, sha, devkey,
        nr_su64(planned, r->n_planned), nr_su64(batch, r->batch_size), r->rig_path,
        r->plugin, r->plugin_version, r->plugin_path, r->firmware, r->toolchain,
        r->neurio_version, r->git_revision, r->host, "running", r->sweep_id,
        r->sweep_id ? nr_si64(point, r->sweep_point) : NULL, r->job_id,
        r->job_id ? nr_si64(attempt, r->attempt) : NULL,
    };
    if ((rc = nr_sxp(s, "INSERT INTO runs (id, started_at, task, model_sha256, device_key, "
                    "n_planned, batch_size, rig_path, plugin, plugin_version, plugin_path, "
                    "firmware, toolchain, neurio_version, git_revision, host, status, "
                    "sweep_id, sweep_point, job_id, attempt, complete, n_done) VALUES ($1, "
                    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
                    "$18, $19, $20, $21, 0, 0)", 21, pr, err)))
        return nr_srollback(s, rc);
    if ((rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

int nr_store_add_rows(nr_store *s, const char *run_id, const nr_store_row *rows,
                      size_t n, neurio_errbuf *err)
{
    int rc = nr_sx0(s, "BEGIN", err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const nr_store_row *w = &rows[i];
        char b[7][32];
        const char *p[8] = {
            run_id,
            nr_su64(b[0], w->index),
            w->host_ns ? nr_su64(b[1], w->host_ns) : NULL,
            w->cycles ? nr_su64(b[2], w->cycles) : NULL,
            w->stack_bytes ? nr_su64(b[3], w->stack_bytes) : NULL,
            w->has_label ? nr_si64(b[4], w->label) : NULL,
            w->has_prediction ? nr_si64(b[5], w->prediction) : NULL,
            isfinite(w->score) ? nr_sdbl(b[6], w->score) : NULL,
        };
        if ((rc = nr_sxp(s, "INSERT INTO inferences (run_id, idx, host_ns, cycles, stack_bytes, "
                        "label, prediction, score) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                     8, p, err)))
            return nr_srollback(s, rc);
    }
    /* n_done advances in the same transaction as the rows (not a count(*),
     * which would make a long run quadratic). */
    char k[32];
    const char *p1[2] = { run_id, nr_su64(k, n) };
    if ((rc = nr_sxp(s, "UPDATE runs SET n_done = n_done + $2 WHERE id = $1", 2, p1, err)) ||
        (rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

int nr_store_finish_run(nr_store *s, const char *run_id, const char *status,
                        int complete, const char *error, const char *finished_at,
                        const nr_metrics *metrics, const char *profile_path,
                        const char *report_path, neurio_errbuf *err)
{
    int rc = nr_sx0(s, "BEGIN", err);
    if (rc)
        return rc;
    const char *p1[1] = { run_id };
    if ((rc = nr_sxp(s, "DELETE FROM metrics WHERE run_id = $1", 1, p1, err)))
        return nr_srollback(s, rc);
    for (size_t i = 0; metrics && i < metrics->n; i++) {
        const nr_metric *m = &metrics->v[i];
        char v[32];
        const char *p[6] = { run_id, m->name, m->group, nr_sdbl(v, m->value), m->unit, m->source };
        if ((rc = nr_sxp(s, "INSERT INTO metrics (run_id, name, grp, value, unit, source) "
                        "VALUES ($1, $2, $3, $4, $5, $6)", 6, p, err)))
            return nr_srollback(s, rc);
    }
    const char *p[7] = { run_id, status, complete ? "1" : "0", error, finished_at,
                         profile_path, report_path };
    if ((rc = nr_sxp(s, "UPDATE runs SET status = $2, complete = $3, error = $4, "
                    "finished_at = $5, profile_path = $6, report_path = $7, "
                    "n_done = (SELECT count(*) FROM inferences WHERE run_id = $1) "
                    "WHERE id = $1", 7, p, err)) ||
        (rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

/* ---- reads ------------------------------------------------------------- */

#define RUN_COLUMNS_HEAD                                                         \
    "SELECT r.id, r.started_at, r.finished_at, r.status, r.complete, r.task, "  \
    "m.name, r.model_sha256, m.path, r.plugin, r.plugin_version, d.board, "     \
    "d.cpu, r.firmware, r.toolchain, d.cycle_source, r.neurio_version, "        \
    "r.git_revision, r.host, r.rig_path, r.error, r.n_planned, r.n_done, "
#define RUN_COLUMNS_TAIL                                                         \
    " FROM runs r LEFT JOIN models m ON m.sha256 = r.model_sha256 "             \
    "LEFT JOIN devices d ON d.key = r.device_key "

/* The run query followed by `rest` (WHERE/ORDER BY); a version-1 store read
 * without migration has no membership columns: they read as NULL. */
static int run_sql(const nr_store *s, const char *rest, char *buf, size_t cap)
{
    const char *member = s->version >= 2 ? "r.sweep_id, r.sweep_point, r.job_id, r.attempt"
                                         : "NULL, NULL, NULL, NULL";
    int n = snprintf(buf, cap, RUN_COLUMNS_HEAD "%s" RUN_COLUMNS_TAIL "%s", member, rest);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void cp(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v ? v : "");
}

static void parse_run(int n, const char *const *v, nr_store_run_info *r)
{
    memset(r, 0, sizeof *r);
    r->sweep_point = -1;
    if (n < 27)
        return;
    cp(r->run_id, sizeof r->run_id, v[0]);
    cp(r->started_at, sizeof r->started_at, v[1]);
    cp(r->finished_at, sizeof r->finished_at, v[2]);
    cp(r->status, sizeof r->status, v[3]);
    r->complete = v[4] && atoi(v[4]) != 0;
    cp(r->task, sizeof r->task, v[5]);
    cp(r->model_name, sizeof r->model_name, v[6]);
    cp(r->model_sha256, sizeof r->model_sha256, v[7]);
    cp(r->model_path, sizeof r->model_path, v[8]);
    cp(r->plugin, sizeof r->plugin, v[9]);
    cp(r->plugin_version, sizeof r->plugin_version, v[10]);
    cp(r->board, sizeof r->board, v[11]);
    cp(r->cpu, sizeof r->cpu, v[12]);
    cp(r->firmware, sizeof r->firmware, v[13]);
    cp(r->toolchain, sizeof r->toolchain, v[14]);
    cp(r->cycle_source, sizeof r->cycle_source, v[15]);
    cp(r->neurio_version, sizeof r->neurio_version, v[16]);
    cp(r->git_revision, sizeof r->git_revision, v[17]);
    cp(r->host, sizeof r->host, v[18]);
    cp(r->rig_path, sizeof r->rig_path, v[19]);
    cp(r->error, sizeof r->error, v[20]);
    r->n_planned = v[21] ? strtoull(v[21], NULL, 10) : 0;
    r->n_done = v[22] ? strtoull(v[22], NULL, 10) : 0;
    cp(r->sweep_id, sizeof r->sweep_id, v[23]);
    r->sweep_point = v[24] ? atoi(v[24]) : -1;
    cp(r->job_id, sizeof r->job_id, v[25]);
    r->attempt = v[26] ? atoi(v[26]) : 0;
}

typedef struct list_ctx {
    nr_store_run_fn fn;
    void *user;
    int rc;
} list_ctx;

static int list_row(void *user, int n, const char *const *v)
{
    list_ctx *c = user;
    nr_store_run_info r;
    parse_run(n, v, &r);
    c->rc = c->fn(c->user, &r);
    return c->rc;
}

int nr_store_query_runs(nr_store *s, const char *rest, int np, const char *const *p,
                        nr_store_run_fn fn, void *user, neurio_errbuf *err)
{
    char sql[2048];
    if (run_sql(s, rest, sql, sizeof sql))
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "store: query too long");
    list_ctx c = { .fn = fn, .user = user };
    int rc = s->be->exec(s->db, sql, np, p, list_row, &c, err);
    return rc == 1 ? c.rc : rc;
}

int nr_store_list_runs(nr_store *s, size_t limit, nr_store_run_fn fn, void *user,
                       neurio_errbuf *err)
{
    char rest[128];
    if (limit)
        snprintf(rest, sizeof rest, "ORDER BY r.started_at DESC, r.id DESC LIMIT %zu", limit);
    else
        snprintf(rest, sizeof rest, "ORDER BY r.started_at DESC, r.id DESC");
    return nr_store_query_runs(s, rest, 0, NULL, fn, user, err);
}

typedef struct find_ctx {
    nr_store_run_info *out;
    size_t n;
    char ids[2][64];
} find_ctx;

static int find_row(void *user, int n, const char *const *v)
{
    find_ctx *c = user;
    if (c->n < 2)
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", v[0] ? v[0] : "");
    if (c->n == 0)
        parse_run(n, v, c->out);
    c->n++;
    return 0;
}

int nr_store_get_run(nr_store *s, const char *id, nr_store_run_info *out,
                     neurio_errbuf *err)
{
    find_ctx c = { .out = out };
    const char *p[1] = { id };
    char sql[2048];
    int rc;
    if (!strcmp(id, "last") || !strcmp(id, "latest")) {
        run_sql(s, "ORDER BY r.started_at DESC, r.id DESC LIMIT 1", sql, sizeof sql);
        rc = s->be->exec(s->db, sql, 0, NULL, find_row, &c, err);
    } else {
        run_sql(s, "WHERE r.id = $1", sql, sizeof sql);
        rc = s->be->exec(s->db, sql, 1, p, find_row, &c, err);
        if (!rc && c.n == 0) {
            run_sql(s, "WHERE substr(r.id, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) "
                       "ORDER BY r.id LIMIT 2", sql, sizeof sql);
            rc = s->be->exec(s->db, sql, 1, p, find_row, &c, err);
        }
    }
    if (rc)
        return rc;
    if (c.n == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "no run '%s' in store %s; `neurio runs --store %s` lists them",
                           id, s->where, s->where);
    if (c.n > 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "'%s' matches several runs in %s (%s, %s, ...); give more of the id",
                           id, s->where, c.ids[0], c.ids[1]);
    return 0;
}

static int metric_row(void *user, int n, const char *const *v)
{
    if (n < 5)
        return 0;
    return nr_metrics_add(user, v[1] ? v[1] : "", v[0] ? v[0] : "",
                          v[2] ? strtod(v[2], NULL) : NAN, v[3], v[4]) ? 1 : 0;
}

int nr_store_get_metrics(nr_store *s, const char *run_id, nr_metrics *out,
                         neurio_errbuf *err)
{
    const char *p[1] = { run_id };
    int rc = s->be->exec(s->db, "SELECT name, grp, value, unit, source FROM metrics "
                                "WHERE run_id = $1 ORDER BY grp, name",
                         1, p, metric_row, out, err);
    if (rc == 1)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory reading metrics");
    return rc;
}

typedef struct rows_ctx {
    nr_store_row *rows;
    size_t max, n;
} rows_ctx;

static int row_row(void *user, int n, const char *const *v)
{
    rows_ctx *c = user;
    if (c->n < c->max && n >= 8) {
        nr_store_row *w = &c->rows[c->n];
        memset(w, 0, sizeof *w);
        w->index = v[0] ? strtoull(v[0], NULL, 10) : 0;
        w->host_ns = v[1] ? strtoull(v[1], NULL, 10) : 0;
        w->cycles = v[2] ? strtoull(v[2], NULL, 10) : 0;
        w->stack_bytes = v[3] ? (uint32_t)strtoul(v[3], NULL, 10) : 0;
        w->has_label = v[4] != NULL;
        w->label = v[4] ? strtoll(v[4], NULL, 10) : 0;
        w->has_prediction = v[5] != NULL;
        w->prediction = v[5] ? strtoll(v[5], NULL, 10) : 0;
        w->score = v[6] ? strtod(v[6], NULL) : NAN;
    }
    c->n++;
    return 0;
}

int nr_store_get_rows(nr_store *s, const char *run_id, nr_store_row *rows,
                      size_t max, size_t *n_out, neurio_errbuf *err)
{
    rows_ctx c = { .rows = rows, .max = max };
    const char *p[1] = { run_id };
    int rc = s->be->exec(s->db, "SELECT idx, host_ns, cycles, stack_bytes, label, prediction, "
                                "score, run_id FROM inferences WHERE run_id = $1 ORDER BY idx",
                         1, p, row_row, &c, err);
    *n_out = c.n;
    return rc;
}

/* ---- per-layer means ---------------------------------------------------- */

int nr_store_set_layers(nr_store *s, const char *run_id, const nr_store_layer *layers,
                        size_t n, neurio_errbuf *err)
{
    if (s->version < 5)
        return neurio_fail(err, NEURIO_ERR_INVALID, "store %s predates the weight layouts "
                           "(schema %d); open it for writing once to upgrade it", s->where,
                           s->version);
    int rc = nr_sx0(s, "BEGIN", err);
    if (rc)
        return rc;
    const char *p1[1] = { run_id };
    if ((rc = nr_sxp(s, "DELETE FROM layers WHERE run_id = $1", 1, p1, err)))
        return nr_srollback(s, rc);
    for (size_t i = 0; i < n; i++) {
        const nr_store_layer *l = &layers[i];
        char idx[32], mean[32], lb[32], ab[32];
        const int lay = l->layout[0] != 0;
        const char *p[9] = { run_id, nr_su64(idx, l->index), l->op[0] ? l->op : NULL,
                             l->name[0] ? l->name : NULL,
                             isfinite(l->mean) ? nr_sdbl(mean, l->mean) : NULL, l->unit,
                             lay ? l->layout : NULL, lay ? nr_su64(lb, l->layout_bytes) : NULL,
                             lay ? nr_su64(ab, l->added_bytes) : NULL };
        if ((rc = nr_sxp(s, "INSERT INTO layers (run_id, idx, op, name, mean, unit, "
                            "weights_layout, weights_layout_bytes, weights_added_bytes) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, p, err)))
            return nr_srollback(s, rc);
    }
    if ((rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

typedef struct layers_ctx {
    nr_store_layer *v;
    size_t n, cap;
} layers_ctx;

static int layer_row(void *user, int n, const char *const *v)
{
    layers_ctx *c = user;
    if (n < 5)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        nr_store_layer *x = realloc(c->v, cap * sizeof *x);
        if (!x)
            return 1;
        c->v = x;
        c->cap = cap;
    }
    nr_store_layer *l = &c->v[c->n++];
    memset(l, 0, sizeof *l);
    l->index = v[0] ? (uint32_t)strtoul(v[0], NULL, 10) : 0;
    cp(l->op, sizeof l->op, v[1]);
    cp(l->name, sizeof l->name, v[2]);
    l->mean = v[3] ? strtod(v[3], NULL) : NAN;
    cp(l->unit, sizeof l->unit, v[4]);
    if (n >= 8 && v[5]) { /* schema 5 */
        cp(l->layout, sizeof l->layout, v[5]);
        l->layout_bytes = v[6] ? strtoull(v[6], NULL, 10) : 0;
        l->added_bytes = v[7] ? strtoull(v[7], NULL, 10) : 0;
    }
    return 0;
}

int nr_store_get_layers(nr_store *s, const char *run_id, nr_store_layer **out, size_t *n,
                        neurio_errbuf *err)
{
    layers_ctx c = { 0 };
    const char *p[1] = { run_id };
    *out = NULL;
    *n = 0;
    if (s->version < 2)
        return 0; /* an old store read as it is: no per-layer table */
    /* an old store read without migration has no layout columns */
    int rc = s->be->exec(s->db, s->version >= 5
                             ? "SELECT idx, op, name, mean, unit, weights_layout, "
                               "weights_layout_bytes, weights_added_bytes FROM layers "
                               "WHERE run_id = $1 ORDER BY idx"
                             : "SELECT idx, op, name, mean, unit FROM layers WHERE run_id = $1 "
                               "ORDER BY idx", 1, p, layer_row, &c, err);
    if (rc) {
        free(c.v);
        return rc == 1 ? neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory reading layers")
                       : rc;
    }
    *out = c.v;
    *n = c.n;
    return 0;
}

const char *nr_store_where(const nr_store *s)
{
    return s->where;
}
