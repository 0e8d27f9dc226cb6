/* sdk/src/ir/model_validate_ops.c — the per-op rules of
 * neurio_model_validate(): input/output counts, ranks, dtypes and shapes of
 * every op kind.  A new op kind gets its check_* here and a case in
 * nir_check_op(). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model_validate_internal.h"

int nir_op_fail(vctx *c, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *nm = c->op->name && *c->op->name ? c->op->name : NULL;
    return neurio_fail(c->err, status, "op %d (%s%s%s%s): %s", c->op_index,
                       neurio_op_name(c->op->kind), nm ? " '" : "", nm ? nm : "",
                       nm ? "'" : "", msg);
}

static void shape_str(const neurio_tensor *t, char *buf, size_t n)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, n - o, "[");
    for (int32_t i = 0; i < t->rank && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%d", i ? ", " : "", t->dims[i]);
    if (o < n)
        snprintf(buf + o, n - o, "]");
}

static const neurio_tensor *in_t(vctx *c, int k)
{
    if (k >= c->op->n_inputs || c->op->inputs[k] < 0)
        return NULL;
    return &c->m->tensors[c->op->inputs[k]];
}

static const neurio_tensor *out_t(vctx *c, int k)
{
    return &c->m->tensors[c->op->outputs[k]];
}

int nir_is_quant_dtype(neurio_dtype dt)
{
    return dt == NEURIO_DT_INT8 || dt == NEURIO_DT_UINT8 || dt == NEURIO_DT_INT16;
}

static int need_inputs(vctx *c, int lo, int hi, int n_out)
{
    if (c->op->n_inputs < lo || c->op->n_inputs > hi)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "has %d inputs, expected %d..%d",
                       c->op->n_inputs, lo, hi);
    for (int k = 0; k < lo; k++)
        if (c->op->inputs[k] < 0)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "required input %d is absent", k);
    if (c->op->n_outputs != n_out)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "has %d outputs, expected %d",
                       c->op->n_outputs, n_out);
    return NEURIO_OK;
}

static int need_rank(vctx *c, const neurio_tensor *t, const char *role, int rank)
{
    if (t->rank != rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "%s '%.60s' has rank %d, expected %d", role,
                       t->name, t->rank, rank);
    return NEURIO_OK;
}

static int need_same_dtype(vctx *c, const neurio_tensor *a, const neurio_tensor *b)
{
    if (a->dtype != b->dtype)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "tensor '%.60s' is %s but '%.60s' is %s; they "
                       "must have the same dtype", a->name, neurio_dtype_name(a->dtype),
                       b->name, neurio_dtype_name(b->dtype));
    return NEURIO_OK;
}

static int need_same_shape(vctx *c, const neurio_tensor *a, const neurio_tensor *b)
{
    int same = a->rank == b->rank;
    for (int32_t i = 0; same && i < a->rank; i++)
        same = a->dims[i] == b->dims[i];
    if (!same) {
        char sa[96], sb[96];
        shape_str(a, sa, sizeof sa);
        shape_str(b, sb, sizeof sb);
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' has shape %s, expected the "
                       "input shape %s", b->name, sb, sa);
    }
    return NEURIO_OK;
}

/* Expected output extent of a windowed op along one axis, or -1. */
static int64_t window_out(int64_t in, int64_t k, int64_t stride, int64_t dil,
                          neurio_padding pad, int64_t p0, int64_t p1)
{
    if (stride < 1 || dil < 1 || k < 1)
        return -1;
    int64_t eff = (k - 1) * dil + 1;
    switch (pad) {
    case NEURIO_PAD_SAME: return (in + stride - 1) / stride;
    case NEURIO_PAD_VALID: return in < eff ? -1 : (in - eff) / stride + 1;
    case NEURIO_PAD_EXPLICIT:
        return in + p0 + p1 < eff ? -1 : (in + p0 + p1 - eff) / stride + 1;
    }
    return -1;
}

