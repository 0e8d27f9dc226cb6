/* sdk/src/lower/lower_wide.c — int16 activations (TFLite's int16x8) for the
 * element-wise and layout ops: ADD, SUB, MUL and PAD on int16, SOFTMAX
 * int8 -> int16; QUANTIZE and
 * DEQUANTIZE between int8, int16, int32 and float32; and LEAKY_RELU (int8,
 * int16, float32).  Every constant as TFLite Micro's Prepare derives it
 * (neurio/requant.h). */
#include <math.h>

#include "lower_internal.h"

/* Input k and the output must be int16 with one per-tensor scale. */
static int lw_s16(lw_ctx *c, int32_t t, const char *role)
{
    if (lw_t(c, t)->dtype != NEURIO_DT_INT16)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s tensor %d '%s' is %s; the int16 kernel "
                       "needs int16 inputs and output", role, t, lw_t(c, t)->name,
                       neurio_dtype_name(lw_t(c, t)->dtype));
    return NEURIO_OK;
}

static int lw_binary_s16(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    int rc = lw_operands(c, 2, in, &y, NULL);
    if (rc || (rc = lw_s16(c, in[0], "input")) || (rc = lw_s16(c, in[1], "input")) ||
        (rc = lw_s16(c, y, "output")))
        return rc;
    nk_binary_params *p = &c->out->p.binary;
    if ((rc = lw_binary_shape(c, in[0], in[1], y, p)))
        return rc;
    float s1, s2, sy;
    if ((rc = lw_q1(c, in[0], &s1, &p->in1_zp)) || (rc = lw_q1(c, in[1], &s2, &p->in2_zp)) ||
        (rc = lw_q1(c, y, &sy, &p->out_zp)))
        return rc;
    const int is_sub = c->op->kind == NEURIO_OP_SUB;
    neurio_errbuf e = {{0}};
    neurio_add_quant q;
    if ((rc = lw_rq(c, neurio_act_range_q(c->op->attr.eltwise.activation, sy, p->out_zp, -32768,
                                          32767, &p->act_min, &p->act_max, &e), &e)))
        return rc;
    if (c->op->kind == NEURIO_OP_MUL) {
        if (p->in1_zp || p->in2_zp || p->out_zp)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 MUL needs zero points 0 (TFLite "
                           "Micro's rule); they are %d, %d and %d", p->in1_zp, p->in2_zp,
                           p->out_zp);
        if ((rc = lw_rq(c, neurio_mul_params_s8(s1, s2, sy, &p->out_mult, &p->out_shift, &e),
                        &e)))
            return rc;
        return lw_set(c, LW_K_MUL_S16, 3, (int32_t[]){in[0], in[1], y});
    }
    if ((rc = lw_rq(c, neurio_add_params_s16(s1, s2, sy, is_sub, &q, &e), &e)))
        return rc;
    p->left_shift = q.left_shift;
    p->in1_mult = q.in1_mult;
    p->in1_shift = q.in1_shift;
    p->in2_mult = q.in2_mult;
    p->in2_shift = q.in2_shift;
    p->out_mult = q.out_mult;
    p->out_shift = q.out_shift;
    return lw_set(c, is_sub ? LW_K_SUB_S16 : LW_K_ADD_S16, 3, (int32_t[]){in[0], in[1], y});
}

