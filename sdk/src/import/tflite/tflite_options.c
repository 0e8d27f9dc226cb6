/* sdk/src/import/tflite/tflite_options.c — TFLite operator options → neurio op attributes
 * (field numbers from the public schema.fbs option tables). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "neurio/tflite.h"
#include "tflite_internal.h"

const char ntfl_supported_list[] =
    "ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, "
    "FULLY_CONNECTED, LEAKY_RELU, LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, QUANTIZE, RELU, "
    "RELU_N1_TO_1, RELU6, RESHAPE, SOFTMAX, STRIDED_SLICE, SUB, SVDF, TANH, TRANSPOSE, "
    "TRANSPOSE_CONV, "
    "UNIDIRECTIONAL_SEQUENCE_LSTM, ABS, BATCH_MATMUL, CAST, DEPTH_TO_SPACE, DIV, EQUAL, EXP, "
    "EXPAND_DIMS, GATHER, GREATER, GREATER_EQUAL, HARD_SWISH, L2_NORMALIZATION, LESS, "
    "LESS_EQUAL, LOG, LOG_SOFTMAX, LOGICAL_AND, LOGICAL_NOT, LOGICAL_OR, MAXIMUM, MINIMUM, NEG, "
    "NOT_EQUAL, PACK, PRELU, REDUCE_MAX, REDUCE_MIN, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, "
    "RSQRT, SELECT, SELECT_V2, SLICE, SPACE_TO_DEPTH, SPLIT, SPLIT_V, SQRT, SQUARED_DIFFERENCE, "
    "SQUEEZE, SUM, UNPACK; custom ops: SignalWindow, SignalRfft, SignalFftAutoScale, "
    "SignalEnergy, SignalFilterBank, SignalFilterBankSquareRoot, "
    "SignalFilterBankSpectralSubtraction, SignalFilterBankLog, SignalPCAN";

const char *ntfl_code_name(int32_t code)
{
    const char *n = neurio_tflite_builtin_name(code);
    return n ? n : "an unknown builtin";
}

int ntfl_op_fail(ntfl_opctx *o, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (status == NEURIO_ERR_FORMAT)
        return neurio_fail(o->t->err, status, "malformed TFLite file: operator %d (%s): %s "
                           "(operator table at byte %zu)", o->index,
                           ntfl_code_name(o->code), msg, o->t->at);
    return neurio_fail(o->t->err, status, "operator %d (%s): %s", o->index,
                       ntfl_code_name(o->code), msg);
}

static int map_act(ntfl_opctx *o, uint8_t a, neurio_activation *out)
{
    switch (a) {
    case 0: *out = NEURIO_ACT_NONE; return NEURIO_OK;
    case 1: *out = NEURIO_ACT_RELU; return NEURIO_OK;
    case 2: *out = NEURIO_ACT_RELU_N1_TO_1; return NEURIO_OK;
    case 3: *out = NEURIO_ACT_RELU6; return NEURIO_OK;
    case 4: return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused TANH activation is not "
                           "supported; neurio fuses NONE, RELU, RELU_N1_TO_1 and RELU6");
    case 5: return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused SIGN_BIT activation is not "
                           "supported; neurio fuses NONE, RELU, RELU_N1_TO_1 and RELU6");
    default: return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "unknown fused activation %u", a);
    }
}

static int map_pad(ntfl_opctx *o, uint8_t p, neurio_padding *out)
{
    if (p == 0) { *out = NEURIO_PAD_SAME; return NEURIO_OK; }
    if (p == 1) { *out = NEURIO_PAD_VALID; return NEURIO_OK; }
    return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "unknown padding %u (SAME=0, VALID=1)", p);
}

static int need_opt(ntfl_opctx *o, const char *table)
{
    if (!o->has_opt)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "has no %s (strides and window sizes are "
                       "required)", table);
    return NEURIO_OK;
}

/* TFLite's SAME padding split (more at the bottom/right), recorded in
 * attr.pad so that codegen need not recompute it. */
static void same_pads(int32_t in, int32_t out, int32_t k, int32_t stride, int32_t dil,
                      int32_t *lo, int32_t *hi)
{
    int64_t eff = ((int64_t)k - 1) * dil + 1;
    int64_t total = ((int64_t)out - 1) * stride + eff - in;
    if (total < 0)
        total = 0;
    *lo = (int32_t)(total / 2);
    *hi = (int32_t)(total - total / 2);
}

