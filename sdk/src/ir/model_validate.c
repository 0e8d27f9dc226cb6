/* sdk/src/ir/model_validate.c — structural checks on the graph IR
 * (neurio_model_validate, declared in neurio/model.h): tensors, graph
 * inputs and outputs, and how ops are wired (indices, producers, order);
 * the per-op rules are in model_validate_ops.c.
 *
 * Every message names the op index and kind (or the tensor index and name)
 * and what was expected, so a user or a pass author can act on it. */
#include "neurio/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_validate_internal.h"

static int check_tensor(const neurio_model *m, int32_t i, neurio_errbuf *err)
{
    const neurio_tensor *t = &m->tensors[i];
    const char *nm = t->name ? t->name : "";
    if (t->rank < 0 || t->rank > NEURIO_MAX_RANK)
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': rank %d is outside "
                           "0..%d", i, nm, t->rank, NEURIO_MAX_RANK);
    for (int32_t d = 0; d < t->rank; d++)
        if (t->dims[d] < 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': dimension %d is %d "
                               "(unknown sizes must be fixed before use)", i, nm, d,
                               t->dims[d]);
    if (t->dtype == NEURIO_DT_UNKNOWN || t->dtype == NEURIO_DT_FLOAT64 ||
        neurio_dtype_size(t->dtype) == 0)
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': dtype %s is not a "
                           "model tensor type", i, nm, neurio_dtype_name(t->dtype));
    if (neurio_tensor_bytes(t) == SIZE_MAX)
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': size overflows", i, nm);
    if (t->data && t->data_bytes != neurio_tensor_bytes(t))
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': constant data is %zu "
                           "bytes, its shape and dtype need %zu", i, nm, t->data_bytes,
                           neurio_tensor_bytes(t));
    const neurio_quant *q = &t->quant;
    if (q->count < 0 || (q->count > 0 && (!q->scale || !q->zero_point)))
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': broken quantization "
                           "record", i, nm);
    if (q->count > 1 && (q->axis < 0 || q->axis >= t->rank || t->dims[q->axis] != q->count))
        return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': %d per-channel scales "
                           "along axis %d do not match its shape", i, nm, q->count, q->axis);
    for (int32_t k = 0; k < q->count; k++)
        if (!(isfinite(q->scale[k]) && q->scale[k] > 0))
            return neurio_fail(err, NEURIO_ERR_INVALID, "tensor %d '%.60s': scale[%d] = %g "
                               "must be a positive number", i, nm, k, (double)q->scale[k]);
    return NEURIO_OK;
}

static int is_graph_input(const neurio_model *m, int32_t t)
{
    for (int32_t g = 0; g < m->n_inputs; g++)
        if (m->inputs[g] == t)
            return 1;
    return 0;
}

/* Graph inputs: in range, not constant, not empty; graph outputs in range. */
static int check_graph_io(const neurio_model *m, neurio_errbuf *err)
{
    for (int32_t i = 0; i < m->n_inputs; i++) {
        int32_t t = m->inputs[i];
        if (t < 0 || t >= m->n_tensors)
            return neurio_fail(err, NEURIO_ERR_INVALID, "graph input %d refers to tensor %d; "
                               "the model has %d tensors", i, t, m->n_tensors);
        if (m->tensors[t].data)
            return neurio_fail(err, NEURIO_ERR_INVALID, "graph input %d (tensor %d '%.60s') is "
                               "a constant", i, t, m->tensors[t].name);
        if (neurio_tensor_elements(&m->tensors[t]) == 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "graph input %d (tensor %d '%.60s') has "
                               "zero elements", i, t, m->tensors[t].name);
    }
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] < 0 || m->outputs[i] >= m->n_tensors)
            return neurio_fail(err, NEURIO_ERR_INVALID, "graph output %d refers to tensor %d; "
                               "the model has %d tensors", i, m->outputs[i], m->n_tensors);
    return NEURIO_OK;
}

/* Input k of the op: in range (or -1), available before the op (constant,
 * graph input or produced earlier), quantized when its dtype needs it. */
