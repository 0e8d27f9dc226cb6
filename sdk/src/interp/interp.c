/* sdk/src/interp/interp.c — reference interpreter of the IR on the host.
 *
 * Runs the model op by op with the portable kernels of firmware/kernels/
 * (nk_*_f32 for float ops; int8 ops in interp_s8.c with the same requant.h
 * constants as the code generator).  Layout-only ops (RESHAPE, TRANSPOSE),
 * BATCH_NORM and MATMUL, which have no device kernel, are plain loops here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "kernels/nk.h"
#include "lower/lower_state.h"

static int it_fail_op(const neurio_model *m, int32_t i, neurio_errbuf *err, int st,
                      const char *what)
{
    const neurio_op *op = &m->ops[i];
    return neurio_fail(err, st, "interpreter: op %d (%s '%s'): %s", (int)i,
                       neurio_op_name(op->kind), op->name ? op->name : "", what);
}

static int it_supported(const neurio_model *m, int32_t i, neurio_errbuf *err)
{
    const neurio_op *op = &m->ops[i];
    neurio_dtype dt = op->n_inputs > 0 && op->inputs[0] >= 0 ? m->tensors[op->inputs[0]].dtype
                                                               : NEURIO_DT_FLOAT32;
    if (nlw_is_state_op(op->kind))
        return NEURIO_OK; /* dtypes checked by neurio_model_validate */
    switch (op->kind) {
    case NEURIO_OP_RESHAPE:
    case NEURIO_OP_TRANSPOSE:
    case NEURIO_OP_CONCATENATION:
        return NEURIO_OK; /* any dtype */
    case NEURIO_OP_QUANTIZE:
        if ((dt == NEURIO_DT_FLOAT32 || dt == NEURIO_DT_INT8) &&
            m->tensors[op->outputs[0]].dtype == NEURIO_DT_INT8)
            return NEURIO_OK;
        break;
    case NEURIO_OP_DEQUANTIZE:
        if (dt == NEURIO_DT_INT8)
            return NEURIO_OK;
        break;
    default:
        if (dt == NEURIO_DT_FLOAT32 || (dt == NEURIO_DT_INT8 && nit_s8_supported(op->kind)))
            return NEURIO_OK;
        break;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%s inputs are not supported by the reference interpreter "
             "(float32 and int8 only)", neurio_dtype_name(dt));
    return it_fail_op(m, i, err, NEURIO_ERR_UNSUPPORTED, msg);
}

int neurio_interp_new(const neurio_model *m, neurio_interp **out, neurio_errbuf *err)
{
    *out = NULL;
    neurio_interp *it = calloc(1, sizeof *it);
    int rc = NEURIO_OK;
    if (!it)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    it->m = m;
    it->buf = calloc((size_t)m->n_tensors + 1, sizeof *it->buf);
    it->owned = calloc((size_t)m->n_tensors + 1, 1);
    if (!it->buf || !it->owned) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int32_t i = 0; i < m->n_ops; i++)
        if ((rc = it_supported(m, i, err)) != NEURIO_OK)
            goto fail;
    for (int32_t t = 0; t < m->n_tensors; t++) {
        const neurio_tensor *tt = &m->tensors[t];
        if (tt->data) {
            it->buf[t] = tt->data;
            continue;
        }
        size_t b = neurio_tensor_bytes(tt);
        it->buf[t] = calloc(b ? b : 1, 1);
        if (!it->buf[t]) {
            rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory for tensor %d", (int)t);
            goto fail;
        }
        it->owned[t] = 1;
    }
    neurio_interp_reset_state(it);
    *out = it;
    return NEURIO_OK;
fail:
    neurio_interp_free(it);
    return rc;
}

void neurio_interp_free(neurio_interp *it)
{
    if (!it)
        return;
    if (it->buf && it->owned)
        for (int32_t t = 0; t < it->m->n_tensors; t++)
            if (it->owned[t])
                free(it->buf[t]);
    free(it->buf);
    free(it->owned);
    free(it);
}