static const neurio_tensor *ir_in(const neurio_model *m, const neurio_op *op, int k)
{
    if (k >= op->n_inputs || op->inputs[k] < 0)
        return NULL;
    return &m->tensors[op->inputs[k]];
}

/* quantized_bias_type (a TFLite TensorType: INT32 = 2, INT64 = 4; absent =
 * FLOAT32 = 0) as the IR keeps it: the int16x8 accumulator of a bias-less
 * CONV_2D / FULLY_CONNECTED when INT32 or INT64, UNKNOWN for anything else. */
static neurio_dtype bias_type(uint8_t t)
{
    return t == 2 ? NEURIO_DT_INT32 : t == 4 ? NEURIO_DT_INT64 : NEURIO_DT_UNKNOWN;
}

static int conv_options(ntfl_opctx *o, neurio_op *op, int depthwise)
{
    nfb_buf *b = &o->t->b;
    neurio_conv_attr *a = &op->attr.conv;
    uint8_t pad = 0, act = 0, qbt = 0;
    int32_t sw = 0, sh = 0, dw = 1, dh = 1, dm = 1;
    int rc = need_opt(o, depthwise ? "DepthwiseConv2DOptions" : "Conv2DOptions");
    if (rc)
        return rc;
    /* Conv2DOptions: padding, stride_w, stride_h, act, dil_w, dil_h,
     * quantized_bias_type.
     * DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier,
     * act, dil_w, dil_h. */
    int base = depthwise ? 1 : 0;
    if ((rc = nfb_u8(b, &o->opt, 0, "padding", 0, &pad)) ||
        (rc = nfb_i32(b, &o->opt, 1, "stride_w", 0, &sw)) ||
        (rc = nfb_i32(b, &o->opt, 2, "stride_h", 0, &sh)) ||
        (depthwise && (rc = nfb_i32(b, &o->opt, 3, "depth_multiplier", 1, &dm))) ||
        (rc = nfb_u8(b, &o->opt, 3 + base, "fused_activation_function", 0, &act)) ||
        (rc = nfb_i32(b, &o->opt, 4 + base, "dilation_w_factor", 1, &dw)) ||
        (rc = nfb_i32(b, &o->opt, 5 + base, "dilation_h_factor", 1, &dh)) ||
        (!depthwise && (rc = nfb_u8(b, &o->opt, 6, "quantized_bias_type", 0, &qbt))))
        return rc;
    a->quantized_bias_type = bias_type(qbt);
    if ((rc = map_pad(o, pad, &a->padding)) || (rc = map_act(o, act, &a->activation)))
        return rc;
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "stride %dx%d and dilation %dx%d must be >= 1",
                       sh, sw, dh, dw);
    a->stride_h = sh;
    a->stride_w = sw;
    a->dilation_h = dh;
    a->dilation_w = dw;
    a->depth_multiplier = 1;
    const neurio_model *m = o->t->m;
    const neurio_tensor *x = ir_in(m, op, 0), *w = ir_in(m, op, 1);
    const neurio_tensor *y = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
    if (depthwise) {
        /* depth_multiplier in the options is stale in newer converters; the
         * weights' shape is authoritative. */
        a->depth_multiplier = dm > 0 ? dm : 1;
        if (x && w && x->rank == 4 && w->rank == 4 && x->dims[3] > 0 &&
            w->dims[3] % x->dims[3] == 0 && w->dims[3] > 0)
            a->depth_multiplier = w->dims[3] / x->dims[3];
    }
    if (a->padding == NEURIO_PAD_SAME && x && w && y && x->rank == 4 && w->rank == 4 &&
        y->rank == 4) {
        same_pads(x->dims[1], y->dims[1], w->dims[1], sh, dh, &a->pad[0], &a->pad[2]);
        same_pads(x->dims[2], y->dims[2], w->dims[2], sw, dw, &a->pad[1], &a->pad[3]);
    }
    return NEURIO_OK;
}

/* TransposeConvOptions: padding, stride_w, stride_h, fused_activation_function
 * (the last absent in older files: NONE).  The padding offsets are
 * computed by the lowering from the output size, as TFLite does. */
