/* results/store/store_debug.c — per-layer debug results (table
 * layer_debug, schema 3; one row per output of a layer since schema 4):
 * what `neurio debug` and task.debug = "layers" found, layer by layer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int nr_store_set_layer_debug(nr_store *s, const char *run_id, const nr_store_layer_debug *rows,
                             size_t n, neurio_errbuf *err)
{
    if (s->version < 4)
        return neurio_fail(err, NEURIO_ERR_INVALID, "store %s predates per-layer debug results "
                           "per layer output (schema %d); open it for writing once to upgrade "
                           "it", s->where, s->version);
    if (n == 0)
        return 0;
    int rc = nr_sx0(s, "BEGIN", err);
    if (rc)
        return rc;
    const char *p1[2] = { run_id, rows[0].ref };
    if ((rc = nr_sxp(s, "DELETE FROM layer_debug WHERE run_id = $1 AND ref = $2", 2, p1, err)))
        return nr_srollback(s, rc);
    for (size_t i = 0; i < n; i++) {
        const nr_store_layer_debug *l = &rows[i];
        char idx[32], sm[32], el[32], mm[32], ma[32], rl[32], sn[32], ox[32];
        const char *p[13] = {
            run_id, l->ref, nr_su64(idx, l->index), l->op[0] ? l->op : NULL,
            l->tensor[0] ? l->tensor : NULL, l->dtype[0] ? l->dtype : NULL,
            nr_su64(sm, l->samples), nr_su64(el, l->elements), nr_su64(mm, l->mismatches),
            isfinite(l->max_abs) ? nr_sdbl(ma, l->max_abs) : NULL,
            isfinite(l->rel_l2) ? nr_sdbl(rl, l->rel_l2) : NULL,
            isfinite(l->snr_db) ? nr_sdbl(sn, l->snr_db) : NULL, nr_su64(ox, l->output),
        };
        if ((rc = nr_sxp(s, "INSERT INTO layer_debug (run_id, ref, idx, op, tensor, dtype, "
                            "samples, elements, mismatches, max_abs, rel_l2, snr_db, out_idx) "
                            "VALUES ($1, $2, CAST($3 AS INTEGER), $4, $5, $6, CAST($7 AS "
                            "INTEGER), CAST($8 AS BIGINT), CAST($9 AS BIGINT), CAST($10 AS "
                            "DOUBLE PRECISION), CAST($11 AS DOUBLE PRECISION), CAST($12 AS "
                            "DOUBLE PRECISION), CAST($13 AS INTEGER))", 13, p, err)))
            return nr_srollback(s, rc);
    }
    if ((rc = nr_sx0(s, "COMMIT", err)))
        return nr_srollback(s, rc);
    return 0;
}

typedef struct dbg_ctx {
    nr_store_layer_debug *v;
    size_t n, cap;
} dbg_ctx;

static void cpy(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v ? v : "");
}

static int dbg_row(void *user, int n, const char *const *v)
{
    dbg_ctx *c = user;
    if (n < 12)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        nr_store_layer_debug *x = realloc(c->v, cap * sizeof *x);
        if (!x)
            return 1;
        c->v = x;
        c->cap = cap;
    }
    nr_store_layer_debug *l = &c->v[c->n++];
    memset(l, 0, sizeof *l);
    cpy(l->ref, sizeof l->ref, v[0]);
    l->index = v[1] ? (uint32_t)strtoul(v[1], NULL, 10) : 0;
    cpy(l->op, sizeof l->op, v[2]);
    cpy(l->tensor, sizeof l->tensor, v[3]);
    cpy(l->dtype, sizeof l->dtype, v[4]);
    l->samples = v[5] ? (uint32_t)strtoul(v[5], NULL, 10) : 0;
    l->elements = v[6] ? strtoull(v[6], NULL, 10) : 0;
    l->mismatches = v[7] ? strtoull(v[7], NULL, 10) : 0;
    l->max_abs = v[8] ? strtod(v[8], NULL) : NAN;
    l->rel_l2 = v[9] ? strtod(v[9], NULL) : NAN;
    l->snr_db = v[10] ? strtod(v[10], NULL) : INFINITY;
    l->output = v[11] ? (uint32_t)strtoul(v[11], NULL, 10) : 0;
    return 0;
}

int nr_store_get_layer_debug(nr_store *s, const char *run_id, nr_store_layer_debug **out,
                             size_t *n, neurio_errbuf *err)
{
    dbg_ctx c = { 0 };
    const char *p[1] = { run_id };
    *out = NULL;
    *n = 0;
    if (s->version < 3)
        return 0; /* an old store read as it is */
    /* a schema-3 store has no out_idx: its rows are first outputs */
    int rc = s->be->exec(s->db, s->version >= 4
                                    ? "SELECT ref, idx, op, tensor, dtype, samples, elements, "
                                      "mismatches, max_abs, rel_l2, snr_db, out_idx FROM "
                                      "layer_debug WHERE run_id = $1 ORDER BY ref, idx, out_idx"
                                    : "SELECT ref, idx, op, tensor, dtype, samples, elements, "
                                      "mismatches, max_abs, rel_l2, snr_db, 0 FROM layer_debug "
                                      "WHERE run_id = $1 ORDER BY ref, idx",
                         1, p, dbg_row, &c, err);
    if (rc) {
        free(c.v);
        return rc;
    }
    *out = c.v;
    *n = c.n;
    return 0;
}