static int check_spatial(vctx *c, const neurio_tensor *in, const neurio_tensor *out,
                         int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh,
                         int64_t dw, neurio_padding pad, const int32_t p[4])
{
    if (sh < 1 || sw < 1 || dh < 1 || dw < 1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "stride %lldx%lld and dilation %lldx%lld "
                       "must be >= 1", (long long)sh, (long long)sw, (long long)dh,
                       (long long)dw);
    if ((int)pad < 0 || pad > NEURIO_PAD_EXPLICIT)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "unknown padding mode %d", (int)pad);
    if (pad == NEURIO_PAD_EXPLICIT && (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "negative explicit padding");
    int64_t eh = window_out(in->dims[1], kh, sh, dh, pad, p[0], p[2]);
    int64_t ew = window_out(in->dims[2], kw, sw, dw, pad, p[1], p[3]);
    if (eh != out->dims[1] || ew != out->dims[2])
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' is %dx%d (HxW) but a %lldx%lld "
                       "window with stride %lldx%lld over %dx%d gives %lldx%lld",
                       out->name, out->dims[1], out->dims[2], (long long)kh, (long long)kw,
                       (long long)sh, (long long)sw, in->dims[1], in->dims[2],
                       (long long)eh, (long long)ew);
    if (out->dims[0] != in->dims[0])
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output batch %d differs from input batch %d",
                       out->dims[0], in->dims[0]);
    return NEURIO_OK;
}

/* Weights/bias dtypes of CONV/DEPTHWISE/FC given the input dtype. */
static int check_wb_dtypes(vctx *c, const neurio_tensor *x, const neurio_tensor *w,
                           const neurio_tensor *b, const neurio_tensor *y)
{
    if (!neurio_tensor_is_const(w))
        return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED, "weights '%.60s' are not constant; neurio "
                       "needs constant weights for this op", w->name);
    if (x->dtype == NEURIO_DT_FLOAT32 && nir_is_quant_dtype(w->dtype))
        return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED, "hybrid layer (float32 activations with "
                       "%s weights '%.60s') is not supported by neurio; convert the model "
                       "with full-integer quantization, or keep float32 weights",
                       neurio_dtype_name(w->dtype), w->name);
    neurio_dtype want_w, want_b;
    switch (x->dtype) {
    case NEURIO_DT_FLOAT32: want_w = NEURIO_DT_FLOAT32; want_b = NEURIO_DT_FLOAT32; break;
    case NEURIO_DT_INT8: want_w = NEURIO_DT_INT8; want_b = NEURIO_DT_INT32; break;
    case NEURIO_DT_UINT8: want_w = NEURIO_DT_UINT8; want_b = NEURIO_DT_INT32; break;
    case NEURIO_DT_INT16: want_w = NEURIO_DT_INT8; want_b = NEURIO_DT_INT64; break;
    default:
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input '%.60s' is %s; expected float32, int8, "
                       "uint8 or int16", x->name, neurio_dtype_name(x->dtype));
    }
    if (w->dtype != want_w)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "weights tensor '%.60s' is %s, expected %s",
                       w->name, neurio_dtype_name(w->dtype), neurio_dtype_name(want_w));
    /* 16x8 as TFLite Micro takes it: int32 or int64 bias on CONV_2D,
     * DEPTHWISE_CONV_2D and FULLY_CONNECTED, int16 or int64 on TRANSPOSE_CONV */
    const int tconv = c->op->kind == NEURIO_OP_TRANSPOSE_CONV;
    neurio_dtype alt_b = x->dtype != NEURIO_DT_INT16 ? want_b
                         : tconv ? NEURIO_DT_INT16 : NEURIO_DT_INT32;
    if (b && b->dtype != want_b && b->dtype != alt_b)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "bias tensor '%.60s' is %s, expected %s%s%s",
                       b->name, neurio_dtype_name(b->dtype), neurio_dtype_name(want_b),
                       alt_b != want_b ? " or " : "",
                       alt_b != want_b ? neurio_dtype_name(alt_b) : "");
    if (y->dtype != x->dtype)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' is %s, expected %s like the "
                       "input", y->name, neurio_dtype_name(y->dtype),
                       neurio_dtype_name(x->dtype));
    return NEURIO_OK;
}

static int check_bias(vctx *c, const neurio_tensor *b, int32_t n)
{
    if (b && (neurio_tensor_elements(b) != (size_t)n || b->rank < 1))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "bias '%.60s' has %zu elements, expected %d "
                       "(one per output channel)", b->name, neurio_tensor_elements(b), n);
    return NEURIO_OK;
}