static int transpose_conv_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    neurio_conv_attr *a = &op->attr.conv;
    uint8_t pad = 0, act = 0;
    int32_t sw = 0, sh = 0;
    int rc = need_opt(o, "TransposeConvOptions");
    if (rc || (rc = nfb_u8(b, &o->opt, 0, "padding", 0, &pad)) ||
        (rc = nfb_i32(b, &o->opt, 1, "stride_w", 0, &sw)) ||
        (rc = nfb_i32(b, &o->opt, 2, "stride_h", 0, &sh)) ||
        (rc = nfb_u8(b, &o->opt, 3, "fused_activation_function", 0, &act)))
        return rc;
    if ((rc = map_pad(o, pad, &a->padding)) || (rc = map_act(o, act, &a->activation)))
        return rc;
    if (sw < 1 || sh < 1)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "stride %dx%d must be >= 1", sh, sw);
    a->stride_h = sh;
    a->stride_w = sw;
    a->dilation_h = a->dilation_w = a->depth_multiplier = 1;
    return NEURIO_OK;
}

static int pool_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    neurio_pool_attr *a = &op->attr.pool;
    uint8_t pad = 0, act = 0;
    int32_t sw = 0, sh = 0, fw = 0, fh = 0;
    int rc = need_opt(o, "Pool2DOptions");
    if (rc)
        return rc;
    if ((rc = nfb_u8(b, &o->opt, 0, "padding", 0, &pad)) ||
        (rc = nfb_i32(b, &o->opt, 1, "stride_w", 0, &sw)) ||
        (rc = nfb_i32(b, &o->opt, 2, "stride_h", 0, &sh)) ||
        (rc = nfb_i32(b, &o->opt, 3, "filter_width", 0, &fw)) ||
        (rc = nfb_i32(b, &o->opt, 4, "filter_height", 0, &fh)) ||
        (rc = nfb_u8(b, &o->opt, 5, "fused_activation_function", 0, &act)))
        return rc;
    if ((rc = map_pad(o, pad, &a->padding)) || (rc = map_act(o, act, &a->activation)))
        return rc;
    if (sw < 1 || sh < 1 || fw < 1 || fh < 1)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "stride %dx%d and filter %dx%d must be >= 1",
                       sh, sw, fh, fw);
    a->stride_h = sh;
    a->stride_w = sw;
    a->filter_h = fh;
    a->filter_w = fw;
    const neurio_model *m = o->t->m;
    const neurio_tensor *x = ir_in(m, op, 0);
    const neurio_tensor *y = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
    if (a->padding == NEURIO_PAD_SAME && x && y && x->rank == 4 && y->rank == 4) {
        same_pads(x->dims[1], y->dims[1], fh, sh, 1, &a->pad[0], &a->pad[2]);
        same_pads(x->dims[2], y->dims[2], fw, sw, 1, &a->pad[1], &a->pad[3]);
    }
    return NEURIO_OK;
}

/* Constant int32/int64 vector input k of the op (axes, perm); *n values
 * written to out (at most max). */
int ntfl_const_ints(ntfl_opctx *o, neurio_op *op, int k, const char *what, int32_t *out,
                      int32_t max, int32_t *n)
{
    const neurio_tensor *c = ir_in(o->t->m, op, k);
    if (!c || !c->data || (c->dtype != NEURIO_DT_INT32 && c->dtype != NEURIO_DT_INT64))
        return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "%s (input %d) must be a constant int32 "
                       "tensor; computed %s are not supported", what, k, what);
    size_t cnt = neurio_tensor_elements(c);
    if (cnt > (size_t)max)
        return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "%s has %zu values; at most %d are "
                       "supported", what, cnt, max);
    for (size_t i = 0; i < cnt; i++)
        out[i] = c->dtype == NEURIO_DT_INT32 ? ((const int32_t *)c->data)[i]
                                             : (int32_t)((const int64_t *)c->data)[i];
    *n = (int32_t)cnt;
    return NEURIO_OK;
}

static int in_rank(ntfl_opctx *o, neurio_op *op, int32_t *rank)
{
    const neurio_tensor *x = ir_in(o->t->m, op, 0);
    if (!x)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "input 0 is absent");
    *rank = x->rank;
    return NEURIO_OK;
}

/* StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask,
 * shrink_axis_mask (int), offset (bool). */
static int strided_slice_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    int32_t *v = &op->attr.strided_slice.begin_mask;
    static const char *const names[5] = {"begin_mask", "end_mask", "ellipsis_mask",
                                         "new_axis_mask", "shrink_axis_mask"};
    uint8_t offset = 0;
    int rc = NEURIO_OK;
    if (!o->has_opt)
        return NEURIO_OK; /* all masks 0 */
    for (int f = 0; f < 5 && !rc; f++)
        rc = nfb_i32(b, &o->opt, f, names[f], 0, &v[f]);
    if (!rc && !(rc = nfb_u8(b, &o->opt, 5, "offset", 0, &offset)))
        op->attr.strided_slice.offset = offset != 0;
    return rc;
}

