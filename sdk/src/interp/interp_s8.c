/* sdk/src/interp/interp_s8.c — int8 ops of the reference interpreter: the same
 * nk_*_s8 kernels and the same requant.h constants the code generator uses,
 * so the host reference of a quantized model matches the devices. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"
#include "kernels/nk.h"
#include "neurio/requant.h"

int nit_s8_supported(neurio_op_kind k)
{
    switch (k) {
    case NEURIO_OP_CONV_2D: case NEURIO_OP_DEPTHWISE_CONV_2D: case NEURIO_OP_FULLY_CONNECTED:
    case NEURIO_OP_AVERAGE_POOL_2D: case NEURIO_OP_MAX_POOL_2D: case NEURIO_OP_ADD:
    case NEURIO_OP_SUB: case NEURIO_OP_MUL: case NEURIO_OP_SOFTMAX: case NEURIO_OP_LOGISTIC:
    case NEURIO_OP_TANH: case NEURIO_OP_RELU: case NEURIO_OP_RELU6: case NEURIO_OP_CLIP:
    case NEURIO_OP_PAD: case NEURIO_OP_MEAN: case NEURIO_OP_QUANTIZE: case NEURIO_OP_DEQUANTIZE:
    case NEURIO_OP_RESHAPE: case NEURIO_OP_TRANSPOSE: case NEURIO_OP_CONCATENATION:
        return 1;
    default:
        return 0;
    }
}

static int q1(const neurio_tensor *t, float *s, int32_t *zp)
{
    if (t->quant.count < 1 || !(t->quant.scale[0] > 0))
        return NK_ERR_PARAMS;
    *s = t->quant.scale[0];
    *zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
    return NK_OK;
}

#define NIT_MAXC 4096

static int s8_conv(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    float xs, ys;
    int32_t xz, yz;
    int32_t mult[NIT_MAXC], shift[NIT_MAXC];
    int32_t oc = y->dims[y->rank - 1];
    if (q1(x, &xs, &xz) || q1(y, &ys, &yz) || w->quant.count < 1 || oc > NIT_MAXC)
        return NK_ERR_PARAMS;
    int pc = w->quant.count > 1;
    int rc = op->kind == NEURIO_OP_FULLY_CONNECTED
                 ? neurio_fc_multipliers(xs, w->quant.scale, w->quant.count, ys, mult, shift, err)
                 : neurio_conv_multipliers(xs, w->quant.scale, w->quant.count, ys, mult, shift, err);
    if (rc)
        return NK_ERR_PARAMS;
    const int32_t *bias = op->n_inputs > 2 && op->inputs[2] >= 0 ? it->buf[op->inputs[2]] : NULL;
    if (op->kind == NEURIO_OP_FULLY_CONNECTED) {
        nk_fc_params p = { .in_depth = w->dims[1], .out_depth = w->dims[0], .in_zp = xz,
                           .filter_zp = w->quant.zero_point ? w->quant.zero_point[0] : 0,
                           .out_zp = yz, .per_channel = pc, .out_mult = mult, .out_shift = shift };
        if (p.in_depth <= 0)
            return NK_ERR_PARAMS;
        p.batches = (int32_t)(neurio_tensor_elements(x) / (size_t)p.in_depth);
        neurio_act_range_s8(op->attr.fc.activation, ys, yz, &p.act_min, &p.act_max, NULL);
        return nk_fully_connected_s8(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                                     it->buf[op->outputs[0]]);
    }
    const neurio_conv_attr *a = &op->attr.conv;
    nk_conv_params p = {
        .batches = x->dims[0], .in_h = x->dims[1], .in_w = x->dims[2], .in_c = x->dims[3],
        .out_h = y->dims[1], .out_w = y->dims[2], .out_c = y->dims[3],
        .filter_h = w->dims[1], .filter_w = w->dims[2], .stride_h = a->stride_h,
        .stride_w = a->stride_w, .dilation_h = a->dilation_h, .dilation_w = a->dilation_w,
        .depth_multiplier = a->depth_multiplier, .in_zp = xz, .out_zp = yz,
        .per_channel = pc, .out_mult = mult, .out_shift = shift,
    };
    p.pad_top = nit_pad(a->padding, a->pad, 0, p.in_h, p.out_h, p.filter_h, p.stride_h, p.dilation_h);
    p.pad_left = nit_pad(a->padding, a->pad, 1, p.in_w, p.out_w, p.filter_w, p.stride_w, p.dilation_w);
    neurio_act_range_s8(a->activation, ys, yz, &p.act_min, &p.act_max, NULL);
    if (op->kind == NEURIO_OP_CONV_2D)
        return nk_conv2d_s8(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                            it->buf[op->outputs[0]]);
    return nk_depthwise_conv2d_s8(&p, it->buf[op->inputs[0]], it->buf[op->inputs[1]], bias,
                                  it->buf[op->outputs[0]]);
}

static int s8_pool(neurio_interp *it, const neurio_op *op)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
    const neurio_pool_attr *a = &op->attr.pool;
    float ys;
    int32_t yz;
    if (q1(y, &ys, &yz))
        return NK_ERR_PARAMS;
    nk_pool_params p = {
        .batches = x->dims[0], .in_h = x->dims[1], .in_w = x->dims[2], .channels = x->dims[3],
        .out_h = y->dims[1], .out_w = y->dims[2], .filter_h = a->filter_h,
        .filter_w = a->filter_w, .stride_h = a->stride_h, .stride_w = a->stride_w,
    };
    p.pad_top = nit_pad(a->padding, a->pad, 0, p.in_h, p.out_h, p.filter_h, p.stride_h, 1);
    p.pad_left = nit_pad(a->padding, a->pad, 1, p.in_w, p.out_w, p.filter_w, p.stride_w, 1);
    neurio_act_range_s8(a->activation, ys, yz, &p.act_min, &p.act_max, NULL);
    if (op->kind == NEURIO_OP_MAX_POOL_2D)
        return nk_max_pool2d_s8(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
    return nk_avg_pool2d_s8(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

static int s8_binary(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    nk_binary_params p;
    memset(&p, 0, sizeof p);
    if (nit_binary_shape(m, op, &p))
        return NK_ERR_PARAMS;
    float s1, s2, so;
    if (q1(&m->tensors[op->inputs[0]], &s1, &p.in1_zp) ||
        q1(&m->tensors[op->inputs[1]], &s2, &p.in2_zp) ||
        q1(&m->tensors[op->outputs[0]], &so, &p.out_zp))
        return NK_ERR_PARAMS;
    neurio_act_range_s8(op->attr.eltwise.activation, so, p.out_zp, &p.act_min, &p.act_max, NULL);
    const int8_t *a = it->buf[op->inputs[0]], *b = it->buf[op->inputs[1]];
    int8_t *o = it->buf[op->outputs[0]];
    if (op->kind == NEURIO_OP_MUL) {
        if (neurio_mul_params_s8(s1, s2, so, &p.out_mult, &p.out_shift, err))
            return NK_ERR_PARAMS;
        return nk_mul_s8(&p, a, b, o);
    }
    neurio_add_quant q;
    if (neurio_add_params_s8(s1, s2, so, &q, err))
        return NK_ERR_PARAMS;
    p.left_shift = q.left_shift;
    p.in1_mult = q.in1_mult;
    p.in1_shift = q.in1_shift;
    p.in2_mult = q.in2_mult;
    p.in2_shift = q.in2_shift;
    p.out_mult = q.out_mult;
    p.out_shift = q.out_shift;
    return op->kind == NEURIO_OP_ADD ? nk_add_s8(&p, a, b, o) : nk_sub_s8(&p, a, b, o);
}

static int s8_unary(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    const neurio_model *m = it->m;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
    int32_t n = (int32_t)neurio_tensor_elements(y);
    float xs, ys;
    int32_t xz, yz;
    if (q1(x, &xs, &xz) || q1(y, &ys, &yz))
        return NK_ERR_PARAMS;
    const int8_t *in = it->buf[op->inputs[0]];
    int8_t *out = it->buf[op->outputs[0]];
    switch (op->kind) {
    case NEURIO_OP_SOFTMAX: {
        int32_t depth = y->rank ? y->dims[y->rank - 1] : 1;
        nk_softmax_params p = { .rows = depth ? n / depth : 0, .depth = depth };
        if (neurio_softmax_params_s8(op->attr.softmax.beta ? op->attr.softmax.beta : 1.0f, xs,
                                     &p.input_multiplier, &p.input_left_shift, &p.diff_min, err))
            return NK_ERR_PARAMS;
        return nk_softmax_s8(&p, in, out);
    }
    case NEURIO_OP_LOGISTIC:
    case NEURIO_OP_TANH: {
        nk_sigmoid_params p = { .size = n, .in_zp = xz };
        int rc = op->kind == NEURIO_OP_LOGISTIC
                     ? neurio_logistic_params_s8(xs, &p.in_mult, &p.in_left_shift,
                                                 &p.in_range_radius, err)
                     : neurio_tanh_params_s8(xs, &p.in_mult, &p.in_left_shift,
                                             &p.in_range_radius, err);
        if (rc)
            return NK_ERR_PARAMS;
        return op->kind == NEURIO_OP_LOGISTIC ? nk_logistic_s8(&p, in, out)
                                              : nk_tanh_s8(&p, in, out);
    }
    case NEURIO_OP_QUANTIZE: {
        nk_requant_params p = { .size = n, .in_zp = xz, .out_zp = yz, .act_min = -128,
                                .act_max = 127 };
        if (neurio_requant_params_s8(xs, ys, &p.mult, &p.shift, err))
            return NK_ERR_PARAMS;
        return nk_requantize_s8(&p, in, out);
    }
    default: { /* RELU, RELU6, CLIP */
        nk_requant_params p = { .size = n, .in_zp = xz, .out_zp = yz };
        neurio_activation act = op->kind == NEURIO_OP_RELU6 ? NEURIO_ACT_RELU6 : NEURIO_ACT_RELU;
        if (neurio_relu_params_s8(act, xs, ys, yz, &p.mult, &p.shift, &p.act_min, &p.act_max, err))
            return NK_ERR_PARAMS;
        if (op->kind == NEURIO_OP_CLIP) {
            double lo = round(op->attr.clip.min / ys) + yz, hi = round(op->attr.clip.max / ys) + yz;
            p.act_min = (int32_t)fmax(-128.0, fmin(127.0, isfinite(lo) ? lo : -128.0));
            p.act_max = (int32_t)fmax(-128.0, fmin(127.0, isfinite(hi) ? hi : 127.0));
        }
        return nk_relu_s8(&p, in, out);
    }
    }
}

