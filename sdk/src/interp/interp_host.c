/* sdk/src/interp/interp_host.c — the ops the interpreter runs without a
 * device kernel: float BATCH_NORM and MATMUL (the optimizer folds them away
 * before code generation where it can; TRANSPOSE has its kernel, nk_transpose). */
#include <math.h>
#include <string.h>

#include "interp_internal.h"

int nit_host_only(const neurio_model *m, const neurio_op *op)
{
    neurio_dtype dt = op->n_inputs > 0 && op->inputs[0] >= 0 ? m->tensors[op->inputs[0]].dtype
                                                               : NEURIO_DT_FLOAT32;
    switch (op->kind) {
    case NEURIO_OP_BATCH_NORM:
    case NEURIO_OP_MATMUL: return dt == NEURIO_DT_FLOAT32;
    default: return 0;
    }
}

static int it_batch_norm(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]];
    int32_t C = x->rank ? x->dims[x->rank - 1] : 1;
    size_t n = neurio_tensor_elements(x);
    const float *in = it->buf[op->inputs[0]], *g = it->buf[op->inputs[1]],
                *b = it->buf[op->inputs[2]], *mu = it->buf[op->inputs[3]],
                *var = it->buf[op->inputs[4]];
    float *out = it->buf[op->outputs[0]];
    for (size_t i = 0; i < n; i++) {
        size_t c = i % (size_t)C;
        out[i] = (in[i] - mu[c]) / sqrtf(var[c] + op->attr.batch_norm.epsilon) * g[c] + b[c];
    }
    return NK_OK;
}

static int it_matmul(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *a = &it->m->tensors[op->inputs[0]], *b = &it->m->tensors[op->inputs[1]];
    if (a->rank < 2 || b->rank != a->rank)
        return NK_ERR_PARAMS;
    int32_t M = a->dims[a->rank - 2], K = a->dims[a->rank - 1], N = b->dims[b->rank - 1];
    size_t batch = neurio_tensor_elements(a) / ((size_t)M * (size_t)K);
    const float *A = it->buf[op->inputs[0]], *B = it->buf[op->inputs[1]];
    float *Y = it->buf[op->outputs[0]];
    for (size_t q = 0; q < batch; q++)
        for (int32_t i = 0; i < M; i++)
            for (int32_t j = 0; j < N; j++) {
                float acc = 0.0f;
                for (int32_t k = 0; k < K; k++)
                    acc += A[q * M * K + (size_t)i * K + k] * B[q * K * N + (size_t)k * N + j];
                Y[q * M * N + (size_t)i * N + j] = acc;
            }
    return NK_OK;
}

int nit_host_op(neurio_interp *it, const neurio_op *op)
{
    switch (op->kind) {
    case NEURIO_OP_BATCH_NORM: return it_batch_norm(it, op);
    case NEURIO_OP_MATMUL: return it_matmul(it, op);
    default: return NK_ERR_PARAMS;
    }
}