int ntfl_convert_options(ntfl_opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    uint8_t act = 0;
    int rc = NEURIO_OK;
    int32_t rank = 0, vals[NEURIO_MAX_RANK], n = 0;
    switch (o->code) {
    case TFL_CONV_2D: return conv_options(o, op, 0);
    case TFL_DEPTHWISE_CONV_2D: return conv_options(o, op, 1);
    case TFL_TRANSPOSE_CONV: return transpose_conv_options(o, op);
    case TFL_AVERAGE_POOL_2D:
    case TFL_MAX_POOL_2D: return pool_options(o, op);
    case TFL_FULLY_CONNECTED: {
        uint8_t fmt = 0, keep = 0, qbt = 0;
        if (o->has_opt &&
            ((rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &act)) ||
             (rc = nfb_u8(b, &o->opt, 1, "weights_format", 0, &fmt)) ||
             (rc = nfb_u8(b, &o->opt, 2, "keep_num_dims", 0, &keep)) ||
             (rc = nfb_u8(b, &o->opt, 4, "quantized_bias_type", 0, &qbt))))
            return rc;
        op->attr.fc.quantized_bias_type = bias_type(qbt);
        if (fmt != 0)
            return ntfl_op_fail(o, NEURIO_ERR_UNSUPPORTED, "weights_format %u (shuffled) is not "
                           "supported; neurio reads DEFAULT weights", fmt);
        op->attr.fc.keep_num_dims = keep != 0;
        return map_act(o, act, &op->attr.fc.activation);
    }
    case TFL_ADD:
    case TFL_SUB:
    case TFL_MUL:
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &act)))
            return rc;
        return map_act(o, act, &op->attr.eltwise.activation);
    case TFL_CONCATENATION: {
        int32_t axis = 0;
        if (o->has_opt && ((rc = nfb_i32(b, &o->opt, 0, "axis", 0, &axis)) ||
                           (rc = nfb_u8(b, &o->opt, 1, "fused_activation_function", 0, &act))))
            return rc;
        if ((rc = in_rank(o, op, &rank)))
            return rc;
        if (axis < -rank || axis >= rank)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "axis %d is outside -%d..%d", axis, rank,
                           rank - 1);
        op->attr.concat.axis = axis < 0 ? axis + rank : axis;
        return map_act(o, act, &op->attr.concat.activation);
    }
    case TFL_SOFTMAX: {
        float beta = 1.0f;
        if (o->has_opt && (rc = nfb_f32(b, &o->opt, 0, "beta", 0.0f, &beta)))
            return rc;
        if (!(isfinite(beta) && beta > 0))
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "beta %g must be a positive number",
                           (double)beta);
        op->attr.softmax.beta = beta;
        return NEURIO_OK;
    }
    case TFL_MEAN: {
        uint8_t keep = 0;
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "keep_dims", 0, &keep)))
            return rc;
        if ((rc = in_rank(o, op, &rank)) ||
            (rc = ntfl_const_ints(o, op, 1, "axes", vals, NEURIO_MAX_RANK, &n)))
            return rc;
        op->attr.mean.keep_dims = keep != 0;
        op->attr.mean.n_axes = n;
        for (int32_t i = 0; i < n; i++) {
            if (vals[i] < -rank || vals[i] >= rank)
                return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "axis %d is outside -%d..%d", vals[i],
                               rank, rank - 1);
            op->attr.mean.axes[i] = vals[i] < 0 ? vals[i] + rank : vals[i];
        }
        return NEURIO_OK;
    }
    case TFL_TRANSPOSE:
        if ((rc = in_rank(o, op, &rank)) ||
            (rc = ntfl_const_ints(o, op, 1, "perm", vals, NEURIO_MAX_RANK, &n)))
            return rc;
        if (n != rank)
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "perm has %d entries for a rank-%d input",
                           n, rank);
        for (int32_t i = 0; i < n; i++)
            op->attr.transpose.perm[i] = vals[i];
        return NEURIO_OK;
    case TFL_SVDF:
    case TFL_UNIDIRECTIONAL_SEQUENCE_LSTM: return ntfl_state_options(o, op);
    case TFL_STRIDED_SLICE: return strided_slice_options(o, op);
    case TFL_LEAKY_RELU: {
        float alpha = 0.0f; /* LeakyReluOptions.alpha; TFLite Micro's default 0 */
        if (o->has_opt && (rc = nfb_f32(b, &o->opt, 0, "alpha", 0.0f, &alpha)))
            return rc;
        if (!isfinite(alpha))
            return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "alpha %g is not a finite number",
                           (double)alpha);
        op->attr.leaky_relu.alpha = alpha;
        return NEURIO_OK;
    }
    case TFL_RELU_N1_TO_1:
        op->attr.clip.min = -1.0f;
        op->attr.clip.max = 1.0f;
        return NEURIO_OK;
    default:
        if (op->kind >= NEURIO_OP_SLICE && op->kind <= NEURIO_OP_EXPAND_DIMS)
            return ntfl_ext_options(o, op);
        return NEURIO_OK; /* PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, TANH, RELU, RELU6 */
    }
}

