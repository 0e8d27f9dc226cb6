/* sdk/src/lower/lower.c — the lowering driver: the kernel table, the helpers
 * the per-family lowering functions share, and lw_lower()'s dispatch by op
 * kind.  See lower.h. */
#include "lower/lower.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "lower/lower_state.h"

static const lw_kernel_info lw_kernels[LW_K_COUNT] = {
#define LW_INFO(id, fn, member, shp, grp) \
    [LW_K_##id] = {.name = #fn, .ptype = LW_P_##member, .shape = LW_SHAPE_##shp, .groups = (grp)},
    LW_KERNELS(LW_INFO)
#undef LW_INFO
};

const lw_kernel_info *lw_kernel_get(lw_kernel k)
{
    return (unsigned)k < LW_K_COUNT ? &lw_kernels[k] : NULL;
}

/* ------------------------------------------------------------ helpers */

int lw_fail(lw_ctx *c, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return neurio_fail(c->err, status, "op %d (%s) '%s': %s", c->oi, neurio_op_name(c->op->kind),
                       c->op->name ? c->op->name : "", msg);
}

int lw_rq(lw_ctx *c, int rc, const neurio_errbuf *e)
{
    return rc ? lw_fail(c, rc, "%s", e->msg) : NEURIO_OK;
}

int32_t lw_in(lw_ctx *c, int32_t k, int *rc)
{
    if (k >= c->op->n_inputs || c->op->inputs[k] < 0) {
        *rc = lw_fail(c, NEURIO_ERR_INVALID, "input %d is missing", k);
        return -1;
    }
    return c->op->inputs[k];
}

int lw_operands(lw_ctx *c, int32_t n, int32_t *in, int32_t *y, neurio_dtype *dt)
{
    int rc = NEURIO_OK;
    for (int32_t k = 0; k < n; k++)
        if ((in[k] = lw_in(c, k, &rc)) < 0)
            return rc;
    *y = c->op->outputs[0];
    return dt ? lw_same_dtype(c, dt) : NEURIO_OK;
}

int lw_last_axis(lw_ctx *c, int32_t t, int32_t *rows, int32_t *depth)
{
    const neurio_tensor *tt = lw_t(c, t);
    *depth = tt->rank > 0 ? tt->dims[tt->rank - 1] : 1;
    size_t n = neurio_tensor_elements(tt);
    if (*depth <= 0 || n % (size_t)*depth)
        return lw_fail(c, NEURIO_ERR_INVALID, "bad input shape");
    *rows = (int32_t)(n / (size_t)*depth);
    return NEURIO_OK;
}

int lw_rows_op(lw_ctx *c, int32_t *x, int32_t *y, neurio_dtype *dt, int32_t *rows,
               int32_t *depth)
{
    int rc = lw_operands(c, 1, x, y, dt);
    return rc ? rc : lw_last_axis(c, *x, rows, depth);
}

int lw_fixed_out_s8(lw_ctx *c, int32_t x, int32_t y, int num, int den, int32_t zp, float *xs,
                    int32_t *xz)
{
    float ys = 0.0f; /* set by lw_q1; gcc -O2 cannot see it through rc */
    int32_t yz = 0;
    int rc = lw_q1(c, x, xs, xz);
    if (rc || (rc = lw_q1(c, y, &ys, &yz)))
        return rc;
    if (ys != (float)num / (float)den || yz != zp)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int8 output must have scale %d/%d and zero "
                       "point %d (has %g, %d)", num, den, zp, (double)ys, yz);
    return NEURIO_OK;
}

int32_t lw_opt_in(const lw_ctx *c, int32_t k)
{
    return k < c->op->n_inputs ? c->op->inputs[k] : -1;
}