static int check_conv(vctx *c, int depthwise)
{
    int rc = need_inputs(c, 2, 3, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *w = in_t(c, 1), *b = in_t(c, 2), *y = out_t(c, 0);
    if ((rc = need_rank(c, x, "input", 4)) || (rc = need_rank(c, w, "weights", 4)) ||
        (rc = need_rank(c, y, "output", 4)))
        return rc;
    if ((rc = check_wb_dtypes(c, x, w, b, y)))
        return rc;
    const neurio_conv_attr *a = &c->op->attr.conv;
    int32_t oc;
    if (depthwise) {
        if (a->depth_multiplier < 1)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "depth_multiplier %d must be >= 1",
                           a->depth_multiplier);
        if (w->dims[0] != 1 || (int64_t)w->dims[3] != (int64_t)x->dims[3] * a->depth_multiplier)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "weights '%.60s' must be [1, kh, kw, %lld] "
                           "(input channels %d x depth_multiplier %d), got [%d, %d, %d, %d]",
                           w->name, (long long)x->dims[3] * a->depth_multiplier, x->dims[3],
                           a->depth_multiplier, w->dims[0], w->dims[1], w->dims[2], w->dims[3]);
        oc = w->dims[3];
    } else {
        if (w->dims[3] != x->dims[3])
            return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED, "weights '%.60s' take %d input channels "
                           "but the input has %d (grouped convolution is not supported)",
                           w->name, w->dims[3], x->dims[3]);
        oc = w->dims[0];
    }
    if (y->dims[3] != oc)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' has %d channels, the weights "
                       "give %d", y->name, y->dims[3], oc);
    if ((rc = check_bias(c, b, oc)))
        return rc;
    if ((int)a->activation < 0 || a->activation > NEURIO_ACT_RELU_N1_TO_1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "unknown fused activation %d", (int)a->activation);
    return check_spatial(c, x, y, w->dims[1], w->dims[2], a->stride_h, a->stride_w,
                         a->dilation_h, a->dilation_w, a->padding, a->pad);
}

/* TRANSPOSE_CONV: x [n, h, w, in_c], weights [out_c, kh, kw, in_c], bias
 * [out_c] or absent, output_shape (int32, 4 values) or absent, output
 * [n, oh, ow, out_c].  The output size is taken as given (TFLite Micro
 * does not check it against the input either). */
static int check_transpose_conv(vctx *c)
{
    int rc = need_inputs(c, 2, 4, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *w = in_t(c, 1), *b = in_t(c, 2), *s = in_t(c, 3);
    const neurio_tensor *y = out_t(c, 0);
    if ((rc = need_rank(c, x, "input", 4)) || (rc = need_rank(c, w, "weights", 4)) ||
        (rc = need_rank(c, y, "output", 4)) || (rc = check_wb_dtypes(c, x, w, b, y)))
        return rc;
    if (s && ((s->dtype != NEURIO_DT_INT32 && s->dtype != NEURIO_DT_INT64) ||
              neurio_tensor_elements(s) != 4))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output_shape '%.60s' must be 4 int32 values "
                       "(is %s with %zu)", s->name, neurio_dtype_name(s->dtype),
                       neurio_tensor_elements(s));
    if (w->dims[3] != x->dims[3] || w->dims[0] != y->dims[3] || x->dims[0] != y->dims[0])
        return nir_op_fail(c, NEURIO_ERR_INVALID, "weights '%.60s' [%d, %d, %d, %d] must be "
                       "[output channels %d, kh, kw, input channels %d] (batch %d -> %d)",
                       w->name, w->dims[0], w->dims[1], w->dims[2], w->dims[3], y->dims[3],
                       x->dims[3], x->dims[0], y->dims[0]);
    if ((rc = check_bias(c, b, y->dims[3])))
        return rc;
    const neurio_conv_attr *a = &c->op->attr.conv;
    if (a->stride_h < 1 || a->stride_w < 1 || w->dims[1] < 1 || w->dims[2] < 1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "stride %dx%d and filter %dx%d must be >= 1",
                       a->stride_h, a->stride_w, w->dims[1], w->dims[2]);
    if ((int)a->padding < 0 || a->padding > NEURIO_PAD_EXPLICIT ||
        (a->padding == NEURIO_PAD_EXPLICIT && (a->pad[0] < 0 || a->pad[1] < 0)))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "bad padding mode %d", (int)a->padding);
    if ((int)a->activation < 0 || a->activation > NEURIO_ACT_RELU_N1_TO_1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "unknown fused activation %d", (int)a->activation);
    return NEURIO_OK;
}

