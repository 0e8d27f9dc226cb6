/* sdk/src/optimize/optimize_batch_norm.c — fold BATCH_NORM into the CONV_2D /
 * DEPTHWISE_CONV_2D / FULLY_CONNECTED that produces its input:
 *     s[c] = gamma[c] / sqrt(var[c] + eps)
 *     W'[c] = W[c] * s[c]          (per output channel)
 *     b'[c] = (b[c] - mean[c]) * s[c] + beta[c]
 * A BATCH_NORM that cannot be folded becomes MUL(s) + ADD(beta - mean*s). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimize_internal.h"

/* Channel index of weight element i for an op kind. */
static int32_t out_channel(const neurio_tensor *w, neurio_op_kind k, size_t i)
{
    if (k == NEURIO_OP_DEPTHWISE_CONV_2D)
        return (int32_t)(i % (size_t)w->dims[w->rank - 1]);
    size_t per = neurio_tensor_elements(w) / (size_t)w->dims[0];
    return (int32_t)(i / per);
}

static int try_fold(neurio_model *m, int32_t i, const float *s, const float *shift,
                    neurio_errbuf *err)
{
    neurio_op *bn = &m->ops[i];
    int32_t x = bn->inputs[0];
    int32_t p = nopt_producer(m, x);
    if (p < 0 || nopt_single_consumer(m, x) != i)
        return 0;
    neurio_op *op = &m->ops[p];
    if (op->kind != NEURIO_OP_CONV_2D && op->kind != NEURIO_OP_DEPTHWISE_CONV_2D &&
        op->kind != NEURIO_OP_FULLY_CONNECTED)
        return 0;
    neurio_activation act = op->kind == NEURIO_OP_FULLY_CONNECTED ? op->attr.fc.activation
                                                                  : op->attr.conv.activation;
    if (act != NEURIO_ACT_NONE || op->n_inputs < 2)
        return 0;
    const neurio_tensor *w = &m->tensors[op->inputs[1]];
    if (!w->data || w->dtype != NEURIO_DT_FLOAT32 || w->rank < 2)
        return 0;
    int32_t C = m->tensors[bn->outputs[0]].dims[m->tensors[bn->outputs[0]].rank - 1];
    int32_t wc = op->kind == NEURIO_OP_DEPTHWISE_CONV_2D ? w->dims[w->rank - 1] : w->dims[0];
    if (wc != C)
        return 0;
    int32_t bi = op->n_inputs > 2 ? op->inputs[2] : -1;
    if (bi >= 0 && (!m->tensors[bi].data || m->tensors[bi].dtype != NEURIO_DT_FLOAT32 ||
                    neurio_tensor_elements(&m->tensors[bi]) != (size_t)C))
        return 0;
    size_t n = neurio_tensor_elements(w);
    float *nw = malloc(n * sizeof *nw), *nb = malloc((size_t)C * sizeof *nb);
    if (!nw || !nb) {
        free(nw);
        free(nb);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    const float *ow = w->data;
    for (size_t k = 0; k < n; k++)
        nw[k] = ow[k] * s[out_channel(w, op->kind, k)];
    const float *ob = bi >= 0 ? m->tensors[bi].data : NULL;
    for (int32_t c = 0; c < C; c++)
        nb[c] = (ob ? ob[c] : 0.0f) * s[c] + shift[c];
    char name[300];
    int32_t wd[NEURIO_MAX_RANK];
    memcpy(wd, w->dims, sizeof wd);
    int32_t wr = w->rank;
    snprintf(name, sizeof name, "%s_bnfold", w->name);
    int32_t tw = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, wr, wd);
    snprintf(name, sizeof name, "%s_bias_bnfold", m->ops[p].name ? m->ops[p].name : "");
    int32_t tb = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, 1, &C);
    int rc = (tw < 0 || tb < 0) ? NEURIO_ERR_NOMEM : NEURIO_OK;
    if (!rc)
        rc = neurio_tensor_set_data(m, tw, nw, n * sizeof *nw);
    if (!rc)
        rc = neurio_tensor_set_data(m, tb, nb, (size_t)C * sizeof *nb);
    free(nw);
    free(nb);
    if (rc)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    op = &m->ops[p];
    bn = &m->ops[i];
    if (op->n_inputs < 3) {
        /* the op had no bias slot: add one */
        int32_t *ni = realloc(op->inputs, 3 * sizeof *ni);
        if (!ni)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        op->inputs = ni;
        op->n_inputs = 3;
    }
    op->inputs[1] = tw;
    op->inputs[2] = tb;
    op->outputs[0] = bn->outputs[0];
    bn->removed = 1;
    return 1;
}