const void *neurio_interp_tensor(const neurio_interp *it, int32_t t)
{
    if (!it || t < 0 || t >= it->m->n_tensors)
        return NULL;
    return it->buf[t];
}

void neurio_interp_set_stateful(neurio_interp *it, int stateful)
{
    it->stateful = stateful != 0;
}

void neurio_interp_reset_state(neurio_interp *it)
{
    for (int32_t t = 0; t < it->m->n_tensors; t++) {
        const neurio_tensor *tt = &it->m->tensors[t];
        if (tt->is_variable && it->owned[t])
            memset(it->buf[t], nlw_state_reset_byte(tt), neurio_tensor_bytes(tt));
    }
}

void neurio_interp_set_hook(neurio_interp *it, neurio_interp_hook fn, void *user)
{
    it->hook = fn;
    it->user = user;
}

/* ---------------------------------------------------------------------- */

static void it_act(neurio_activation a, float *lo, float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (a == NEURIO_ACT_RELU) {
        *lo = 0.0f;
    } else if (a == NEURIO_ACT_RELU6) {
        *lo = 0.0f;
        *hi = 6.0f;
    } else if (a == NEURIO_ACT_RELU_N1_TO_1) {
        *lo = -1.0f;
        *hi = 1.0f;
    }
}

/* TFLite-style padding offsets (top/left) for SAME/VALID/EXPLICIT. */
int32_t nit_pad(neurio_padding p, const int32_t *explicit_pad, int side, int32_t in,
                      int32_t out, int32_t k, int32_t s, int32_t d)
{
    if (p == NEURIO_PAD_EXPLICIT)
        return explicit_pad[side];
    if (p == NEURIO_PAD_VALID)
        return 0;
    int32_t ek = (k - 1) * d + 1;
    int32_t tot = (out - 1) * s + ek - in;
    return tot > 0 ? tot / 2 : 0;
}

static int it_conv(neurio_interp *it, const neurio_op *op)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    const neurio_conv_attr *a = &op->attr.conv;
    nk_conv_params p = {
        .batches = x->dims[0], .in_h = x->dims[1], .in_w = x->dims[2], .in_c = x->dims[3],
        .out_h = y->dims[1], .out_w = y->dims[2], .out_c = y->dims[3],
        .filter_h = w->dims[1], .filter_w = w->dims[2],
        .stride_h = a->stride_h, .stride_w = a->stride_w,
        .dilation_h = a->dilation_h, .dilation_w = a->dilation_w,
        .depth_multiplier = a->depth_multiplier,
    };
    p.pad_top = nit_pad(a->padding, a->pad, 0, p.in_h, p.out_h, p.filter_h, p.stride_h, p.dilation_h);
    p.pad_left = nit_pad(a->padding, a->pad, 1, p.in_w, p.out_w, p.filter_w, p.stride_w, p.dilation_w);
    it_act(a->activation, &p.act_min_f, &p.act_max_f);
    const float *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? it->buf[op->inputs[2]] : NULL;
    if (op->kind == NEURIO_OP_CONV_2D)
        return nk_conv2d_f32(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                             it->buf[op->outputs[0]]);
    return nk_depthwise_conv2d_f32(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                                   it->buf[op->outputs[0]]);
}

static int it_fc(neurio_interp *it, const neurio_op *op)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    nk_fc_params p = { .in_depth = w->dims[1], .out_depth = w->dims[0] };
    if (p.in_depth <= 0)
        return NK_ERR_PARAMS;
    p.batches = (int32_t)(neurio_tensor_elements(x) / (size_t)p.in_depth);
    it_act(op->attr.fc.activation, &p.act_min_f, &p.act_max_f);
    const float *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? it->buf[op->inputs[2]] : NULL;
    return nk_fully_connected_f32(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                                  it->buf[op->outputs[0]]);
}