static int check_fc(vctx *c)
{
    int rc = need_inputs(c, 2, 3, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *w = in_t(c, 1), *b = in_t(c, 2), *y = out_t(c, 0);
    if ((rc = need_rank(c, w, "weights", 2)))
        return rc;
    if ((rc = check_wb_dtypes(c, x, w, b, y)))
        return rc;
    int32_t o = w->dims[0], i = w->dims[1];
    size_t xe = neurio_tensor_elements(x);
    if (i <= 0 || o <= 0 || xe % (size_t)i != 0)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input '%.60s' has %zu elements, not a multiple "
                       "of the weights' %d input features", x->name, xe, i);
    if (y->rank < 1 || y->dims[y->rank - 1] != o ||
        neurio_tensor_elements(y) != xe / (size_t)i * (size_t)o)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' must have %zu rows of %d "
                       "features", y->name, xe / (size_t)i, o);
    return check_bias(c, b, o);
}

static int check_pool(vctx *c)
{
    int rc = need_inputs(c, 1, 1, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_rank(c, x, "input", 4)) || (rc = need_rank(c, y, "output", 4)) ||
        (rc = need_same_dtype(c, x, y)))
        return rc;
    const neurio_pool_attr *a = &c->op->attr.pool;
    if (a->filter_h < 1 || a->filter_w < 1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "filter %dx%d must be >= 1x1", a->filter_h,
                       a->filter_w);
    if (y->dims[3] != x->dims[3])
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output has %d channels, input %d",
                       y->dims[3], x->dims[3]);
    return check_spatial(c, x, y, a->filter_h, a->filter_w, a->stride_h, a->stride_w, 1, 1,
                         a->padding, a->pad);
}

static int check_eltwise(vctx *c)
{
    int rc = need_inputs(c, 2, 2, 1);
    if (rc) return rc;
    const neurio_tensor *a = in_t(c, 0), *b = in_t(c, 1), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, a, b)) || (rc = need_same_dtype(c, a, y)))
        return rc;
    if (a->rank > y->rank || b->rank > y->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output rank %d is lower than an input's",
                       y->rank);
    for (int32_t i = 0; i < y->rank; i++) {
        int32_t d = y->dims[y->rank - 1 - i];
        int32_t da = i < a->rank ? a->dims[a->rank - 1 - i] : 1;
        int32_t db = i < b->rank ? b->dims[b->rank - 1 - i] : 1;
        if ((da != d && da != 1) || (db != d && db != 1) || (d != da && d != db))
            return nir_op_fail(c, NEURIO_ERR_INVALID, "shapes do not broadcast: axis %d is %d "
                           "and %d in the inputs, %d in the output", y->rank - 1 - i, da,
                           db, d);
    }
    return NEURIO_OK;
}

static int check_unary(vctx *c, int max_inputs)
{
    int rc = need_inputs(c, 1, max_inputs, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    /* TFLite's SOFTMAX may widen int8 to an int16 output. */
    int widen = c->op->kind == NEURIO_OP_SOFTMAX && x->dtype == NEURIO_DT_INT8 &&
                y->dtype == NEURIO_DT_INT16;
    if ((!widen && (rc = need_same_dtype(c, x, y))) || (rc = need_same_shape(c, x, y)))
        return rc;
    if (c->op->kind == NEURIO_OP_SOFTMAX &&
        !(isfinite(c->op->attr.softmax.beta) && c->op->attr.softmax.beta > 0))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "beta %g must be a positive number",
                       (double)c->op->attr.softmax.beta);
    if (c->op->kind == NEURIO_OP_CLIP && !(c->op->attr.clip.min <= c->op->attr.clip.max))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "min %g is above max %g",
                       (double)c->op->attr.clip.min, (double)c->op->attr.clip.max);
    return NEURIO_OK;
}