static int s8_pad(neurio_interp *it, const neurio_op *op)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]], *pt = &it->m->tensors[op->inputs[1]];
    const neurio_tensor *y = &it->m->tensors[op->outputs[0]];
    float ys;
    int32_t yz;
    nk_pad_params p = { .rank = x->rank };
    if (q1(y, &ys, &yz) || x->rank < 1 || x->rank > NK_MAX_DIMS || !pt->data ||
        neurio_tensor_elements(pt) != (size_t)x->rank * 2)
        return NK_ERR_PARAMS;
    p.pad_value = yz;
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
    return nk_pad_s8(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

static int s8_mean(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    const neurio_tensor *x = &it->m->tensors[op->inputs[0]], *y = &it->m->tensors[op->outputs[0]];
    nk_mean_params p = { .rank = x->rank };
    float xs, ys;
    if (q1(x, &xs, &p.in_zp) || q1(y, &ys, &p.out_zp) || x->rank < 1 || x->rank > NK_MAX_DIMS)
        return NK_ERR_PARAMS;
    const int32_t *axes = op->attr.mean.axes;
    int32_t na = op->attr.mean.n_axes;
    if (op->n_inputs > 1 && op->inputs[1] >= 0 && it->m->tensors[op->inputs[1]].data) {
        const neurio_tensor *at = &it->m->tensors[op->inputs[1]];
        na = (int32_t)neurio_tensor_elements(at);
        axes = at->data;
        if (at->dtype != NEURIO_DT_INT32 || na > NK_MAX_DIMS)
            return NK_ERR_PARAMS;
    }
    int64_t count = 1;
    for (int32_t i = 0; i < x->rank; i++)
        p.in_dims[i] = x->dims[i];
    for (int32_t i = 0; i < na; i++) {
        int32_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < 0 || a >= x->rank)
            return NK_ERR_PARAMS;
        if (!p.reduce[a])
            count *= x->dims[a];
        p.reduce[a] = 1;
    }
    if (neurio_mean_params_s8(xs, p.in_zp, ys, p.out_zp, count, &p.mult, &p.shift, err))
        return NK_ERR_PARAMS;
    return nk_mean_s8(&p, it->buf[op->inputs[0]], it->buf[op->outputs[0]]);
}

int nit_op_s8(neurio_interp *it, const neurio_op *op, neurio_errbuf *err)
{
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D:
    case NEURIO_OP_FULLY_CONNECTED: return s8_conv(it, op, err);
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: return s8_pool(it, op);
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL: return s8_binary(it, op, err);
    case NEURIO_OP_PAD: return s8_pad(it, op);
    case NEURIO_OP_MEAN: return s8_mean(it, op, err);
    default: return s8_unary(it, op, err);
    }
}
