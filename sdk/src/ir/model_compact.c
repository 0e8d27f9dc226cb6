/* sdk/src/ir/model_compact.c — neurio_model_compact(): drop removed ops and
 * unused tensors, sort the ops topologically (stable: among ready ops the
 * earlier one first) and renumber everything (declared in neurio/model.h). */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "neurio/model.h"

/* Binary min-heap of op indices (stable topological order: among ready ops,
 * the one that came first in the old order runs first). */
typedef struct heap {
    int32_t *v;
    int32_t n;
} heap;

static void heap_push(heap *h, int32_t x)
{
    int32_t i = h->n++;
    h->v[i] = x;
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (h->v[p] <= h->v[i])
            break;
        int32_t t = h->v[p];
        h->v[p] = h->v[i];
        h->v[i] = t;
        i = p;
    }
}

static int32_t heap_pop(heap *h)
{
    int32_t top = h->v[0];
    h->v[0] = h->v[--h->n];
    int32_t i = 0;
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < h->n && h->v[l] < h->v[s])
            s = l;
        if (r < h->n && h->v[r] < h->v[s])
            s = r;
        if (s == i)
            break;
        int32_t t = h->v[s];
        h->v[s] = h->v[i];
        h->v[i] = t;
        i = s;
    }
    return top;
}

/* prod[t] = the live op writing tensor t (-1 none), checking every index
 * and that no tensor has two producers. */
static int cp_producers(const neurio_model *m, int32_t *prod, neurio_errbuf *err)
{
    int32_t nt = m->n_tensors;
    for (int32_t t = 0; t < nt; t++)
        prod[t] = -1;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] < -1 || op->inputs[k] >= nt)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "compact: op %d (%s) input %d refers to tensor %d, "
                                   "but the model has %d tensors", i,
                                   neurio_op_name(op->kind), k, op->inputs[k], nt);
        for (int32_t k = 0; k < op->n_outputs; k++) {
            int32_t t = op->outputs[k];
            if (t < 0 || t >= nt)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "compact: op %d (%s) output %d refers to tensor %d, "
                                   "but the model has %d tensors", i,
                                   neurio_op_name(op->kind), k, t, nt);
            if (prod[t] >= 0)
                return neurio_fail(err, NEURIO_ERR_INVALID,
                                   "compact: tensor %d '%s' is produced by both op %d "
                                   "and op %d", t, m->tensors[t].name, prod[t], i);
            prod[t] = i;
        }
    }
    for (int32_t i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] < 0 || m->inputs[i] >= nt)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "compact: graph input %d refers to tensor %d (model has %d)",
                               i, m->inputs[i], nt);
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] < 0 || m->outputs[i] >= nt)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "compact: graph output %d refers to tensor %d (model has %d)",
                               i, m->outputs[i], nt);
    return NEURIO_OK;
}

/* Consumers of each tensor, one entry per live input slot, in CSR layout:
 * the ops reading tensor t are cons[cstart[t] .. cstart[t + 1]). */
static int cp_consumers(const neurio_model *m, size_t **cstart_out, int32_t **cons_out)
{
    int32_t nt = m->n_tensors;
    size_t *cstart = calloc((size_t)nt + 1, sizeof *cstart), n_slots = 0;
    *cstart_out = cstart;
    *cons_out = NULL;
    if (!cstart)
        return NEURIO_ERR_NOMEM;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; !op->removed && k < op->n_inputs; k++)
            if (op->inputs[k] >= 0) {
                cstart[op->inputs[k] + 1]++;
                n_slots++;
            }
    }
    for (int32_t t = 0; t < nt; t++)
        cstart[t + 1] += cstart[t];
    int32_t *cons = malloc((n_slots ? n_slots : 1) * sizeof *cons);
    size_t *cfill = malloc((size_t)(nt ? nt : 1) * sizeof *cfill);
    *cons_out = cons;
    if (!cons || !cfill) {
        free(cfill);
        return NEURIO_ERR_NOMEM;
    }
    memcpy(cfill, cstart, (size_t)nt * sizeof *cfill);
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; !op->removed && k < op->n_inputs; k++)
            if (op->inputs[k] >= 0)
                cons[cfill[op->inputs[k]]++] = i;
    }
    free(cfill);
    return NEURIO_OK;
}

/* Kahn's algorithm, linear in the graph size: the live ops in a stable
 * topological order into order[], their count into *n_done.  indeg counts
 * input slots fed by a live op.  NEURIO_ERR_INVALID names an op on a cycle. */
static int cp_topo_order(const neurio_model *m, const int32_t *prod, int32_t *order,
                         int32_t *n_done, neurio_errbuf *err)
{
    int32_t no = m->n_ops, n_live = 0;
    int32_t *indeg = calloc((size_t)(no ? no : 1), sizeof *indeg);
    heap h = { .v = malloc((size_t)(no ? no : 1) * sizeof(int32_t)), .n = 0 };
    size_t *cstart = NULL;
    int32_t *cons = NULL;
    int rc = NEURIO_ERR_NOMEM;
    *n_done = 0;
    if (!indeg || !h.v || cp_consumers(m, &cstart, &cons) != NEURIO_OK)
        goto out;
    for (int32_t i = 0; i < no; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        n_live++;
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] >= 0 && prod[op->inputs[k]] >= 0)
                indeg[i]++;
        if (indeg[i] == 0)
            heap_push(&h, i);
    }
    while (h.n > 0) {
        int32_t i = heap_pop(&h);
        order[(*n_done)++] = i;
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; k < op->n_outputs; k++) {
            int32_t t = op->outputs[k];
            /* Every live op reading t loses one pending input per slot. */
            for (size_t q = cstart[t]; q < cstart[t + 1]; q++)
                if (--indeg[cons[q]] == 0)
                    heap_push(&h, cons[q]);
        }
    }
    rc = NEURIO_OK;
    if (*n_done != n_live) {
        int32_t stuck = -1;
        for (int32_t i = 0; i < no && stuck < 0; i++)
            if (!m->ops[i].removed && indeg[i] > 0)
                stuck = i;
        rc = neurio_fail(err, NEURIO_ERR_INVALID,
                         "compact: the graph has a cycle through op %d (%s); "
                         "an op's output feeds back into its own inputs",
                         stuck, stuck >= 0 ? neurio_op_name(m->ops[stuck].kind) : "?");
    }