static int check_quantize(vctx *c, int dequantize)
{
    int rc = need_inputs(c, 1, 1, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_shape(c, x, y)))
        return rc;
    if (dequantize) {
        if (!nir_is_quant_dtype(x->dtype) || y->dtype != NEURIO_DT_FLOAT32)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "converts %s to %s; expected a quantized "
                           "input and a float32 output", neurio_dtype_name(x->dtype),
                           neurio_dtype_name(y->dtype));
    } else if (!(nir_is_quant_dtype(y->dtype) || y->dtype == NEURIO_DT_INT32) ||
               !(x->dtype == NEURIO_DT_FLOAT32 || nir_is_quant_dtype(x->dtype))) {
        return nir_op_fail(c, NEURIO_ERR_INVALID, "converts %s to %s; expected float32 or "
                       "quantized input and a quantized output (int8, uint8, int16 or int32)",
                       neurio_dtype_name(x->dtype), neurio_dtype_name(y->dtype));
    } else if (y->quant.count < 1) {
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' is %s without quantization "
                       "parameters", y->name, neurio_dtype_name(y->dtype));
    }
    return NEURIO_OK;
}

static int check_reshape(vctx *c)
{
    int rc = need_inputs(c, 1, 2, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)))
        return rc;
    if (neurio_tensor_elements(x) != neurio_tensor_elements(y))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "input '%.60s' has %zu elements, output '%.60s' %zu",
                       x->name, neurio_tensor_elements(x), y->name,
                       neurio_tensor_elements(y));
    return NEURIO_OK;
}

static int check_pad(vctx *c)
{
    int rc = need_inputs(c, 2, 2, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *p = in_t(c, 1), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)))
        return rc;
    if (!neurio_tensor_is_const(p) || (p->dtype != NEURIO_DT_INT32 && p->dtype != NEURIO_DT_INT64) ||
        p->rank != 2 || p->dims[0] != x->rank || p->dims[1] != 2)
        return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED, "paddings '%.60s' must be a constant int32/"
                       "int64 tensor of shape [%d, 2]", p->name, x->rank);
    if (y->rank != x->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output rank %d differs from input rank %d",
                       y->rank, x->rank);
    for (int32_t i = 0; i < x->rank; i++) {
        int64_t lo, hi;
        if (p->dtype == NEURIO_DT_INT32) {
            lo = ((const int32_t *)p->data)[2 * i];
            hi = ((const int32_t *)p->data)[2 * i + 1];
        } else {
            lo = ((const int64_t *)p->data)[2 * i];
            hi = ((const int64_t *)p->data)[2 * i + 1];
        }
        if (lo < 0 || hi < 0 || x->dims[i] + lo + hi != y->dims[i])
            return nir_op_fail(c, NEURIO_ERR_INVALID, "axis %d: input %d padded by %lld+%lld "
                           "does not give the output's %d", i, x->dims[i], (long long)lo,
                           (long long)hi, y->dims[i]);
    }
    return NEURIO_OK;
}

static int check_concat(vctx *c)
{
    if (c->op->n_inputs < 1 || c->op->n_outputs != 1)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "needs >= 1 input and 1 output");
    const neurio_tensor *y = out_t(c, 0);
    int32_t ax = c->op->attr.concat.axis;
    if (ax < 0 || ax >= y->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "axis %d is outside 0..%d (importers "
                       "normalize negative axes)", ax, y->rank - 1);
    int64_t sum = 0;
    for (int32_t k = 0; k < c->op->n_inputs; k++) {
        const neurio_tensor *x = in_t(c, k);
        if (!x)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d is absent", k);
        int rc = need_same_dtype(c, x, y);
        if (rc) return rc;
        if (x->rank != y->rank)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d '%.60s' has rank %d, output %d",
                           k, x->name, x->rank, y->rank);
        for (int32_t i = 0; i < y->rank; i++)
            if (i != ax && x->dims[i] != y->dims[i])
                return nir_op_fail(c, NEURIO_ERR_INVALID, "input %d '%.60s' axis %d is %d, "
                               "output %d", k, x->name, i, x->dims[i], y->dims[i]);
        sum += x->dims[ax];
    }
    if (sum != y->dims[ax])
        return nir_op_fail(c, NEURIO_ERR_INVALID, "inputs sum to %lld along axis %d, output "
                       "has %d", (long long)sum, ax, y->dims[ax]);
    return NEURIO_OK;
}

