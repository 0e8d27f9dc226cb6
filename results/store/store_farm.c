/* results/store/store_farm.c — the device farm's job queue in the result
 * store: PostgreSQL is the queue and the store (no other server).  Workers
 * claim with SELECT ... FOR UPDATE SKIP LOCKED and hold a lease they renew;
 * an expired lease makes the job claimable again.  Times are the database
 * server's clock, so workers' clocks do not matter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

#define NOW_MS "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)"

static int need_pg(nr_store *s, neurio_errbuf *err)
{
    if (s->version < 2)
        return neurio_fail(err, NEURIO_ERR_INVALID, "store %s predates the job queue "
                           "(schema %d); open it for writing once to upgrade it",
                           s->where, s->version);
    if (strcmp(s->be->kind, "postgresql"))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "the farm needs a PostgreSQL store (its queue uses SELECT ... FOR "
                           "UPDATE SKIP LOCKED); %s is %s: use --store postgresql://...",
                           s->where, s->be->kind);
    return 0;
}

int nr_store_job_submit(nr_store *s, const nr_store_job_new *j, neurio_errbuf *err)
{
    int rc = need_pg(s, err);
    if (rc)
        return rc;
    if (s->version < 3)
        return neurio_fail(err, NEURIO_ERR_INVALID, "store %s predates the retry limit (schema "
                           "%d); open it for writing once to upgrade it", s->where, s->version);
    char pt[32], ma[32];
    int max_attempts = j->max_attempts > 0 ? j->max_attempts : NR_STORE_JOB_MAX_ATTEMPTS;
    const char *p[10] = { j->id, j->submitted_at, j->rig_path, j->sets, j->work_dir, j->plugin,
                          j->board, j->sweep_id, j->sweep_id ? nr_si64(pt, j->sweep_point) : NULL,
                          nr_si64(ma, max_attempts) };
    return nr_sxp(s, "INSERT INTO jobs (id, submitted_at, rig_path, sets, work_dir, plugin, "
                     "board, sweep_id, sweep_point, status, attempts, max_attempts) VALUES ($1, "
                     "$2, $3, $4, $5, $6, $7, $8, $9, 'queued', 0, CAST($10 AS INTEGER))", 10, p,
                  err);
}

typedef struct claim_ctx {
    nr_store_job *out;
    int got;
    char status[16];
    int oom;
} claim_ctx;

static void cpy(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v ? v : "");
}

static int claim_row(void *user, int n, const char *const *v)
{
    claim_ctx *c = user;
    if (n < 9)
        return 0;
    nr_store_job *j = c->out;
    cpy(j->id, sizeof j->id, v[0]);
    cpy(j->rig_path, sizeof j->rig_path, v[1]);
    j->sets = strdup(v[2] ? v[2] : "");
    c->oom = !j->sets;
    cpy(j->work_dir, sizeof j->work_dir, v[3]);
    cpy(j->sweep_id, sizeof j->sweep_id, v[4]);
    j->sweep_point = v[5] ? atoi(v[5]) : -1;
    j->attempt = (v[6] ? atoi(v[6]) : 0) + 1;
    cpy(c->status, sizeof c->status, v[7]);
    cpy(j->previous_worker, sizeof j->previous_worker,
        !strcmp(c->status, "running") ? v[8] : NULL);
    c->got = 1;
    return 0;
}

static int count_row(void *user, int n, const char *const *v);

/* The retry limit: a job whose lease expired on its max_attempts-th attempt
 * is failed (not claimed again), and the incomplete runs of its attempts
 * are marked abandoned, in one statement (a data-modifying CTE). */
static int give_up_exhausted(nr_store *s, int *gave_up, neurio_errbuf *err)
{
    int n = 0;
    int rc = s->be->exec(
        s->db,
        "WITH dead AS (UPDATE jobs SET status = 'failed', lease_until = NULL, finished_at = "
        "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
        "error = 'gave up after ' || attempts || ' attempt' || CASE WHEN attempts = 1 THEN '' "
        "ELSE 's' END || ' (max_attempts ' || max_attempts || '): every worker died or stalled "
        "before finishing (the last: ' || coalesce(worker, '?') || ')' WHERE status = 'running' "
        "AND lease_until < " NOW_MS " AND attempts >= max_attempts RETURNING id), "
        "gone AS (UPDATE runs SET status = 'abandoned', error = 'attempt abandoned: its worker "
        "lost the lease (died or stalled); the job reached its retry limit and was failed' "
        "WHERE job_id IN (SELECT id FROM dead) AND complete = 0 AND status <> 'abandoned' "
        "RETURNING id) SELECT id FROM dead", 0, NULL, count_row, &n, err);
    if (gave_up)
        *gave_up = n;
    return rc;
}