int ntfl_map_kind(int32_t code, neurio_op_kind *k, uint8_t *opt_type)
{
    *opt_type = 0;
    switch (code) {
    case TFL_ADD: *k = NEURIO_OP_ADD; *opt_type = OPT_ADD; return 1;
    case TFL_AVERAGE_POOL_2D: *k = NEURIO_OP_AVERAGE_POOL_2D; *opt_type = OPT_POOL; return 1;
    case TFL_CONCATENATION: *k = NEURIO_OP_CONCATENATION; *opt_type = OPT_CONCAT; return 1;
    case TFL_CONV_2D: *k = NEURIO_OP_CONV_2D; *opt_type = OPT_CONV; return 1;
    case TFL_DEPTHWISE_CONV_2D: *k = NEURIO_OP_DEPTHWISE_CONV_2D; *opt_type = OPT_DEPTHWISE; return 1;
    case TFL_DEQUANTIZE: *k = NEURIO_OP_DEQUANTIZE; return 1;
    case TFL_FULLY_CONNECTED: *k = NEURIO_OP_FULLY_CONNECTED; *opt_type = OPT_FC; return 1;
    case TFL_LOGISTIC: *k = NEURIO_OP_LOGISTIC; return 1;
    case TFL_MAX_POOL_2D: *k = NEURIO_OP_MAX_POOL_2D; *opt_type = OPT_POOL; return 1;
    case TFL_MUL: *k = NEURIO_OP_MUL; *opt_type = OPT_MUL; return 1;
    case TFL_RELU: *k = NEURIO_OP_RELU; return 1;
    case TFL_RELU_N1_TO_1: *k = NEURIO_OP_CLIP; return 1;
    case TFL_RELU6: *k = NEURIO_OP_RELU6; return 1;
    case TFL_RESHAPE: *k = NEURIO_OP_RESHAPE; return 1;
    case TFL_SOFTMAX: *k = NEURIO_OP_SOFTMAX; *opt_type = OPT_SOFTMAX; return 1;
    case TFL_TANH: *k = NEURIO_OP_TANH; return 1;
    case TFL_PAD: *k = NEURIO_OP_PAD; return 1;
    case TFL_TRANSPOSE: *k = NEURIO_OP_TRANSPOSE; return 1;
    case TFL_MEAN: *k = NEURIO_OP_MEAN; *opt_type = OPT_REDUCER; return 1;
    case TFL_SUB: *k = NEURIO_OP_SUB; *opt_type = OPT_SUB; return 1;
    case TFL_QUANTIZE: *k = NEURIO_OP_QUANTIZE; return 1;
    case TFL_SVDF: *k = NEURIO_OP_SVDF; *opt_type = OPT_SVDF; return 1;
    case TFL_UNIDIRECTIONAL_SEQUENCE_LSTM: *k = NEURIO_OP_LSTM; *opt_type = OPT_UNI_LSTM; return 1;
    case TFL_TRANSPOSE_CONV: *k = NEURIO_OP_TRANSPOSE_CONV; *opt_type = OPT_TRANSPOSE_CONV; return 1;
    case TFL_STRIDED_SLICE: *k = NEURIO_OP_STRIDED_SLICE; *opt_type = OPT_STRIDED_SLICE; return 1;
    case TFL_LEAKY_RELU: *k = NEURIO_OP_LEAKY_RELU; *opt_type = OPT_LEAKY_RELU; return 1;
    default: return ntfl_map_ext_kind(code, k, opt_type);
    }
}