out:
    free(indeg);
    free(h.v);
    free(cstart);
    free(cons);
    return rc;
}

/* New tensor numbers (tmap[t], -1 = dropped): graph inputs, then in op
 * order (inputs, outputs), then any remaining graph outputs.  Returns how
 * many tensors stay. */
static int32_t cp_number_tensors(const neurio_model *m, const int32_t *order, int32_t n_done,
                                 int32_t *tmap)
{
    int32_t n_new_t = 0;
    for (int32_t t = 0; t < m->n_tensors; t++)
        tmap[t] = -1;
#define NR_MAP(t_) do { if ((t_) >= 0 && tmap[(t_)] < 0) tmap[(t_)] = n_new_t++; } while (0)
    for (int32_t i = 0; i < m->n_inputs; i++)
        NR_MAP(m->inputs[i]);
    for (int32_t r = 0; r < n_done; r++) {
        const neurio_op *op = &m->ops[order[r]];
        for (int32_t k = 0; k < op->n_inputs; k++)
            NR_MAP(op->inputs[k]);
        for (int32_t k = 0; k < op->n_outputs; k++)
            NR_MAP(op->outputs[k]);
    }
    for (int32_t i = 0; i < m->n_outputs; i++)
        NR_MAP(m->outputs[i]);
#undef NR_MAP
    return n_new_t;
}

/* Move every kept tensor and op into nts/nops at their new numbers,
 * release the rest, and install the new arrays.  Cannot fail. */
static void cp_commit(neurio_model *m, const int32_t *prod, const int32_t *tmap,
                      const int32_t *omap, neurio_tensor *nts, int32_t n_new_t,
                      neurio_op *nops, int32_t n_done)
{
    for (int32_t t = 0; t < m->n_tensors; t++) {
        if (tmap[t] < 0) {
            nir_tensor_release(&m->tensors[t]);
            continue;
        }
        nts[tmap[t]] = m->tensors[t];
        nts[tmap[t]].producer = prod[t] >= 0 ? omap[prod[t]] : -1;
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        neurio_op *op = &m->ops[i];
        if (omap[i] < 0) {
            nir_op_release(op);
            continue;
        }
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] >= 0)
                op->inputs[k] = tmap[op->inputs[k]];
        for (int32_t k = 0; k < op->n_outputs; k++)
            op->outputs[k] = tmap[op->outputs[k]];
        nops[omap[i]] = *op;
    }
    for (int32_t i = 0; i < m->n_inputs; i++)
        m->inputs[i] = tmap[m->inputs[i]];
    for (int32_t i = 0; i < m->n_outputs; i++)
        m->outputs[i] = tmap[m->outputs[i]];
    free(m->tensors);
    free(m->ops);
    m->tensors = nts;
    m->n_tensors = n_new_t;
    m->ops = nops;
    m->n_ops = n_done;
    nir_model_set_capacity(m, n_new_t ? n_new_t : 1, n_done ? n_done : 1);
}

int neurio_model_compact(neurio_model *m, neurio_errbuf *err)
{
    if (!m)
        return neurio_fail(err, NEURIO_ERR_INVALID, "compact: no model");
    int rc = NEURIO_ERR_NOMEM;
    int32_t nt = m->n_tensors, no = m->n_ops, n_done = 0;
    int32_t *prod = malloc((size_t)(nt ? nt : 1) * sizeof *prod);
    int32_t *order = malloc((size_t)(no ? no : 1) * sizeof *order);
    int32_t *tmap = malloc((size_t)(nt ? nt : 1) * sizeof *tmap);
    int32_t *omap = malloc((size_t)(no ? no : 1) * sizeof *omap);
    neurio_tensor *nts = NULL;
    neurio_op *nops = NULL;
    if (!prod || !order || !tmap || !omap)
        goto fail;
    if ((rc = cp_producers(m, prod, err)) != NEURIO_OK ||
        (rc = cp_topo_order(m, prod, order, &n_done, err)) != NEURIO_OK)
        goto fail;
    int32_t n_new_t = cp_number_tensors(m, order, n_done, tmap);
    rc = NEURIO_ERR_NOMEM;
    nts = calloc((size_t)(n_new_t ? n_new_t : 1), sizeof *nts);
    nops = calloc((size_t)(n_done ? n_done : 1), sizeof *nops);
    if (!nts || !nops)
        goto fail;
    for (int32_t i = 0; i < no; i++)
        omap[i] = -1;
    for (int32_t r = 0; r < n_done; r++)
        omap[order[r]] = r;
    cp_commit(m, prod, tmap, omap, nts, n_new_t, nops, n_done); /* nothing fails from here */
    nts = NULL;
    nops = NULL;
    rc = NEURIO_OK;
fail:
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "compact: out of memory");
    free(prod);
    free(order);
    free(tmap);
    free(omap);
    free(nts);
    free(nops);
    return rc;
}
