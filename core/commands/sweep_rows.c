/* core/commands/sweep_rows.c — a stored sweep as report rows: one per
 * point, from the point's best run (the newest complete one, else the
 * newest), fronts marked (results/report/sweep_report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/store_cli.h"
#include "kpi/kpi_metrics.h"

typedef struct load_ctx {
    nr_store *s;
    nr_sweep_row *rows;
    size_t n;
} load_ctx;

static int point_cb(void *user, int point, const char *label, const char *sets)
{
    load_ctx *c = user;
    (void)sets;
    if (point >= 0 && (size_t)point < c->n)
        snprintf(c->rows[point].label, sizeof c->rows[point].label, "%s", label);
    return 0;
}

static int run_cb(void *user, const nr_store_run_info *info)
{
    load_ctx *c = user;
    if (info->sweep_point < 0 || (size_t)info->sweep_point >= c->n)
        return 0;
    nr_sweep_row *r = &c->rows[info->sweep_point];
    r->n_runs++;
    /* Runs come oldest first: a later run replaces the row unless the row
     * already holds a complete run and this one is not complete. */
    if (r->complete && !info->complete)
        return 0;
    snprintf(r->run_id, sizeof r->run_id, "%s", info->run_id);
    r->complete = info->complete;
    r->n_done = info->n_done;
    r->n_planned = info->n_planned;
    snprintf(r->status, sizeof r->status, "%s", nr_run_status_word(info));
    nr_metrics m = { 0 };
    neurio_errbuf e;
    if (nr_store_get_metrics(c->s, info->run_id, &m, &e) == 0)
        nr_sweep_row_figures(r, &m);
    nr_metrics_free(&m);
    return 0;
}

int nr_sweep_rows_load(nr_store *s, const nr_store_sweep *sw, nr_sweep_row **rows, size_t *n,
                       neurio_errbuf *err)
{
    *rows = NULL;
    *n = 0;
    size_t np = sw->n_points > 0 ? (size_t)sw->n_points : 0;
    nr_sweep_row *r = calloc(np ? np : 1, sizeof *r);
    if (!r)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np; i++) {
        r[i].point = (int)i;
        snprintf(r[i].status, sizeof r[i].status, "pending");
        r[i].acc = NAN;
        for (int k = 0; k < NR_SW_N_COST; k++)
            r[i].cost[k] = NAN;
    }
    load_ctx c = { .s = s, .rows = r, .n = np };
    int rc = nr_store_sweep_points(s, sw->id, point_cb, &c, err);
    if (!rc)
        rc = nr_store_sweep_runs(s, sw->id, run_cb, &c, err);
    if (rc) {
        free(r);
        return rc;
    }
    nr_sweep_pareto(r, np);
    *rows = r;
    *n = np;
    return 0;
}

nr_sweep_info nr_sweep_info_of(const nr_store_sweep *sw)
{
    return (nr_sweep_info){ .id = sw->id, .created_at = sw->created_at,
                            .cfg_path = sw->cfg_path, .base_rig = sw->base_rig };
}