static int to_mul_add(neurio_model *m, int32_t i, const float *s, const float *shift,
                      neurio_errbuf *err)
{
    neurio_op *bn = &m->ops[i];
    int32_t x = bn->inputs[0], y = bn->outputs[0];
    const neurio_tensor *tx = &m->tensors[x];
    int32_t rank = tx->rank, C = tx->dims[rank - 1], cd[NEURIO_MAX_RANK], xd[NEURIO_MAX_RANK];
    for (int32_t k = 0; k < rank; k++) {
        cd[k] = k == rank - 1 ? C : 1;
        xd[k] = tx->dims[k];
    }
    char name[300];
    snprintf(name, sizeof name, "%s_bn_scale", bn->name ? bn->name : "");
    int32_t ts = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, cd);
    snprintf(name, sizeof name, "%s_bn_shift", m->ops[i].name ? m->ops[i].name : "");
    int32_t th = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, cd);
    snprintf(name, sizeof name, "%s_bn_mul", m->ops[i].name ? m->ops[i].name : "");
    int32_t tm = neurio_model_add_tensor(m, name, NEURIO_DT_FLOAT32, rank, xd);
    if (ts < 0 || th < 0 || tm < 0 ||
        neurio_tensor_set_data(m, ts, s, (size_t)C * sizeof *s) ||
        neurio_tensor_set_data(m, th, shift, (size_t)C * sizeof *shift))
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    int32_t in1[2] = { x, ts }, in2[2] = { tm, th };
    int32_t o1 = neurio_model_add_op(m, NEURIO_OP_MUL, 2, in1, 1, &tm);
    int32_t o2 = o1 < 0 ? -1 : neurio_model_add_op(m, NEURIO_OP_ADD, 2, in2, 1, &y);
    if (o2 < 0)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    m->ops[i].removed = 1;
    return 1;
}

int nopt_fold_batch_norm(neurio_model *m, neurio_errbuf *err)
{
    int n = 0;
    int32_t n_ops = m->n_ops; /* ops appended here are not BATCH_NORM */
    for (int32_t i = 0; i < n_ops; i++) {
        neurio_op *bn = &m->ops[i];
        if (bn->removed || bn->kind != NEURIO_OP_BATCH_NORM)
            continue;
        if (bn->n_inputs != 5)
            return neurio_fail(err, NEURIO_ERR_INVALID, "op %d (BATCH_NORM): %d inputs, expected 5",
                               (int)i, (int)bn->n_inputs);
        const neurio_tensor *x = &m->tensors[bn->inputs[0]];
        if (x->dtype != NEURIO_DT_FLOAT32 || x->rank < 1)
            return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                               "op %d (BATCH_NORM '%s'): only float batch norm can be folded",
                               (int)i, bn->name ? bn->name : "");
        int32_t C = x->dims[x->rank - 1];
        const float *prm[4];
        for (int k = 0; k < 4; k++) {
            const neurio_tensor *t = &m->tensors[bn->inputs[k + 1]];
            if (!t->data || t->dtype != NEURIO_DT_FLOAT32 || neurio_tensor_elements(t) != (size_t)C)
                return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                                   "op %d (BATCH_NORM '%s'): input %d must be a constant float[%d]",
                                   (int)i, bn->name ? bn->name : "", k + 1, (int)C);
            prm[k] = t->data;
        }
        float *s = malloc((size_t)C * sizeof *s), *sh = malloc((size_t)C * sizeof *sh);
        if (!s || !sh) {
            free(s);
            free(sh);
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        }
        float eps = bn->attr.batch_norm.epsilon;
        for (int32_t c = 0; c < C; c++) {
            s[c] = prm[0][c] / sqrtf(prm[3][c] + eps);
            sh[c] = prm[1][c] - prm[2][c] * s[c];
        }
        int r = try_fold(m, i, s, sh, err);
        if (r == 0)
            r = to_mul_add(m, i, s, sh, err);
        free(s);
        free(sh);
        if (r < 0)
            return r;
        n += r;
    }
    return n;
}
