/* core/observers/report_store.c — the reporting observer's per-layer rows
 * for the result store at the end of a run: each layer's mean count and
 * weight layout (table layers), the task.debug = "layers" comparison
 * (table layer_debug). */
#include "report_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "neurio/model.h"
#include "reference/layer_debug.h"

/* The per-layer means (NAN past the n measured) and weight layouts into
 * the store (compare and show read them). */
int nr_report_store_layers(nr_store *store, const nr_run *run, const double *mean, uint32_t n,
                           neurio_errbuf *err)
{
    const neurio_layer_layout *lay = run->info.layouts;
    uint32_t n_lay = lay ? run->info.n_layouts : 0, total = mean && n > n_lay ? n : n_lay;
    if (!total)
        return 0;
    nr_store_layer *l = calloc(total, sizeof *l);
    if (!l)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory storing %u layers", total);
    for (uint32_t i = 0; i < total; i++) {
        const neurio_op *op =
            run->model && (int32_t)i < run->model->n_ops ? &run->model->ops[i] : NULL;
        l[i].index = i;
        if (op) {
            snprintf(l[i].op, sizeof l[i].op, "%s", neurio_op_name(op->kind));
            snprintf(l[i].name, sizeof l[i].name, "%s", op->name ? op->name : "");
        }
        l[i].mean = mean && i < n ? mean[i] : NAN;
        snprintf(l[i].unit, sizeof l[i].unit, "%s",
                 run->info.cycle_unit ? run->info.cycle_unit : "cycles");
        if (i < n_lay && lay[i].layout) {
            snprintf(l[i].layout, sizeof l[i].layout, "%s", lay[i].layout);
            l[i].layout_bytes = lay[i].bytes, l[i].added_bytes = lay[i].added_bytes;
        }
    }
    int rc = nr_store_set_layers(store, run->run_id, l, total, err);
    free(l);
    return rc;
}

/* task.debug = "layers": the per-layer comparison into the store. */
int nr_report_store_debug(nr_store *store, const nr_run *run, neurio_errbuf *err)
{
    uint32_t n = run->debug_rows;
    if (!run->debug_layers || !n)
        return 0;
    nr_store_layer_debug *l = calloc(n, sizeof *l);
    if (!l)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory storing %u debug layers", n);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const nr_layer_debug *d = &run->debug_layers[i];
        if (!d->compared)
            continue;
        nr_store_layer_debug *o = &l[k++];
        snprintf(o->ref, sizeof o->ref, "device");
        o->index = (uint32_t)d->op;
        o->output = (uint32_t)d->output;
        snprintf(o->op, sizeof o->op, "%s", d->op_name ? d->op_name : "");
        snprintf(o->tensor, sizeof o->tensor, "%s", d->tensor ? d->tensor : "");
        snprintf(o->dtype, sizeof o->dtype, "%s", d->dtype ? d->dtype : "");
        o->samples = run->debug_samples;
        o->elements = d->elements;
        o->mismatches = d->mismatches;
        o->max_abs = d->max_abs;
        o->rel_l2 = nr_layer_debug_rel_l2(d);
        o->snr_db = nr_layer_debug_snr_db(d);
    }
    int rc = nr_store_set_layer_debug(store, run->run_id, l, k, err);
    free(l);
    return rc;
}
