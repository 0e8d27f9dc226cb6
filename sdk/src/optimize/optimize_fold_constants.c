/* sdk/src/optimize/optimize_fold_constants.c — constant folding: an op whose inputs
 * are all constant is evaluated once with the reference interpreter and its
 * output becomes a constant tensor.  QUANTIZE/DEQUANTIZE are kept (they
 * carry the quantization of imported QDQ graphs); ops the interpreter
 * cannot run are left alone. */
#include <stdlib.h>
#include <string.h>

#include "neurio/interp.h"
#include "optimize_internal.h"

static int all_const_inputs(const neurio_model *m, const neurio_op *op)
{
    int any = 0;
    for (int32_t k = 0; k < op->n_inputs; k++) {
        if (op->inputs[k] < 0)
            continue;
        if (!m->tensors[op->inputs[k]].data)
            return 0;
        any = 1;
    }
    return any;
}

/* Evaluate op i alone; on success its output tensor gets the data. */
static int fold_one(neurio_model *m, int32_t i, neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[i];
    neurio_model *sub = neurio_model_new("fold");
    int rc = 0;
    if (!sub)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    int32_t ins[64], out;
    if (op->n_inputs > 64 || op->n_outputs != 1)
        goto done;
    for (int32_t k = 0; k < op->n_inputs; k++) {
        ins[k] = -1;
        if (op->inputs[k] < 0)
            continue;
        const neurio_tensor *t = &m->tensors[op->inputs[k]];
        ins[k] = neurio_model_add_tensor(sub, t->name, t->dtype, t->rank, t->dims);
        if (ins[k] < 0 || neurio_tensor_set_data(sub, ins[k], t->data, t->data_bytes) ||
            neurio_tensor_set_quant(sub, ins[k], t->quant.count, t->quant.axis, t->quant.scale,
                                    t->quant.zero_point)) {
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    out = neurio_model_add_tensor(sub, y->name, y->dtype, y->rank, y->dims);
    int32_t o = out < 0 ? -1 : neurio_model_add_op(sub, op->kind, op->n_inputs, ins, 1, &out);
    if (o < 0) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    sub->ops[o].attr = m->ops[i].attr;
    if (neurio_model_set_io(sub, 0, NULL, 1, &out)) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    neurio_interp *it = NULL;
    neurio_errbuf e2;
    if (neurio_interp_new(sub, &it, &e2) != NEURIO_OK)
        goto done; /* not foldable here: keep the op */
    size_t bytes = neurio_tensor_bytes(&sub->tensors[out]);
    void *buf = malloc(bytes ? bytes : 1);
    void *outs[1] = { buf };
    if (buf && neurio_interp_run(it, NULL, outs, &e2) == NEURIO_OK &&
        neurio_tensor_set_data(m, m->ops[i].outputs[0], buf, bytes) == NEURIO_OK) {
        m->ops[i].removed = 1;
        rc = 1;
    }
    free(buf);
    neurio_interp_free(it);
done:
    neurio_model_free(sub);
    return rc;
}

int nopt_fold_constants(neurio_model *m, neurio_errbuf *err)
{
    int n = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed || op->kind == NEURIO_OP_QUANTIZE || op->kind == NEURIO_OP_DEQUANTIZE ||
            op->n_outputs != 1 || !all_const_inputs(m, op) ||
            nopt_is_graph_output(m, op->outputs[0]))
            continue;
        int r = fold_one(m, i, err);
        if (r < 0)
            return r;
        n += r;
    }
    return n;
}