static int check_op_input(vctx *c, int32_t k)
{
    const neurio_model *m = c->m;
    int32_t t = c->op->inputs[k];
    if (t == -1)
        return NEURIO_OK;
    if (t < -1 || t >= m->n_tensors)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d refers to tensor %d; the model has "
                           "%d tensors", k, t, m->n_tensors);
    const neurio_tensor *tt = &m->tensors[t];
    if (!tt->data && !is_graph_input(m, t) && !tt->is_variable && c->prod[t] < 0) {
        int later = 0;
        for (int32_t j = c->op_index; j < m->n_ops && !later; j++)
            for (int32_t q = 0; q < m->ops[j].n_outputs; q++)
                later |= m->ops[j].outputs[q] == t;
        return nir_op_fail(c, NEURIO_ERR_INVALID, later
                           ? "input %d (tensor %d '%.60s') is produced by a later op: ops "
                             "are not in topological order or form a cycle"
                           : "input %d (tensor %d '%.60s') is dangling: not a constant, "
                             "not a graph input and produced by no op",
                           k, t, tt->name);
    }
    if (nir_is_quant_dtype(tt->dtype) && tt->quant.count < 1 &&
        !nir_op_takes_raw_integers(c->op->kind))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d (tensor %d '%.60s') is %s without "
                           "quantization parameters", k, t, tt->name,
                           neurio_dtype_name(tt->dtype));
    if (!tt->data && neurio_tensor_elements(tt) == 0)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d (tensor %d '%.60s') has zero "
                           "elements", k, t, tt->name);
    return NEURIO_OK;
}

/* Output k of the op: in range, produced only here, not a constant or a
 * graph input, quantized when its dtype needs it; records its producer. */
static int check_op_output(vctx *c, int32_t k, int32_t *prod)
{
    const neurio_model *m = c->m;
    int32_t t = c->op->outputs[k];
    if (t < 0 || t >= m->n_tensors)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output %d refers to tensor %d; the model "
                           "has %d tensors", k, t, m->n_tensors);
    const neurio_tensor *tt = &m->tensors[t];
    if (tt->data || tt->is_variable || prod[t] >= 0)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output %d (tensor %d '%.60s') is %s", k, t,
                           tt->name, tt->data ? "a constant"
                                     : tt->is_variable ? "a variable (state) tensor"
                                                       : "already produced by another op");
    if (is_graph_input(m, t))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output %d (tensor %d '%.60s') is a graph "
                           "input", k, t, tt->name);
    if (nir_is_quant_dtype(tt->dtype) && tt->quant.count < 1 &&
        !nir_op_takes_raw_integers(c->op->kind))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output %d (tensor %d '%.60s') is %s without "
                           "quantization parameters", k, t, tt->name,
                           neurio_dtype_name(tt->dtype));
    if (neurio_tensor_elements(tt) == 0)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output %d (tensor %d '%.60s') has zero "
                           "elements", k, t, tt->name);
    prod[t] = c->op_index;
    return NEURIO_OK;
}

/* Op i: live, wired to valid tensors in order, and its kind's rules. */
static int check_op_at(const neurio_model *m, int32_t i, int32_t *prod, neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[i];
    vctx c = { .m = m, .err = err, .op_index = i, .op = op, .prod = prod };
    int rc;
    if (op->removed)
        return nir_op_fail(&c, NEURIO_ERR_INVALID, "is marked removed; call "
                           "neurio_model_compact() before validating");
    if (op->n_inputs < 0 || op->n_outputs < 1 || (op->n_inputs && !op->inputs) || !op->outputs)
        return nir_op_fail(&c, NEURIO_ERR_INVALID, "has %d inputs and %d outputs", op->n_inputs,
                           op->n_outputs);
    for (int32_t k = 0; k < op->n_inputs; k++)
        if ((rc = check_op_input(&c, k)))
            return rc;
    for (int32_t k = 0; k < op->n_outputs; k++)
        if ((rc = check_op_output(&c, k, prod)))
            return rc;
    return nir_check_op(&c);
}

int neurio_model_validate(const neurio_model *m, neurio_errbuf *err)
{
    if (!m)
        return neurio_fail(err, NEURIO_ERR_INVALID, "no model");
    if (m->n_inputs < 1 || m->n_outputs < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID, "the model has %d inputs and %d "
                           "outputs; it needs at least one of each", m->n_inputs,
                           m->n_outputs);
    if (m->n_tensors < 0 || m->n_ops < 0 || (m->n_tensors && !m->tensors) ||
        (m->n_ops && !m->ops))
        return neurio_fail(err, NEURIO_ERR_INVALID, "broken model arrays");
    int rc;
    for (int32_t i = 0; i < m->n_tensors; i++)
        if ((rc = check_tensor(m, i, err)))
            return rc;
    if ((rc = check_graph_io(m, err)))
        return rc;
    int32_t *prod = malloc((size_t)(m->n_tensors ? m->n_tensors : 1) * sizeof *prod);
    if (!prod)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "validate: out of memory");
    for (int32_t t = 0; t < m->n_tensors; t++)
        prod[t] = -1;
    for (int32_t i = 0; i < m->n_ops; i++)
        if ((rc = check_op_at(m, i, prod, err)))
            goto fail;
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        if (prod[t] < 0 && !is_graph_input(m, t)) {
            rc = neurio_fail(err, NEURIO_ERR_INVALID, "graph output %d (tensor %d '%.60s') is "
                             "produced by no op", i, t, m->tensors[t].name);
            goto fail;
        }
    }
fail:
    free(prod);
    return rc;
}