static int lw_pad_s16(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    int rc = lw_operands(c, 2, in, &y, NULL);
    if (rc || (rc = lw_s16(c, in[0], "input")) || (rc = lw_s16(c, y, "output")))
        return rc;
    const neurio_tensor *tx = lw_t(c, in[0]), *tp = lw_t(c, in[1]), *ty = lw_t(c, y);
    int32_t r = tx->rank;
    if (r < 1 || r > NK_MAX_DIMS || !tp->data ||
        (tp->dtype != NEURIO_DT_INT32 && tp->dtype != NEURIO_DT_INT64) ||
        neurio_tensor_elements(tp) != (size_t)(2 * r))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "paddings must be a constant int32/int64 [%d, 2] tensor", r);
    nk_pad_params *p = &c->out->p.pad;
    p->rank = r;
    for (int32_t d = 0; d < r; d++) {
        p->in_dims[d] = tx->dims[d];
        p->pad_before[d] = (int32_t)lw_const_int(tp, 2 * (size_t)d);
        p->pad_after[d] = (int32_t)lw_const_int(tp, 2 * (size_t)d + 1);
        if (p->pad_before[d] < 0 || p->pad_after[d] < 0 ||
            ty->dims[d] != tx->dims[d] + p->pad_before[d] + p->pad_after[d])
            return lw_fail(c, NEURIO_ERR_INVALID, "axis %d: input %d + padding %d,%d != output %d",
                           d, tx->dims[d], p->pad_before[d], p->pad_after[d], ty->dims[d]);
    }
    /* TFLM pad.cc: the constant input if any, else the output zero point */
    float ys;
    if ((rc = lw_q1(c, y, &ys, &p->pad_value)))
        return rc;
    int32_t cv = lw_opt_in(c, 2);
    const neurio_tensor *tc = cv >= 0 ? lw_t(c, cv) : NULL;
    if (tc && tc->data && tc->dtype == NEURIO_DT_INT16)
        p->pad_value = ((const int16_t *)tc->data)[0];
    return lw_set(c, LW_K_PAD_S16, 2, (int32_t[]){in[0], y});
}

/* The requantizing kernel for dx -> dy, or -1. */
static int lw_requant_kernel(neurio_dtype dx, neurio_dtype dy, lw_kernel *k, int32_t *lo,
                             int32_t *hi)
{
    *lo = dy == NEURIO_DT_INT8 ? -128 : dy == NEURIO_DT_INT16 ? -32768 : INT32_MIN;
    *hi = dy == NEURIO_DT_INT8 ? 127 : dy == NEURIO_DT_INT16 ? 32767 : INT32_MAX;
    if (dx == NEURIO_DT_INT16 && dy == NEURIO_DT_INT8) *k = LW_K_REQUANTIZE_S16_S8;
    else if (dx == NEURIO_DT_INT16 && dy == NEURIO_DT_INT16) *k = LW_K_REQUANTIZE_S16_S16;
    else if (dx == NEURIO_DT_INT16 && dy == NEURIO_DT_INT32) *k = LW_K_REQUANTIZE_S16_S32;
    else if (dx == NEURIO_DT_INT8 && dy == NEURIO_DT_INT16) *k = LW_K_REQUANTIZE_S8_S16;
    else if (dx == NEURIO_DT_INT8 && dy == NEURIO_DT_INT32) *k = LW_K_REQUANTIZE_S8_S32;
    else return -1;
    return 0;
}

static int lw_quantize_wide(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    neurio_dtype dx = lw_t(c, x)->dtype, dy = lw_t(c, y)->dtype;
    int32_t n = (int32_t)neurio_tensor_elements(lw_t(c, x));
    if (c->op->kind == NEURIO_OP_DEQUANTIZE || dx == NEURIO_DT_FLOAT32) {
        int deq = c->op->kind == NEURIO_OP_DEQUANTIZE;
        if (deq ? (dx != NEURIO_DT_INT16 || dy != NEURIO_DT_FLOAT32)
                : (dy != NEURIO_DT_INT16))
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s has no kernel",
                           neurio_dtype_name(dx), neurio_dtype_name(dy));
        nk_quantize_params *q = &c->out->p.quantize;
        q->size = n;
        if ((rc = lw_q1(c, deq ? x : y, &q->scale, &q->zp)))
            return rc;
        return lw_set(c, deq ? LW_K_DEQUANTIZE_S16_F32 : LW_K_QUANTIZE_F32_S16, 2,
                      (int32_t[]){x, y});
    }
    lw_kernel k;
    nk_requant_params *r = &c->out->p.requant;
    if (lw_requant_kernel(dx, dy, &k, &r->act_min, &r->act_max))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s has no kernel (int8, int16 and "
                       "float32 inputs; int8, int16 and int32 outputs)", neurio_dtype_name(dx),
                       neurio_dtype_name(dy));
    float xs, ys;
    r->size = n;
    if ((rc = lw_q1(c, x, &xs, &r->in_zp)) || (rc = lw_q1(c, y, &ys, &r->out_zp)))
        return rc;
    neurio_errbuf e = {{0}};
    if ((rc = lw_rq(c, neurio_requant_params(xs, ys, &r->mult, &r->shift, &e), &e)))
        return rc;
    return lw_set(c, k, 2, (int32_t[]){x, y});
}