static int check_mean(vctx *c)
{
    int rc = need_inputs(c, 1, 2, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)))
        return rc;
    int32_t n = c->op->attr.mean.n_axes;
    if (n < 1 || n > x->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "reduces %d axes of a rank-%d input", n,
                       x->rank);
    int reduced[NEURIO_MAX_RANK] = { 0 };
    for (int32_t i = 0; i < n; i++) {
        int32_t a = c->op->attr.mean.axes[i];
        if (a < 0 || a >= x->rank || reduced[a])
            return nir_op_fail(c, NEURIO_ERR_INVALID, "axis %d is out of range or repeated", a);
        reduced[a] = 1;
    }
    int32_t k = 0;
    int ok = 1;
    for (int32_t i = 0; i < x->rank && ok; i++) {
        if (reduced[i] && !c->op->attr.mean.keep_dims)
            continue;
        int32_t want = reduced[i] ? 1 : x->dims[i];
        ok = k < y->rank && y->dims[k] == want;
        k++;
    }
    if (!ok || k != y->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output '%.60s' shape does not match the "
                       "reduction (keep_dims %d)", y->name, c->op->attr.mean.keep_dims);
    return NEURIO_OK;
}

static int check_transpose(vctx *c)
{
    int rc = need_inputs(c, 1, 2, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)))
        return rc;
    if (x->rank != y->rank)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "output rank %d differs from input %d",
                       y->rank, x->rank);
    int seen[NEURIO_MAX_RANK] = { 0 };
    for (int32_t i = 0; i < x->rank; i++) {
        int32_t p = c->op->attr.transpose.perm[i];
        if (p < 0 || p >= x->rank || seen[p])
            return nir_op_fail(c, NEURIO_ERR_INVALID, "perm is not a permutation of 0..%d",
                           x->rank - 1);
        seen[p] = 1;
        if (y->dims[i] != x->dims[p])
            return nir_op_fail(c, NEURIO_ERR_INVALID, "output axis %d is %d, input axis %d is %d",
                           i, y->dims[i], p, x->dims[p]);
    }
    return NEURIO_OK;
}

static int check_batch_norm(vctx *c)
{
    int rc = need_inputs(c, 5, 5, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)) || (rc = need_same_shape(c, x, y)))
        return rc;
    int32_t ch = x->rank ? x->dims[x->rank - 1] : 1;
    for (int k = 1; k < 5; k++) {
        const neurio_tensor *p = in_t(c, k);
        if (neurio_tensor_elements(p) != (size_t)ch)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "parameter %d '%.60s' has %zu elements, "
                           "expected %d (channels, last axis)", k, p->name,
                           neurio_tensor_elements(p), ch);
    }
    return NEURIO_OK;
}

static int check_matmul(vctx *c)
{
    int rc = need_inputs(c, 2, 2, 1);
    if (rc) return rc;
    const neurio_tensor *a = in_t(c, 0), *b = in_t(c, 1), *y = out_t(c, 0);
    if (a->rank < 2 || b->rank < 2 || y->rank < 2)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "operands must have rank >= 2");
    int32_t m = a->dims[a->rank - 2], k = a->dims[a->rank - 1];
    int32_t k2 = b->dims[b->rank - 2], n = b->dims[b->rank - 1];
    if (k != k2 || y->dims[y->rank - 2] != m || y->dims[y->rank - 1] != n)
        return nir_op_fail(c, NEURIO_ERR_INVALID, "[.., %d, %d] x [.., %d, %d] does not give "
                       "output [.., %d, %d]", m, k, k2, n, y->dims[y->rank - 2],
                       y->dims[y->rank - 1]);
    return NEURIO_OK;
}

static int check_leaky_relu(vctx *c)
{
    int rc = check_unary(c, 1);
    if (rc)
        return rc;
    if (!isfinite(c->op->attr.leaky_relu.alpha))
        return nir_op_fail(c, NEURIO_ERR_INVALID, "alpha %g is not a finite number",
                       (double)c->op->attr.leaky_relu.alpha);
    return NEURIO_OK;
}

