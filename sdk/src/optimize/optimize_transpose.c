/* sdk/src/optimize/optimize_transpose.c — fold a layout TRANSPOSE that only feeds a
 * flattening RESHAPE into a FULLY_CONNECTED with constant float weights: the
 * permutation moves into the weight columns, so an NCHW model's Flatten ->
 * Gemm runs on NHWC data with no transpose on the device.
 *   TRANSPOSE(x -> t) -> RESHAPE(t -> f [B, K]) -> FC(f, W[N, K])
 * becomes RESHAPE(x -> f) -> FC(f, W') with W'[n][src(i)] = W[n][i], where
 * src(i) is the flat index in x of the element at flat index i of t. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimize_internal.h"

static int fold_at(neurio_model *m, int32_t ti, neurio_errbuf *err)
{
    neurio_op *tr = &m->ops[ti];
    int32_t x = tr->inputs[0], t = tr->outputs[0];
    int32_t ri = nopt_single_consumer(m, t);
    if (ri < 0 || m->ops[ri].kind != NEURIO_OP_RESHAPE)
        return 0;
    int32_t f = m->ops[ri].outputs[0];
    int32_t fi = nopt_single_consumer(m, f);
    if (fi < 0 || m->ops[fi].kind != NEURIO_OP_FULLY_CONNECTED || m->ops[fi].inputs[0] != f)
        return 0;
    const neurio_tensor *tx = &m->tensors[x], *tf = &m->tensors[f];
    const neurio_tensor *w = &m->tensors[m->ops[fi].inputs[1]];
    if (!w->data || w->dtype != NEURIO_DT_FLOAT32 || w->rank != 2 || tf->rank != 2 ||
        tx->dims[0] != 1 || tf->dims[0] != 1)
        return 0;
    int32_t N = w->dims[0], K = w->dims[1];
    if ((size_t)K != neurio_tensor_elements(tx))
        return 0;
    /* src[i]: x flat index of t's i-th element */
    int32_t rank = tx->rank, st[NEURIO_MAX_RANK], od[NEURIO_MAX_RANK], idx[NEURIO_MAX_RANK] = { 0 };
    const int32_t *perm = tr->attr.transpose.perm;
    int32_t s = 1;
    for (int32_t i = rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= tx->dims[i];
    }
    for (int32_t i = 0; i < rank; i++)
        od[i] = tx->dims[perm[i]];
    float *nw = malloc((size_t)N * (size_t)K * sizeof *nw);
    if (!nw)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    const float *ow = w->data;
    for (int32_t i = 0; i < K; i++) {
        int32_t src = 0;
        for (int32_t k = 0; k < rank; k++)
            src += idx[k] * st[perm[k]];
        for (int32_t n = 0; n < N; n++)
            nw[(size_t)n * K + src] = ow[(size_t)n * K + i];
        for (int32_t k = rank - 1; k >= 0; k--) {
            if (++idx[k] < od[k])
                break;
            idx[k] = 0;
        }
    }
    char name[300];
    snprintf(name, sizeof name, "%s_nhwc", w->name);
    int32_t wd[2] = { N, K };
    int32_t nt = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, 2, wd);
    int rc = nt < 0 ? NEURIO_ERR_NOMEM
                    : neurio_tensor_set_data(m, nt, nw, (size_t)N * (size_t)K * sizeof *nw);
    free(nw);
    if (rc)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    m->ops[fi].inputs[1] = nt;
    m->ops[ri].inputs[0] = x;
    m->ops[ti].removed = 1;
    return 1;
}

int nopt_fold_transpose_fc(neurio_model *m, neurio_errbuf *err)
{
    int n = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        if (m->ops[i].removed || m->ops[i].kind != NEURIO_OP_TRANSPOSE ||
            m->ops[i].n_inputs < 1 || m->ops[i].inputs[0] < 0)
            continue;
        int r = fold_at(m, i, err);
        if (r < 0)
            return r;
        n += r;
    }
    return n;
}
