/* sdk/src/optimize/optimize.c — neurio_optimize(): runs every pass until the graph
 * stops changing, plus the shared rewrite helpers of optimize_internal.h. */
#include <string.h>

#include "neurio/optimize.h"
#include "optimize_internal.h"

static const int nopt_max_rounds = 16;

int nopt_is_graph_output(const neurio_model *m, int32_t t)
{
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] == t)
            return 1;
    return 0;
}

int nopt_is_graph_input(const neurio_model *m, int32_t t)
{
    for (int32_t i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == t)
            return 1;
    return 0;
}

int32_t nopt_single_consumer(const neurio_model *m, int32_t t)
{
    if (nopt_is_graph_output(m, t))
        return -1;
    int32_t found = -1;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] == t) {
                if (found >= 0 && found != i)
                    return -1;
                found = i;
            }
    }
    return found;
}

void nopt_replace_uses(neurio_model *m, int32_t from, int32_t to)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] == from)
                op->inputs[k] = to;
    }
    for (int32_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i] == from)
            m->outputs[i] = to;
}

int32_t nopt_producer(const neurio_model *m, int32_t t)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        for (int32_t k = 0; k < op->n_outputs; k++)
            if (op->outputs[k] == t)
                return i;
    }
    return -1;
}

int nopt_same_quant(const neurio_tensor *a, const neurio_tensor *b)
{
    if (a->quant.count != b->quant.count)
        return 0;
    for (int32_t i = 0; i < a->quant.count; i++)
        if (a->quant.scale[i] != b->quant.scale[i] ||
            a->quant.zero_point[i] != b->quant.zero_point[i])
            return 0;
    return 1;
}

int nopt_bypass(neurio_model *m, int32_t i, int32_t in)
{
    int32_t out = m->ops[i].outputs[0];
    if (nopt_is_graph_output(m, out)) {
        /* The graph output would become `in`: only when `in` is computed by
         * an op and is not itself an io tensor, and has the same shape. */
        const neurio_tensor *a = &m->tensors[in], *b = &m->tensors[out];
        if (nopt_is_graph_input(m, in) || nopt_is_graph_output(m, in) || a->data ||
            a->rank != b->rank || memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank))
            return 0;
        /* other readers of `in` are fine: it stays computed */
    }
    m->ops[i].removed = 1;
    nopt_replace_uses(m, out, in);
    return 1;
}

#define NOPT_PUBLIC(pub, impl)                                                \
    int pub(neurio_model *m, neurio_errbuf *err)                              \
    {                                                                         \
        int n = impl(m, err);                                                 \
        if (n < 0)                                                            \
            return n;                                                         \
        return neurio_model_compact(m, err);                                  \
    }

NOPT_PUBLIC(neurio_opt_fold_constants, nopt_fold_constants)
NOPT_PUBLIC(neurio_opt_fold_batch_norm, nopt_fold_batch_norm)
NOPT_PUBLIC(neurio_opt_fuse_activations, nopt_fuse_activations)
NOPT_PUBLIC(neurio_opt_remove_identity, nopt_remove_identity)
NOPT_PUBLIC(neurio_opt_remove_dead, nopt_remove_dead)
NOPT_PUBLIC(neurio_opt_depthwise_to_conv, nopt_depthwise_to_conv)
NOPT_PUBLIC(neurio_opt_schedule_memory, nopt_schedule_memory)

int neurio_optimize(neurio_model *m, neurio_errbuf *err)
{
    int (*const passes[])(neurio_model *, neurio_errbuf *) = {
        nopt_fold_constants, nopt_remove_identity, nopt_fold_batch_norm,
        nopt_fuse_activations, nopt_remove_dead, nopt_depthwise_to_conv,
        nopt_schedule_memory,
    };
    if (!m)
        return neurio_fail(err, NEURIO_ERR_INVALID, "optimize: no model");
    for (int round = 0; round < nopt_max_rounds; round++) {
        int changed = 0;
        for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
            int n = passes[p](m, err);
            if (n < 0)
                return n;
            changed += n;
            int rc = neurio_model_compact(m, err);
            if (rc != NEURIO_OK)
                return rc;
        }
        if (!changed)
            break;
    }
    return neurio_model_validate(m, err);
}
