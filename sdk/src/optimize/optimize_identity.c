/* sdk/src/optimize/optimize_identity.c — removal of no-op layout ops: RESHAPE to the
 * same shape, TRANSPOSE with the identity permutation (a TRANSPOSE that
 * only moves size-1 dims becomes a RESHAPE), PAD of zeros everywhere, CLIP
 * to (-inf, inf), and chains RESHAPE -> RESHAPE collapsed into one; SQUEEZE
 * and EXPAND_DIMS become RESHAPE (aliased by the planner); a layout
 * TRANSPOSE before Flatten -> FC moves into the FC weights
 * (optimize_transpose.c). */
#include <math.h>
#include <string.h>

#include "optimize_internal.h"

static int same_shape(const neurio_tensor *a, const neurio_tensor *b)
{
    return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank);
}

static int transpose_moves_only_ones(const neurio_tensor *x, const int32_t *perm)
{
    /* The non-1 dims keep their relative order. */
    int32_t last = -1;
    for (int32_t i = 0; i < x->rank; i++) {
        int32_t p = perm[i];
        if (p < 0 || p >= x->rank)
            return 0;
        if (x->dims[p] == 1)
            continue;
        if (p < last)
            return 0;
        last = p;
    }
    return 1;
}

static int zero_pad(const neurio_model *m, const neurio_op *op)
{
    if (op->n_inputs < 2 || op->inputs[1] < 0)
        return 0;
    const neurio_tensor *p = &m->tensors[op->inputs[1]];
    if (!p->data)
        return 0;
    size_t n = neurio_tensor_elements(p), esz = neurio_dtype_size(p->dtype);
    const unsigned char *b = p->data;
    for (size_t i = 0; i < n * esz; i++)
        if (b[i])
            return 0;
    return 1;
}

int nopt_remove_identity(neurio_model *m, neurio_errbuf *err)
{
    int n = nopt_fold_transpose_fc(m, err);
    if (n < 0)
        return n;
    for (int32_t i = 0; i < m->n_ops; i++) {
        neurio_op *op = &m->ops[i];
        if (op->removed || op->n_inputs < 1 || op->n_outputs != 1 || op->inputs[0] < 0)
            continue;
        int32_t in = op->inputs[0], out = op->outputs[0];
        const neurio_tensor *x = &m->tensors[in], *y = &m->tensors[out];
        if (x->dtype != y->dtype || !nopt_same_quant(x, y))
            continue;
        if (op->kind == NEURIO_OP_TRANSPOSE) {
            if (!transpose_moves_only_ones(x, op->attr.transpose.perm))
                continue;
            op->kind = NEURIO_OP_RESHAPE; /* same bytes */
            memset(&op->attr, 0, sizeof op->attr);
            n++;
        } else if (op->kind == NEURIO_OP_SQUEEZE || op->kind == NEURIO_OP_EXPAND_DIMS) {
            op->kind = NEURIO_OP_RESHAPE; /* same bytes, the output's shape */
            op->n_inputs = 1;              /* EXPAND_DIMS' axis is not needed */
            memset(&op->attr, 0, sizeof op->attr);
            n++;
        }
        int noop = 0;
        switch (op->kind) {
        case NEURIO_OP_RESHAPE:
            noop = same_shape(x, y);
            if (!noop) {
                /* RESHAPE of a RESHAPE output: read the first one's input */
                int32_t p = nopt_producer(m, in);
                if (p >= 0 && m->ops[p].kind == NEURIO_OP_RESHAPE && m->ops[p].inputs[0] >= 0 &&
                    nopt_same_quant(&m->tensors[m->ops[p].inputs[0]], y)) {
                    op->inputs[0] = m->ops[p].inputs[0];
                    n++;
                }
            }
            break;
        case NEURIO_OP_PAD: noop = same_shape(x, y) && zero_pad(m, op); break;
        case NEURIO_OP_CLIP:
            noop = isinf(op->attr.clip.min) && op->attr.clip.min < 0 &&
                   isinf(op->attr.clip.max) && op->attr.clip.max > 0;
            break;
        default: break;
        }
        if (noop)
            n += nopt_bypass(m, i, op->inputs[0]);
    }
    return n;
}