static int it_pool(neurio_interp *it, const neurio_op *op)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
    const neurio_pool_attr *a = &op->attr.pool;
    nk_pool_params p = {
        .batches = x->dims[0], .in_h = x->dims[1], .in_w = x->dims[2], .channels = x->dims[3],
        .out_h = y->dims[1], .out_w = y->dims[2], .filter_h = a->filter_h,
        .filter_w = a->filter_w, .stride_h = a->stride_h, .stride_w = a->stride_w,
    };
    p.pad_top = nit_pad(a->padding, a->pad, 0, p.in_h, p.out_h, p.filter_h, p.stride_h, 1);
    p.pad_left = nit_pad(a->padding, a->pad, 1, p.in_w, p.out_w, p.filter_w, p.stride_w, 1);
    it_act(a->activation, &p.act_min_f, &p.act_max_f);
    if (op->kind == NEURIO_OP_MAX_POOL_2D)
        return nk_max_pool2d_f32(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
    return nk_avg_pool2d_f32(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

int nit_binary_shape(const neurio_model *m, const neurio_op *op, nk_binary_params *p)
{
    const neurio_tensor *a = &m->tensors[op->inputs[0]], *b = &m->tensors[op->inputs[1]];
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    p->flat_size = (int32_t)neurio_tensor_elements(y);
    p->rank = y->rank;
    if (y->rank > NK_MAX_DIMS || a->rank > y->rank || b->rank > y->rank)
        return NK_ERR_PARAMS;
    p->broadcast = neurio_tensor_elements(a) != neurio_tensor_elements(y) ||
                   neurio_tensor_elements(b) != neurio_tensor_elements(y);
    if (p->rank == 0) {
        p->rank = 1;
        p->out_dims[0] = 1;
    }
    for (int32_t i = 0; i < y->rank; i++)
        p->out_dims[i] = y->dims[i];
    const neurio_tensor *in[2] = { a, b };
    int32_t *st[2] = { p->in1_strides, p->in2_strides };
    for (int k = 0; k < 2; k++) {
        int32_t s = 1, off = y->rank - in[k]->rank;
        for (int32_t i = y->rank - 1; i >= 0; i--) {
            int32_t d = i < off ? 1 : in[k]->dims[i - off];
            st[k][i] = d == 1 ? 0 : s;
            s *= d;
        }
    }
    return NK_OK;
}

static int it_binary(neurio_interp *it, const neurio_op *op)
{
    nk_binary_params p;
    memset(&p, 0, sizeof p);
    if (nit_binary_shape(it->m, op, &p))
        return NK_ERR_PARAMS;
    it_act(op->attr.eltwise.activation, &p.act_min_f, &p.act_max_f);
    const float *x1 = it->buf[op->inputs[0]], *x2 = it->buf[op->inputs[1]];
    float *o = it->buf[op->outputs[0]];
    if (op->kind == NEURIO_OP_ADD)
        return nk_add_f32(&p, x1, x2, o);
    if (op->kind == NEURIO_OP_SUB)
        return nk_sub_f32(&p, x1, x2, o);
    return nk_mul_f32(&p, x1, x2, o);
}

static int it_transpose(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]];
    size_t esz = neurio_dtype_size(x->dtype), n = neurio_tensor_elements(x);
    int32_t rank = x->rank, st[NEURIO_MAX_RANK], od[NEURIO_MAX_RANK], idx[NEURIO_MAX_RANK] = { 0 };
    const int32_t *perm = op->attr.transpose.perm;
    int32_t s = 1;
    for (int32_t i = rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= x->dims[i];
    }
    for (int32_t i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank)
            return NK_ERR_PARAMS;
        od[i] = x->dims[perm[i]];
    }
    const unsigned char *src = it->buf[op->inputs[0]];
    unsigned char *dst = it->buf[op->outputs[0]];
    for (size_t o = 0; o < n; o++) {
        size_t off = 0;
        for (int32_t i = 0; i < rank; i++)
            off += (size_t)idx[i] * (size_t)st[perm[i]];
        memcpy(dst + o * esz, src + off * esz, esz);
        for (int32_t i = rank - 1; i >= 0; i--) {
            if (++idx[i] < od[i])
                break;
            idx[i] = 0;
        }
    }
    return NK_OK;
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