/* SOFTMAX int8 -> int16: the int8 constants, output scale 1/65536 and zero
 * point -32768 (TFLM's requirement). */
static int lw_softmax_s8_s16(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    int32_t rows, depth;
    if ((rc = lw_last_axis(c, x, &rows, &depth)))
        return rc;
    float xs, ys;
    int32_t xz, yz;
    if ((rc = lw_q1(c, x, &xs, &xz)) || (rc = lw_q1(c, y, &ys, &yz)))
        return rc;
    if (yz != -32768 || fabsf(ys - 1.0f / 65536.0f) > 0.001f / 65536.0f)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 output must have scale 1/65536 and "
                       "zero point -32768 (has %g, %d)", (double)ys, yz);
    nk_softmax_params *p = &c->out->p.softmax;
    p->rows = rows;
    p->depth = depth;
    p->beta = c->op->attr.softmax.beta != 0.0f ? c->op->attr.softmax.beta : 1.0f;
    neurio_errbuf e = {{0}};
    if ((rc = lw_rq(c, neurio_softmax_params_s8(p->beta, xs, &p->input_multiplier,
                                                &p->input_left_shift, &p->diff_min, &e), &e)))
        return rc;
    return lw_set(c, LW_K_SOFTMAX_S8_S16, 2, (int32_t[]){x, y});
}

int lw_wide(lw_ctx *c)
{
    switch (c->op->kind) {
    case NEURIO_OP_ADD: case NEURIO_OP_SUB: case NEURIO_OP_MUL: return lw_binary_s16(c);
    case NEURIO_OP_SOFTMAX:
        return lw_t(c, c->op->inputs[0])->dtype == NEURIO_DT_INT16 ? lw_softmax_s16(c)
                                                                   : lw_softmax_s8_s16(c);
    case NEURIO_OP_LOGISTIC: return lw_sigmoid_s16(c, 0);
    case NEURIO_OP_TANH: return lw_sigmoid_s16(c, 1);
    case NEURIO_OP_PAD: return lw_pad_s16(c);
    case NEURIO_OP_QUANTIZE: case NEURIO_OP_DEQUANTIZE: return lw_quantize_wide(c);
    default:
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "no int16 kernel for this op");
    }
}

int lw_leaky_relu(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    neurio_dtype dt = lw_t(c, x)->dtype;
    if (lw_t(c, y)->dtype != dt || (dt != NEURIO_DT_INT8 && dt != NEURIO_DT_INT16 &&
                                    dt != NEURIO_DT_FLOAT32))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s (kernels: int8, int16, float32, "
                       "input and output alike)", neurio_dtype_name(dt),
                       neurio_dtype_name(lw_t(c, y)->dtype));
    nk_leaky_relu_params *p = &c->out->p.leaky_relu;
    p->size = (int32_t)neurio_tensor_elements(lw_t(c, x));
    p->alpha = c->op->attr.leaky_relu.alpha;
    if (dt == NEURIO_DT_FLOAT32)
        return lw_set(c, LW_K_LEAKY_RELU_F32, 2, (int32_t[]){x, y});
    float xs, ys;
    if ((rc = lw_q1(c, x, &xs, &p->in_zp)) || (rc = lw_q1(c, y, &ys, &p->out_zp)))
        return rc;
    neurio_errbuf e = {{0}};
    if ((rc = lw_rq(c, neurio_leaky_relu_params(xs, ys, p->alpha, &p->mult_identity,
                                                &p->shift_identity, &p->mult_alpha,
                                                &p->shift_alpha, &e), &e)))
        return rc;
    return lw_set(c, dt == NEURIO_DT_INT8 ? LW_K_LEAKY_RELU_S8 : LW_K_LEAKY_RELU_S16, 2,
                  (int32_t[]){x, y});
}
