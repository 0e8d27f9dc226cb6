/* results/reference/layer_float.c — the prepared model against the float
 * model, layer by layer, on the host interpreter (layer_debug.h). */
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "reference/layer_debug.h"

static int32_t find_twin(const neurio_model *f, const neurio_tensor *t)
{
    if (!t->name[0])
        return -1;
    size_t ne = neurio_tensor_elements(t);
    for (int32_t k = 0; k < f->n_tensors; k++)
        if (!strcmp(f->tensors[k].name, t->name) &&
            neurio_tensor_elements(&f->tensors[k]) == ne)
            return k;
    return -1;
}

/* Output buffers of a model for neurio_interp_run, or NULL. */
static void **out_bufs(const neurio_model *m)
{
    void **o = calloc((size_t)m->n_outputs + 1, sizeof *o);
    for (int32_t k = 0; o && k < m->n_outputs; k++)
        if (!(o[k] = malloc(neurio_tensor_bytes(&m->tensors[m->outputs[k]]) + 1))) {
            for (int32_t j = 0; j < k; j++)
                free(o[j]);
            free(o);
            return NULL;
        }
    return o;
}

static void free_bufs(const neurio_model *m, void **o)
{
    for (int32_t k = 0; o && k < m->n_outputs; k++)
        free(o[k]);
    free(o);
}

/* The rows (one per output of every op of p) and their float twins. */
static int float_rows(const neurio_model *f, const neurio_model *p, nr_layer_debug **rows,
                      int32_t **twin, size_t *n_rows)
{
    size_t n = 0;
    for (int32_t i = 0; i < p->n_ops; i++)
        n += (size_t)(p->ops[i].n_outputs > 0 ? p->ops[i].n_outputs : 0);
    *rows = calloc(n + 1, sizeof **rows);
    *twin = calloc(n + 1, sizeof **twin);
    if (!*rows || !*twin)
        return NEURIO_ERR_NOMEM;
    size_t r = 0;
    for (int32_t i = 0; i < p->n_ops; i++)
        for (int32_t k = 0; k < p->ops[i].n_outputs; k++, r++) {
            const neurio_tensor *t = &p->tensors[p->ops[i].outputs[k]];
            nr_layer_debug *l = &(*rows)[r];
            l->op = i;
            l->output = k;
            l->op_name = neurio_op_name(p->ops[i].kind);
            l->tensor = t->name;
            l->dtype = neurio_dtype_name(t->dtype);
            (*twin)[r] = find_twin(f, t);
        }
    *n_rows = n;
    return NEURIO_OK;
}

int nr_layer_float_run(const neurio_model *f, const neurio_model *p, const void *const *in_f,
                       const void *const *in_p, size_t n, nr_layer_debug **rows_out,
                       size_t *n_rows, neurio_errbuf *err)
{
    *rows_out = NULL;
    *n_rows = 0;
    if (f->n_inputs != p->n_inputs || p->n_inputs < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID, "the per-layer float comparison: the float "
                           "model has %d inputs, the prepared one %d", (int)f->n_inputs,
                           (int)p->n_inputs);
    nr_layer_debug *rows = NULL;
    int32_t *twin = NULL;
    size_t nr = 0;
    neurio_interp *fi = NULL, *pi = NULL;
    void **fo = out_bufs(f), **po = out_bufs(p);
    const void **xf = calloc((size_t)f->n_inputs, sizeof *xf);
    const void **xp = calloc((size_t)p->n_inputs, sizeof *xp);
    int rc = fo && po && xf && xp ? float_rows(f, p, &rows, &twin, &nr) : NEURIO_ERR_NOMEM;
    if (rc) {
        neurio_fail(err, rc, "out of memory for the per-layer float comparison");
        goto out;
    }
    if ((rc = neurio_interp_new(f, &fi, err)) || (rc = neurio_interp_new(p, &pi, err)))
        goto out;
    for (size_t s = 0; s < n; s++) {
        for (int32_t k = 0; k < p->n_inputs; k++) {
            xf[k] = (const char *)in_f[k] + s * neurio_tensor_bytes(&f->tensors[f->inputs[k]]);
            xp[k] = (const char *)in_p[k] + s * neurio_tensor_bytes(&p->tensors[p->inputs[k]]);
        }
        if ((rc = neurio_interp_run(fi, xf, fo, err)) ||
            (rc = neurio_interp_run(pi, xp, po, err)))
            goto out;
        size_t r = 0;
        for (int32_t i = 0; i < p->n_ops; i++)
            for (int32_t k = 0; k < p->ops[i].n_outputs; k++, r++) {
                int32_t pt = p->ops[i].outputs[k];
                const void *got = neurio_interp_tensor(pi, pt);
                const void *ref = twin[r] >= 0 ? neurio_interp_tensor(fi, twin[r]) : NULL;
                if (got && ref)
                    nr_layer_debug_add(&rows[r], &f->tensors[twin[r]], ref, &p->tensors[pt],
                                       got);
            }
    }
    *rows_out = rows;
    *n_rows = nr;
    rows = NULL;
out:
    free(rows);
    free(twin);
    free(xf);
    free(xp);
    free_bufs(f, fo);
    free_bufs(p, po);
    neurio_interp_free(fi);
    neurio_interp_free(pi);
    return rc;
}