int nr_store_job_claim(nr_store *s, const char *worker, const char *plugin, const char *board,
                       int lease_ms, nr_store_job *out, int *got, int *gave_up,
                       neurio_errbuf *err)
{
    *got = 0;
    if (gave_up)
        *gave_up = 0;
    memset(out, 0, sizeof *out);
    int rc = need_pg(s, err);
    if (!rc && s->version < 3)
        rc = neurio_fail(err, NEURIO_ERR_INVALID, "store %s predates the retry limit (schema "
                         "%d); open it for writing once to upgrade it", s->where, s->version);
    if (rc || (rc = give_up_exhausted(s, gave_up, err)) || (rc = nr_sx0(s, "BEGIN", err)))
        return rc;
    claim_ctx c = { .out = out };
    const char *p[2] = { plugin, board };
    rc = s->be->exec(s->db,
                     "SELECT id, rig_path, sets, work_dir, sweep_id, sweep_point, attempts, "
                     "status, worker FROM jobs WHERE (status = 'queued' OR (status = 'running' "
                     "AND lease_until < " NOW_MS " AND attempts < max_attempts)) AND (CAST($1 AS TEXT) IS NULL OR plugin = "
                     "$1) AND (CAST($2 AS TEXT) IS NULL OR board = $2) ORDER BY submitted_at, id "
                     "LIMIT 1 FOR UPDATE SKIP LOCKED", 2, p, claim_row, &c, err);
    if (!rc && c.oom)
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory claiming a job");
    if (rc || !c.got) {
        free(out->sets);
        out->sets = NULL;
        nr_srollback(s, 0);
        return rc;
    }
    char lease[32], att[32];
    const char *q[4] = { out->id, worker, nr_si64(lease, lease_ms), nr_si64(att, out->attempt) };
    rc = nr_sxp(s, "UPDATE jobs SET status = 'running', worker = $2, attempts = $4, run_id = NULL, "
                   "lease_until = " NOW_MS " + CAST($3 AS BIGINT) WHERE id = $1", 4, q, err);
    if (!rc) {
        /* Earlier attempts that never completed: a dead (or stalled) worker's.
         * Their rows stay; the run says what happened to it. */
        char why[400];
        snprintf(why, sizeof why, "attempt abandoned: its worker %s lost the lease (died or "
                 "stalled); the job was claimed again by %s as attempt %d",
                 out->previous_worker[0] ? out->previous_worker : "?", worker, out->attempt);
        const char *r[3] = { out->id, att, why };
        rc = nr_sxp(s, "UPDATE runs SET status = 'abandoned', error = $3 WHERE job_id = $1 AND "
                       "attempt < CAST($2 AS INTEGER) AND complete = 0 AND status <> "
                       "'abandoned'", 3, r, err);
    }
    if (rc || (rc = nr_sx0(s, "COMMIT", err))) {
        free(out->sets);
        out->sets = NULL;
        return nr_srollback(s, rc);
    }
    *got = 1;
    return 0;
}

static int count_row(void *user, int n, const char *const *v)
{
    (void)v;
    if (n > 0)
        ++*(int *)user;
    return 0;
}

int nr_store_job_renew(nr_store *s, const char *job_id, const char *worker, int attempt,
                       int lease_ms, int *ours, neurio_errbuf *err)
{
    *ours = 0;
    int rc = need_pg(s, err);
    if (rc)
        return rc;
    char a[32], l[32];
    const char *p[4] = { job_id, worker, nr_si64(a, attempt), nr_si64(l, lease_ms) };
    return s->be->exec(s->db, "UPDATE jobs SET lease_until = " NOW_MS " + CAST($4 AS BIGINT) "
                              "WHERE id = $1 AND worker = $2 AND attempts = CAST($3 AS INTEGER) "
                              "AND status = 'running' RETURNING id", 4, p, count_row, ours, err);
}

int nr_store_job_finish(nr_store *s, const char *job_id, const char *worker, int attempt,
                        const char *status, const char *error, const char *finished_at,
                        int *ours, neurio_errbuf *err)
{
    *ours = 0;
    int rc = need_pg(s, err);
    if (rc || (rc = nr_sx0(s, "BEGIN", err)))
        return rc;
    char a[32];
    int requeue = !strcmp(status, "queued");
    const char *p[6] = { job_id, worker, nr_si64(a, attempt), error, status, finished_at };
    if (requeue)
        rc = s->be->exec(s->db, "UPDATE jobs SET status = 'queued', worker = NULL, lease_until "
                                "= NULL, error = $4 WHERE id = $1 AND worker = $2 AND attempts "
                                "= CAST($3 AS INTEGER) AND status = 'running' RETURNING id",
                         4, p, count_row, ours, err);
    else
        rc = s->be->exec(s->db, "UPDATE jobs SET status = $5, error = $4, finished_at = $6, "
                                "run_id = (SELECT id FROM runs WHERE job_id = $1 AND attempt = "
                                "CAST($3 AS INTEGER) ORDER BY started_at DESC LIMIT 1) WHERE id "
                                "= $1 AND worker = $2 AND attempts = CAST($3 AS INTEGER) AND "
                                "status = 'running' RETURNING id", 6, p, count_row, ours, err);
    if (!rc && !*ours) {
        const char *q[2] = { job_id, a };
        rc = nr_sxp(s, "UPDATE runs SET status = 'superseded', complete = 0, error = 'its "
                       "worker lost the lease before it finished; the job was claimed again' "
                       "WHERE job_id = $1 AND attempt = CAST($2 AS INTEGER)", 2, q, err);
    }
    if (rc || (rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

static int long_row(void *user, int n, const char *const *v)
{
    if (n > 0 && v[0])
        *(long *)user = strtol(v[0], NULL, 10);
    return 0;
}

int nr_store_job_open_count(nr_store *s, const char *plugin, const char *board, long *n,
                            neurio_errbuf *err)
{
    *n = 0;
    int rc = need_pg(s, err);
    if (rc)
        return rc;
    const char *p[2] = { plugin, board };
    return s->be->exec(s->db, "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') "
                              "AND (CAST($1 AS TEXT) IS NULL OR plugin = $1) AND (CAST($2 AS "
                              "TEXT) IS NULL OR board = $2)", 2, p, long_row, n, err);
}