/* STRIDED_SLICE: begin, end and strides are constant int32 vectors of one
 * length, no stride is 0.  The output shape is checked where the window is
 * computed (lower/lower_slice.c), with the masks. */
static int check_strided_slice(vctx *c)
{
    int rc = need_inputs(c, 4, 4, 1);
    if (rc) return rc;
    const neurio_tensor *x = in_t(c, 0), *y = out_t(c, 0);
    if ((rc = need_same_dtype(c, x, y)))
        return rc;
    static const char *const role[4] = {"", "begin", "end", "strides"};
    size_t n = 0;
    for (int k = 1; k < 4; k++) {
        const neurio_tensor *t = in_t(c, k);
        if (!neurio_tensor_is_const(t) || t->dtype != NEURIO_DT_INT32 || t->rank != 1)
            return nir_op_fail(c, NEURIO_ERR_UNSUPPORTED, "%s '%.60s' must be a constant int32 "
                           "vector", role[k], t->name);
        if (k == 1)
            n = neurio_tensor_elements(t);
        if (neurio_tensor_elements(t) != n || n > NEURIO_MAX_RANK)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "begin, end and strides must have one "
                           "length <= %d (%s has %zu)", NEURIO_MAX_RANK, role[k],
                           neurio_tensor_elements(t));
    }
    const int32_t *st = in_t(c, 3)->data;
    for (size_t i = 0; i < n; i++)
        if (st[i] == 0)
            return nir_op_fail(c, NEURIO_ERR_INVALID, "stride %zu is 0", i);
    return NEURIO_OK;
}

int nir_check_op(vctx *c)
{
    switch (c->op->kind) {
    case NEURIO_OP_CONV_2D: return check_conv(c, 0);
    case NEURIO_OP_DEPTHWISE_CONV_2D: return check_conv(c, 1);
    case NEURIO_OP_FULLY_CONNECTED: return check_fc(c);
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: return check_pool(c);
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL: return check_eltwise(c);
    case NEURIO_OP_SOFTMAX:
    case NEURIO_OP_LOGISTIC:
    case NEURIO_OP_TANH:
    case NEURIO_OP_RELU:
    case NEURIO_OP_RELU6: return check_unary(c, 1);
    case NEURIO_OP_CLIP: return check_unary(c, 3);
    case NEURIO_OP_RESHAPE: return check_reshape(c);
    case NEURIO_OP_PAD: return check_pad(c);
    case NEURIO_OP_CONCATENATION: return check_concat(c);
    case NEURIO_OP_MEAN: return check_mean(c);
    case NEURIO_OP_QUANTIZE: return check_quantize(c, 0);
    case NEURIO_OP_DEQUANTIZE: return check_quantize(c, 1);
    case NEURIO_OP_TRANSPOSE: return check_transpose(c);
    case NEURIO_OP_BATCH_NORM: return check_batch_norm(c);
    case NEURIO_OP_MATMUL: return check_matmul(c);
    case NEURIO_OP_TRANSPOSE_CONV: return check_transpose_conv(c);
    case NEURIO_OP_SVDF:
    case NEURIO_OP_LSTM:
    case NEURIO_OP_SIGNAL_WINDOW:
    case NEURIO_OP_SIGNAL_RFFT:
    case NEURIO_OP_SIGNAL_FFT_AUTO_SCALE:
    case NEURIO_OP_SIGNAL_ENERGY:
    case NEURIO_OP_SIGNAL_FILTER_BANK:
    case NEURIO_OP_SIGNAL_FILTER_BANK_SQRT:
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION:
    case NEURIO_OP_SIGNAL_FILTER_BANK_LOG:
    case NEURIO_OP_SIGNAL_PCAN: return nir_check_state_op(c->m, c->op_index, c->err);
    case NEURIO_OP_LEAKY_RELU: return check_leaky_relu(c);
    case NEURIO_OP_STRIDED_SLICE: return check_strided_slice(c);
    case NEURIO_OP_COUNT: break;
    default: return nir_check_ext_op(c);
    }
    return nir_op_fail(c, NEURIO_ERR_INVALID, "unknown op kind %d", (int)c->op->kind);
}

