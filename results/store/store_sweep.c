/* results/store/store_sweep.c — sweeps in the result store: the sweep, its
 * points (label and overrides) and the runs that measured them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static int need_v2(nr_store *s, neurio_errbuf *err)
{
    if (s->version >= 2)
        return 0;
    return neurio_fail(err, NEURIO_ERR_INVALID,
                       "store %s has schema version %d, without sweeps; a `neurio sweep` or "
                       "`neurio run` writing to it upgrades it", s->where, s->version);
}

int nr_store_sweep_create(nr_store *s, const nr_store_sweep *sw, const char *const *labels,
                          const char *const *sets, neurio_errbuf *err)
{
    int rc = need_v2(s, err);
    if (rc || (rc = nr_sx0(s, "BEGIN", err)))
        return rc;
    char n[32];
    const char *p[5] = { sw->id, sw->created_at, sw->cfg_path, sw->base_rig,
                         nr_si64(n, sw->n_points) };
    if ((rc = nr_sxp(s, "INSERT INTO sweeps (id, created_at, cfg_path, base_rig, n_points) "
                        "VALUES ($1, $2, $3, $4, $5)", 5, p, err)))
        return nr_srollback(s, rc);
    for (int i = 0; i < sw->n_points; i++) {
        char k[32];
        const char *q[4] = { sw->id, nr_si64(k, i), labels[i], sets[i] };
        if ((rc = nr_sxp(s, "INSERT INTO sweep_points (sweep_id, point, label, sets) "
                            "VALUES ($1, $2, $3, $4)", 4, q, err)))
            return nr_srollback(s, rc);
    }
    if ((rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

typedef struct sweep_find {
    nr_store_sweep *out;
    int n;
    char ids[2][64];
} sweep_find;

static void cpy(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v ? v : "");
}

static int sweep_row(void *user, int n, const char *const *v)
{
    sweep_find *c = user;
    if (n < 5)
        return 0;
    if (c->n < 2)
        cpy(c->ids[c->n], sizeof c->ids[0], v[0]);
    if (c->n++ == 0) {
        memset(c->out, 0, sizeof *c->out);
        cpy(c->out->id, sizeof c->out->id, v[0]);
        cpy(c->out->created_at, sizeof c->out->created_at, v[1]);
        cpy(c->out->cfg_path, sizeof c->out->cfg_path, v[2]);
        cpy(c->out->base_rig, sizeof c->out->base_rig, v[3]);
        c->out->n_points = v[4] ? atoi(v[4]) : 0;
    }
    return 0;
}

#define SWEEP_COLS "SELECT id, created_at, cfg_path, base_rig, n_points FROM sweeps "

int nr_store_sweep_get(nr_store *s, const char *id, const char *cfg_path, nr_store_sweep *out,
                       neurio_errbuf *err)
{
    if (s->version < 2)
        return neurio_fail(err, NEURIO_ERR_INVALID, "no sweep '%s' in store %s (it predates "
                           "sweeps)", id ? id : cfg_path, s->where);
    sweep_find c = { .out = out };
    int rc;
    if (!id) {
        const char *p[1] = { cfg_path };
        rc = s->be->exec(s->db, SWEEP_COLS "WHERE cfg_path = $1 ORDER BY created_at DESC, id "
                                           "DESC LIMIT 1", 1, p, sweep_row, &c, err);
    } else if (!strcmp(id, "last")) {
        rc = s->be->exec(s->db, SWEEP_COLS "ORDER BY created_at DESC, id DESC LIMIT 1", 0, NULL,
                         sweep_row, &c, err);
    } else {
        const char *p[1] = { id };
        rc = s->be->exec(s->db, SWEEP_COLS "WHERE id = $1", 1, p, sweep_row, &c, err);
        if (!rc && !c.n)
            rc = s->be->exec(s->db, SWEEP_COLS "WHERE substr(id, 1, length(CAST($1 AS TEXT))) "
                                               "= CAST($1 AS TEXT) ORDER BY id LIMIT 2",
                             1, p, sweep_row, &c, err);
    }
    if (rc)
        return rc;
    if (!c.n)
        return neurio_fail(err, NEURIO_ERR_INVALID, id ? "no sweep '%s' in store %s"
                                                       : "no sweep of %s in store %s",
                           id ? id : cfg_path, s->where);
    if (c.n > 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "'%s' matches several sweeps in %s (%s, %s, ...); give more of the id",
                           id, s->where, c.ids[0], c.ids[1]);
    return 0;
}

typedef struct point_ctx {
    nr_store_point_fn fn;
    void *user;
    int rc;
} point_ctx;

static int point_row(void *user, int n, const char *const *v)
{
    point_ctx *c = user;
    if (n < 3)
        return 0;
    c->rc = c->fn(c->user, v[0] ? atoi(v[0]) : -1, v[1] ? v[1] : "", v[2] ? v[2] : "");
    return c->rc;
}

int nr_store_sweep_points(nr_store *s, const char *sweep_id, nr_store_point_fn fn, void *user,
                          neurio_errbuf *err)
{
    int rc = need_v2(s, err);
    if (rc)
        return rc;
    point_ctx c = { .fn = fn, .user = user };
    const char *p[1] = { sweep_id };
    rc = s->be->exec(s->db, "SELECT point, label, sets FROM sweep_points WHERE sweep_id = $1 "
                            "ORDER BY point", 1, p, point_row, &c, err);
    return rc == 1 ? c.rc : rc;
}

int nr_store_sweep_runs(nr_store *s, const char *sweep_id, nr_store_run_fn fn, void *user,
                        neurio_errbuf *err)
{
    int rc = need_v2(s, err);
    if (rc)
        return rc;
    const char *p[1] = { sweep_id };
    return nr_store_query_runs(s, "WHERE r.sweep_id = $1 ORDER BY r.sweep_point, r.started_at, "
                                  "r.id", 1, p, fn, user, err);
}