static int it_pad_op(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]], *pt = &it->m->tensors[op->inputs[1]];
    nk_pad_params p = { .rank = x->rank };
    if (x->rank < 1 || x->rank > NK_MAX_DIMS || !pt->data ||
        neurio_tensor_elements(pt) != (size_t)x->rank * 2)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < x->rank; i++) {
        p.in_dims[i] = x->dims[i];
        if (pt->dtype == NEURIO_DT_INT64) {
            p.pad_before[i] = (int32_t)((const int64_t *)pt->data)[2 * i];
            p.pad_after[i] = (int32_t)((const int64_t *)pt->data)[2 * i + 1];
        } else {
            p.pad_before[i] = ((const int32_t *)pt->data)[2 * i];
            p.pad_after[i] = ((const int32_t *)pt->data)[2 * i + 1];
        }
    }
    return nk_pad_f32(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

static int it_concat(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *y = &it->m->tensors[op->outputs[0]];
    int32_t axis = op->attr.concat.axis;
    if (axis < 0)
        axis += y->rank;
    if (axis < 0 || axis >= y->rank || op->n_inputs > 64)
        return NK_ERR_PARAMS;
    int32_t inner[64], outer = 1;
    const void *ins[64];
    for (int32_t i = 0; i < axis; i++)
        outer *= y->dims[i];
    for (int32_t k = 0; k < op->n_inputs; k++) {
        const neurio_tensor *x = &it->m->tensors[op->inputs[k]];
        if (y->quant.count == 1 && (x->quant.count != 1 || x->quant.scale[0] != y->quant.scale[0] ||
                                    x->quant.zero_point[0] != y->quant.zero_point[0]))
            return NK_ERR_PARAMS; /* int8 concat of differently quantized inputs */
        inner[k] = 1;
        for (int32_t i = axis; i < x->rank; i++)
            inner[k] *= x->dims[i];
        ins[k] = it->buf[op->inputs[k]];
    }
    nk_concat_params p = { .n_inputs = op->n_inputs, .outer = outer,
                           .elem_size = (int32_t)neurio_dtype_size(y->dtype), .in_inner = inner };
    return nk_concat(&p, ins, it->buf[op->outputs[0]]);
}

static int it_mean(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]];
    nk_mean_params p = { .rank = x->rank };
    if (x->rank < 1 || x->rank > NK_MAX_DIMS)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < x->rank; i++)
        p.in_dims[i] = x->dims[i];
    const int32_t *axes = op->attr.mean.axes;
    int32_t na = op->attr.mean.n_axes;
    if (op->n_inputs > 1 && op->inputs[1] >= 0 && it->m->tensors[op->inputs[1]].data) {
        const neurio_tensor *at = &it->m->tensors[op->inputs[1]];
        na = (int32_t)neurio_tensor_elements(at);
        axes = at->data;
        if (at->dtype != NEURIO_DT_INT32 || na > NK_MAX_DIMS)
            return NK_ERR_PARAMS;
    }
    for (int32_t i = 0; i < na; i++) {
        int32_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < 0 || a >= x->rank)
            return NK_ERR_PARAMS;
        p.reduce[a] = 1;
    }
    return nk_mean_f32(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

static int it_quant(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *q = &it->m->tensors[op->kind == NEURIO_OP_QUANTIZE ? op->outputs[0]
                                                                            : op->inputs[0]];
    if (q->quant.count != 1)
        return NK_ERR_PARAMS;
    nk_quantize_params p = { .size = (int32_t)neurio_tensor_elements(q),
                             .scale = q->quant.scale[0], .zp = q->quant.zero_point[0] };
    if (op->kind == NEURIO_OP_QUANTIZE)
        return nk_quantize_f32_s8(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
    return nk_dequantize_s8_f32(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

static int it_op(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    neurio_dtype dt = op->n_inputs && op->inputs[0] >= 0 ? m->tensors[op->inputs[0]].dtype
                                                         : NEURIO_DT_FLOAT32;
    if (nlw_is_state_op(op->kind))
        return nit_op_state(it, (int32_t)(op - m->ops), err);
    if (dt == NEURIO_DT_INT8 && op->kind != NEURIO_OP_RESHAPE && op->kind != NEURIO_OP_TRANSPOSE &&
        op->kind != NEURIO_OP_CONCATENATION && op->kind != NEURIO_OP_DEQUANTIZE)
        return nit_op_s8(it, op, err);
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    int32_t n = (int32_t)neurio_tensor_elements(y);
    void *in = op->n_inputs ? it->buf[op->inputs[0]] : NULL, *out = it->buf[op->outputs[0]];
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D: return it_conv(it, op);
    case NEURIO_OP_FULLY_CONNECTED: return it_fc(it, op);
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: return it_pool(it, op);
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL: return it_binary(it, op);
    case NEURIO_OP_SOFTMAX: {
        int32_t depth = y->rank ? y->dims[y->rank - 1] : 1;
        nk_softmax_params p = { .rows = depth ? n / depth : 0, .depth = depth,
                                .beta = op->attr.softmax.beta ? op->attr.softmax.beta : 1.0f };
        return nk_softmax_f32(&p, in, out);
    }
    case NEURIO_OP_RESHAPE: return nk_copy(in, out, neurio_tensor_bytes(y));
    case NEURIO_OP_PAD: return it_pad_op(it, op);
    case NEURIO_OP_CONCATENATION: return it_concat(it, op);
    case NEURIO_OP_MEAN: return it_mean(it, op);
    case NEURIO_OP_QUANTIZE:
    case NEURIO_OP_DEQUANTIZE: return it_quant(it, op);
    case NEURIO_OP_LOGISTIC: return nk_logistic_f32(n, in, out);
    case NEURIO_OP_TANH: return nk_tanh_f32(n, in, out);
    case NEURIO_OP_RELU: return nk_relu_f32(n, 0.0f, INFINITY, in, out);
    case NEURIO_OP_RELU6: return nk_relu_f32(n, 0.0f, 6.0f, in, out);
    case NEURIO_OP_CLIP: return nk_relu_f32(n, op->attr.clip.min, op->attr.clip.max, in, out);
    case NEURIO_OP_TRANSPOSE: return it_transpose(it, op);
    case NEURIO_OP_BATCH_NORM: return it_batch_norm(it, op);
    case NEURIO_OP_MATMUL: return it_matmul(it, op);
    default: return NK_ERR_PARAMS;
    }
}

int neurio_interp_run(neurio_interp *it, const void *const *inputs, void *const *outputs,
                      neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    if (!it->stateful)
        neurio_interp_reset_state(it);
    for (int32_t i = 0; i < m->n_inputs; i++) {
        int32_t t = m->inputs[i];
        memcpy(it->buf[t], inputs[i], neurio_tensor_bytes(&m->tensors[t]));
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        neurio_errbuf e2 = { { 0 } };
        if (it_op(it, op, &e2) != NK_OK)
            return it_fail_op(m, i, err, NEURIO_ERR_INVALID,
                              e2.msg[0] ? e2.msg
                                        : "the kernel rejected its parameters (inconsistent "
                                          "shapes or quantization?)");
        if (it->hook && it->hook(it->user, it, i))
            return it_fail_op(m, i, err, NEURIO_ERR_CANCELLED, "stopped by the caller");
    }
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        memcpy(outputs[i], it->buf[t], neurio_tensor_bytes(&m->tensors[t]));
    }
    return NEURIO_OK;
}
