/* sdk/src/optimize/optimize_fuse_act.c — fuse a standalone RELU / RELU6 / CLIP(0,6) /
 * CLIP(-1,1) / CLIP(0,inf) into the fused activation of the op producing its
 * input (conv, depthwise, fully connected, add/sub/mul, pooling), when that
 * op has no activation yet and the activation is its only reader. */
#include <math.h>

#include "optimize_internal.h"

static neurio_activation act_of(const neurio_op *op)
{
    switch (op->kind) {
    case NEURIO_OP_RELU: return NEURIO_ACT_RELU;
    case NEURIO_OP_RELU6: return NEURIO_ACT_RELU6;
    case NEURIO_OP_CLIP:
        if (op->attr.clip.min == 0.0f && op->attr.clip.max == 6.0f)
            return NEURIO_ACT_RELU6;
        if (op->attr.clip.min == -1.0f && op->attr.clip.max == 1.0f)
            return NEURIO_ACT_RELU_N1_TO_1;
        if (op->attr.clip.min == 0.0f && isinf(op->attr.clip.max) && op->attr.clip.max > 0)
            return NEURIO_ACT_RELU;
        return NEURIO_ACT_NONE;
    default: return NEURIO_ACT_NONE;
    }
}

static neurio_activation *fused_slot(neurio_op *p)
{
    switch (p->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D: return &p->attr.conv.activation;
    case NEURIO_OP_FULLY_CONNECTED: return &p->attr.fc.activation;
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL: return &p->attr.eltwise.activation;
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: return &p->attr.pool.activation;
    default: return NULL;
    }
}

int nopt_fuse_activations(neurio_model *m, neurio_errbuf *err)
{
    (void)err;
    int n = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        neurio_op *op = &m->ops[i];
        neurio_activation act = act_of(op);
        if (op->removed || act == NEURIO_ACT_NONE || op->n_inputs < 1 || op->inputs[0] < 0)
            continue;
        int32_t x = op->inputs[0], y = op->outputs[0];
        int32_t p = nopt_producer(m, x);
        if (p < 0 || nopt_single_consumer(m, x) != i)
            continue;
        neurio_activation *slot = fused_slot(&m->ops[p]);
        if (!slot || *slot != NEURIO_ACT_NONE)
            continue;
        const neurio_tensor *tx = &m->tensors[x], *ty = &m->tensors[y];
        /* int8: fusing keeps the producer's output quantization, so only
         * when the activation did not requantize */
        if (tx->dtype != ty->dtype || !nopt_same_quant(tx, ty))
            continue;
        if (nopt_is_graph_input(m, y))
            continue;
        *slot = act;
        m->ops[p].outputs[0] = y;
        op->removed = 1;
        n++;
    }
    return n;
}