int lw_same_dtype(lw_ctx *c, neurio_dtype *dt)
{
    const neurio_op *op = c->op;
    int32_t x = op->n_inputs > 0 ? op->inputs[0] : -1;
    if (x < 0)
        return lw_fail(c, NEURIO_ERR_INVALID, "op needs an input and an output");
    neurio_dtype din = lw_t(c, x)->dtype, dout = lw_t(c, op->outputs[0])->dtype;
    if (din != dout)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input is %s but output is %s",
                       neurio_dtype_name(din), neurio_dtype_name(dout));
    if (din != NEURIO_DT_INT8 && din != NEURIO_DT_FLOAT32)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "dtype %s (only int8 and float32 kernels exist)",
                       neurio_dtype_name(din));
    *dt = din;
    return NEURIO_OK;
}

int lw_rank4(lw_ctx *c, int32_t t, const char *what)
{
    if (lw_t(c, t)->rank != 4)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s tensor %d '%s' has rank %d, expected 4 (NHWC)",
                       what, t, lw_t(c, t)->name, lw_t(c, t)->rank);
    return NEURIO_OK;
}

int lw_q1(lw_ctx *c, int32_t t, float *scale, int32_t *zp)
{
    const neurio_tensor *tt = lw_t(c, t);
    if (tt->quant.count != 1 || !tt->quant.scale || !(tt->quant.scale[0] > 0.0f))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "tensor %d '%s' needs one positive per-tensor scale (has %d)", t, tt->name,
                       tt->quant.count);
    *scale = tt->quant.scale[0];
    *zp = tt->quant.zero_point ? tt->quant.zero_point[0] : 0;
    return NEURIO_OK;
}

void lw_act_s8(neurio_activation a, float scale, int32_t zp, int32_t *lo, int32_t *hi)
{
    if (neurio_act_range_s8(a, scale, zp, lo, hi, NULL) != NEURIO_OK) {
        *lo = -128;
        *hi = 127;
    }
}

void lw_act_s32(neurio_activation a, int32_t *lo, int32_t *hi)
{
    *lo = INT32_MIN;
    *hi = INT32_MAX;
    if (a == NEURIO_ACT_RELU) {
        *lo = 0;
    } else if (a == NEURIO_ACT_RELU6) {
        *lo = 0;
        *hi = 6;
    } else if (a == NEURIO_ACT_RELU_N1_TO_1) {
        *lo = -1;
        *hi = 1;
    }
}

int lw_set(lw_ctx *c, lw_kernel k, int32_t n, const int32_t *args)
{
    lw_op *l = c->out;
    if (l->args && l->args != l->args_small)
        free(l->args);
    l->args = n <= LW_MAX_ARGS ? l->args_small : malloc((size_t)n * sizeof *l->args);
    if (!l->args)
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory lowering op %d", c->oi);
    memcpy(l->args, args, (size_t)n * sizeof *args);
    l->n_args = n;
    l->kernel = k;
    return NEURIO_OK;
}

int32_t *lw_array_new(lw_ctx *c, int k, const char *tag, int32_t n)
{
    lw_array *a = &c->out->arrays[k];
    free(a->v);
    a->v = calloc((size_t)(n > 0 ? n : 1), sizeof *a->v);
    a->n = a->v ? n : 0;
    a->tag = tag;
    if (!a->v)
        neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory lowering op %d", c->oi);
    return a->v;
}

int64_t lw_const_int(const neurio_tensor *t, size_t i)
{
    if (t->dtype == NEURIO_DT_INT64)
        return ((const int64_t *)t->data)[i];
    return ((const int32_t *)t->data)[i];
}

/* ----------------------------------------------------------- dispatch */

/* Ops whose int16 (or mixed-type quantize) form lower_wide.c lowers. */
static int lw_is_wide(const lw_ctx *c)
{
    const neurio_op *op = c->op;
    if (op->n_inputs < 1 || op->inputs[0] < 0)
        return 0;
    neurio_dtype dx = lw_t(c, op->inputs[0])->dtype, dy = lw_t(c, op->outputs[0])->dtype;
    switch (op->kind) {
    case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL: case NEURIO_OP_PAD:
        return dx == NEURIO_DT_INT16;
    case NEURIO_OP_SOFTMAX: return dy == NEURIO_DT_INT16;
    case NEURIO_OP_LOGISTIC: case NEURIO_OP_TANH: return dx == NEURIO_DT_INT16;
    case NEURIO_OP_QUANTIZE: case NEURIO_OP_DEQUANTIZE:
        return dx == NEURIO_DT_INT16 || dy == NEURIO_DT_INT16 || dy == NEURIO_DT_INT32;
    default: return 0;
    }
}

/* SVDF, LSTM and the Signal ops: the parameters lower_state.c derives (the
 * interpreter and the generator derive them again when they run or print
 * the op), so "can it be deployed" has the same answer for them. */
int lw_state(lw_ctx *c)
{
    const neurio_op *op = c->op;
    int32_t x = op->n_inputs > 0 ? op->inputs[0] : -1;
    neurio_dtype dt = x >= 0 ? lw_t(c, x)->dtype : NEURIO_DT_UNKNOWN;
    int rc = NEURIO_OK;
    switch (op->kind) {
    case NEURIO_OP_SVDF: {
        nk_svdf_params p;
        if (dt != NEURIO_DT_INT8 && dt != NEURIO_DT_FLOAT32)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "SVDF on %s (int8 and float32 kernels)",
                           neurio_dtype_name(dt));
        rc = nlw_svdf(c->m, c->oi, &p, c->err);
        break;
    }
    case NEURIO_OP_LSTM: {
        nk_lstm_params p;
        int32_t wi[4], wr[4], b[4];
        if (dt != NEURIO_DT_FLOAT32)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "UNIDIRECTIONAL_SEQUENCE_LSTM on %s (only "
                           "the float32 kernel exists)", neurio_dtype_name(dt));
        rc = nlw_lstm(c->m, c->oi, &p, wi, wr, b, c->err);
        break;
    }
    case NEURIO_OP_SIGNAL_RFFT: {
        nlw_rfft r;
        rc = nlw_signal_rfft(c->m, c->oi, &r, c->err);
        nlw_rfft_free(&r);
        break;
    }
    case NEURIO_OP_SIGNAL_FILTER_BANK: {
        nk_filter_bank_params p;
        rc = nlw_signal_filter_bank(c->m, c->oi, &p, c->err);
        break;
    }
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION: {
        nk_spectral_sub_params p;
        rc = nlw_signal_spectral_sub(c->m, c->oi, &p, c->err);
        break;
    }
    default: break; /* shapes and dtypes checked by neurio_model_validate */
    }
    if (rc)
        return rc;
    c->out->kernel = LW_K_STATE;
    return NEURIO_OK;
}

static int lw_dispatch(lw_ctx *c)
{
    if (lw_is_wide(c))
        return lw_wide(c);
    switch (c->op->kind) {
    case NEURIO_OP_CONV_2D: return lw_conv(c, 0);
    case NEURIO_OP_DEPTHWISE_CONV_2D: return lw_conv(c, 1);
    case NEURIO_OP_FULLY_CONNECTED: return lw_fc(c);
    case NEURIO_OP_AVERAGE_POOL_2D: return lw_pool(c, 0);
    case NEURIO_OP_MAX_POOL_2D: return lw_pool(c, 1);
    case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL: return lw_binary(c);
    case NEURIO_OP_SOFTMAX: return lw_softmax(c);
    case NEURIO_OP_RESHAPE: return lw_reshape(c);
    case NEURIO_OP_PAD: return lw_pad(c);
    case NEURIO_OP_CONCATENATION: return lw_concat(c);
    case NEURIO_OP_MEAN: return lw_mean(c);
    case NEURIO_OP_QUANTIZE: case NEURIO_OP_DEQUANTIZE: return lw_quantize(c);
    case NEURIO_OP_LOGISTIC: return lw_sigmoid(c, 0);
    case NEURIO_OP_TANH: return lw_sigmoid(c, 1);
    case NEURIO_OP_RELU: case NEURIO_OP_RELU6: case NEURIO_OP_CLIP: return lw_relu(c);
    case NEURIO_OP_TRANSPOSE_CONV: return lw_transpose_conv(c);
    case NEURIO_OP_LEAKY_RELU: return lw_leaky_relu(c);
    case NEURIO_OP_STRIDED_SLICE: return lw_strided_slice(c);
    case NEURIO_OP_SQUEEZE: case NEURIO_OP_EXPAND_DIMS: return lw_reshape(c);
    case NEURIO_OP_TRANSPOSE: return lw_transpose(c);
    case NEURIO_OP_SLICE: return lw_slice(c);
    case NEURIO_OP_SPLIT: case NEURIO_OP_SPLIT_V: case NEURIO_OP_UNPACK: return lw_split(c);
    case NEURIO_OP_PACK: return lw_pack(c);
    case NEURIO_OP_GATHER: return lw_gather(c);
    case NEURIO_OP_DEPTH_TO_SPACE: case NEURIO_OP_SPACE_TO_DEPTH: return lw_space_depth(c);
    case NEURIO_OP_SELECT: return lw_select(c);
    case NEURIO_OP_RESIZE_NEAREST: case NEURIO_OP_RESIZE_BILINEAR: return lw_resize(c);
    case NEURIO_OP_CAST: return lw_cast(c);
    case NEURIO_OP_SUM: case NEURIO_OP_REDUCE_MAX: case NEURIO_OP_REDUCE_MIN: return lw_mean(c);
    case NEURIO_OP_DIV: case NEURIO_OP_SQUARED_DIFFERENCE: case NEURIO_OP_MAXIMUM:
    case NEURIO_OP_MINIMUM: case NEURIO_OP_EQUAL: case NEURIO_OP_NOT_EQUAL: case NEURIO_OP_LESS:
    case NEURIO_OP_LESS_EQUAL: case NEURIO_OP_GREATER: case NEURIO_OP_GREATER_EQUAL:
    case NEURIO_OP_LOGICAL_AND: case NEURIO_OP_LOGICAL_OR: case NEURIO_OP_PRELU:
        return lw_binary_ext(c);
    case NEURIO_OP_LOGICAL_NOT: case NEURIO_OP_ABS: case NEURIO_OP_NEG: case NEURIO_OP_RSQRT:
    case NEURIO_OP_SQRT: case NEURIO_OP_EXP: case NEURIO_OP_LOG: return lw_unary_ext(c);
    case NEURIO_OP_HARD_SWISH: return lw_hard_swish(c);
    case NEURIO_OP_LOG_SOFTMAX: return lw_log_softmax(c);
    case NEURIO_OP_L2_NORMALIZATION: return lw_l2norm(c);
    case NEURIO_OP_BATCH_MATMUL: return lw_bmm(c);
    case NEURIO_OP_SVDF: case NEURIO_OP_LSTM: return lw_state(c);
    default:
        if (nlw_is_state_op(c->op->kind))
            return lw_state(c);
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "no kernel for this op; run the optimizer first (it folds "
                       "BATCH_NORM, TRANSPOSE and MATMUL where it can)");
    }
}

int lw_lower(const neurio_model *m, int32_t oi, lw_op *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    lw_ctx c = {.m = m, .oi = oi, .op = &m->ops[oi], .out = out, .err = err};
    if (c.op->n_outputs < 1 || c.op->outputs[0] < 0)
        return lw_fail(&c, NEURIO_ERR_INVALID, "op has no output");
    return lw_dispatch(&c);
}

void lw_op_free(lw_op *l)
{
    if (!l)
        return;
    if (l->args != l->args_small)
        free(l->args);
    for (int k = 0; k < LW_MAX_ARRAYS; k++)
        free(l->arrays[k].v);
    memset(l, 0, sizeof *l);
}
