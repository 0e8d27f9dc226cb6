/* sdk/src/lower/lower_eltwise.c — element-wise ops: ADD/SUB/MUL with
 * broadcasting, SOFTMAX, LOGISTIC/TANH, QUANTIZE/DEQUANTIZE (and int8
 * requantize), RELU/RELU6/CLIP. */
#include <float.h>
#include <stdint.h>
#include <math.h>

#include "lower_internal.h"

/* Broadcast strides of input k (0 on a broadcast axis) into s; out dims. */
static int lw_bcast_strides(lw_ctx *c, int k, const neurio_tensor *in, const neurio_tensor *y,
                            int32_t *od, int32_t *s)
{
    int32_t r = y->rank, stride = 1;
    for (int32_t d = r - 1; d >= 0; d--) {
        int32_t id = d - (r - in->rank);
        int32_t dim = id >= 0 ? in->dims[id] : 1;
        od[d] = y->dims[d];
        if (dim != 1 && dim != od[d])
            return lw_fail(c, NEURIO_ERR_INVALID,
                           "input %d dim %d is %d, output's is %d (not broadcastable)", k, id,
                           dim, od[d]);
        s[d] = dim == 1 ? 0 : stride;
        stride *= dim;
    }
    return NEURIO_OK;
}

/* int8 ADD/SUB/MUL requantization constants and the output range. */
static int lw_binary_s8(lw_ctx *c, int32_t a, int32_t b, int32_t y, nk_binary_params *p)
{
    float sa, sb, sy;
    int rc;
    if ((rc = lw_q1(c, a, &sa, &p->in1_zp)) || (rc = lw_q1(c, b, &sb, &p->in2_zp)) ||
        (rc = lw_q1(c, y, &sy, &p->out_zp)))
        return rc;
    neurio_errbuf e = {{0}};
    if (c->op->kind == NEURIO_OP_MUL) {
        if ((rc = lw_rq(c, neurio_mul_params_s8(sa, sb, sy, &p->out_mult, &p->out_shift, &e), &e)))
            return rc;
    } else {
        neurio_add_quant q;
        if ((rc = lw_rq(c, neurio_add_params_s8(sa, sb, sy, &q, &e), &e)))
            return rc;
        p->left_shift = q.left_shift;
        p->in1_mult = q.in1_mult;
        p->in1_shift = q.in1_shift;
        p->in2_mult = q.in2_mult;
        p->in2_shift = q.in2_shift;
        p->out_mult = q.out_mult;
        p->out_shift = q.out_shift;
    }
    lw_act_s8(c->op->attr.eltwise.activation, sy, p->out_zp, &p->act_min, &p->act_max);
    return NEURIO_OK;
}

int lw_binary_shape(lw_ctx *c, int32_t a, int32_t b, int32_t y, nk_binary_params *p)
{
    int rc;
    const int alpha8 = c->op->kind == NEURIO_OP_PRELU && lw_t(c, a)->dtype == NEURIO_DT_INT16 &&
                       lw_t(c, b)->dtype == NEURIO_DT_INT8; /* int16 PRELU's int8 alpha */
    if (lw_t(c, b)->dtype != lw_t(c, a)->dtype && !alpha8)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "inputs are %s and %s",
                       neurio_dtype_name(lw_t(c, a)->dtype), neurio_dtype_name(lw_t(c, b)->dtype));
    const neurio_tensor *ta = lw_t(c, a), *tb = lw_t(c, b), *ty = lw_t(c, y);
    size_t ny = neurio_tensor_elements(ty);
    if (ny > INT32_MAX)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "output has %zu elements", ny);
    p->flat_size = (int32_t)ny;
    p->broadcast = neurio_tensor_elements(ta) != ny || neurio_tensor_elements(tb) != ny;
    if (p->broadcast) {
        if (ty->rank > NK_MAX_DIMS || ta->rank > ty->rank || tb->rank > ty->rank)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "broadcast of ranks %d, %d to %d",
                           ta->rank, tb->rank, ty->rank);
        p->rank = ty->rank;
        if ((rc = lw_bcast_strides(c, 0, ta, ty, p->out_dims, p->in1_strides)) ||
            (rc = lw_bcast_strides(c, 1, tb, ty, p->out_dims, p->in2_strides)))
            return rc;
    }
    return NEURIO_OK;
}

/* ADD, SUB, MUL on int32 (TFLite's plain integer kernels). */
static int lw_binary_s32(lw_ctx *c, int32_t a, int32_t b, int32_t y)
{
    nk_binary_params *p = &c->out->p.binary;
    int rc;
    if (lw_t(c, b)->dtype != NEURIO_DT_INT32 || lw_t(c, y)->dtype != NEURIO_DT_INT32)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int32 %s needs int32 inputs and output",
                       neurio_op_name(c->op->kind));
    if ((rc = lw_binary_shape(c, a, b, y, p)))
        return rc;
    lw_act_s32(c->op->attr.eltwise.activation, &p->act_min, &p->act_max);
    lw_kernel k = c->op->kind == NEURIO_OP_ADD ? LW_K_ADD_S32
                  : c->op->kind == NEURIO_OP_SUB ? LW_K_SUB_S32 : LW_K_MUL_S32;
    return lw_set(c, k, 3, (int32_t[]){a, b, y});
}

int lw_binary(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    neurio_dtype dt;
    int rc = NEURIO_OK;
    if (c->op->n_inputs >= 2 && (in[0] = lw_in(c, 0, &rc)) >= 0 &&
        lw_t(c, in[0])->dtype == NEURIO_DT_INT32 && (in[1] = lw_in(c, 1, &rc)) >= 0)
        return lw_binary_s32(c, in[0], in[1], c->op->outputs[0]);
    if ((rc = lw_operands(c, 2, in, &y, &dt)))
        return rc;
    int32_t a = in[0], b = in[1];
    nk_binary_params *p = &c->out->p.binary;
    if ((rc = lw_binary_shape(c, a, b, y, p)))
        return rc;
    lw_kernel k;
    if (dt == NEURIO_DT_INT8) {
        if ((rc = lw_binary_s8(c, a, b, y, p)))
            return rc;
        k = c->op->kind == NEURIO_OP_ADD ? LW_K_ADD_S8
            : c->op->kind == NEURIO_OP_SUB ? LW_K_SUB_S8 : LW_K_MUL_S8;
    } else {
        neurio_act_range_f32(c->op->attr.eltwise.activation, &p->act_min_f, &p->act_max_f);
        k = c->op->kind == NEURIO_OP_ADD ? LW_K_ADD_F32
            : c->op->kind == NEURIO_OP_SUB ? LW_K_SUB_F32 : LW_K_MUL_F32;
    }
    return lw_set(c, k, 3, (int32_t[]){a, b, y});
}

int lw_softmax(lw_ctx *c)
{
    nk_softmax_params *p = &c->out->p.softmax;
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_rows_op(c, &x, &y, &dt, &p->rows, &p->depth);
    if (rc)
        return rc;
    p->beta = c->op->attr.softmax.beta != 0.0f ? c->op->attr.softmax.beta : 1.0f;
    if (dt == NEURIO_DT_INT8) {
        float xs;
        int32_t xz;
        if ((rc = lw_fixed_out_s8(c, x, y, 1, 256, -128, &xs, &xz)))
            return rc;
        neurio_errbuf e = {{0}};
        if ((rc = lw_rq(c, neurio_softmax_params_s8(p->beta, xs, &p->input_multiplier,
                                                    &p->input_left_shift, &p->diff_min, &e), &e)))
            return rc;
    }
    return lw_set(c, dt == NEURIO_DT_INT8 ? LW_K_SOFTMAX_S8 : LW_K_SOFTMAX_F32, 2,
                  (int32_t[]){x, y});
}

int lw_sigmoid(lw_ctx *c, int is_tanh)
{
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 1, &x, &y, &dt);
    if (rc)
        return rc;
    int32_t n = (int32_t)neurio_tensor_elements(lw_t(c, x));
    if (dt == NEURIO_DT_FLOAT32) {
        c->out->p.scalar.size = n;
        return lw_set(c, is_tanh ? LW_K_TANH_F32 : LW_K_LOGISTIC_F32, 2, (int32_t[]){x, y});
    }
    float xs;
    nk_sigmoid_params *p = &c->out->p.sigmoid;
    if ((rc = lw_fixed_out_s8(c, x, y, 1, is_tanh ? 128 : 256, is_tanh ? 0 : -128, &xs,
                              &p->in_zp)))
        return rc;
    neurio_errbuf e = {{0}};
    rc = is_tanh ? neurio_tanh_params_s8(xs, &p->in_mult, &p->in_left_shift, &p->in_range_radius, &e)
                 : neurio_logistic_params_s8(xs, &p->in_mult, &p->in_left_shift,
                                             &p->in_range_radius, &e);
    if ((rc = lw_rq(c, rc, &e)))
        return rc;
    p->size = n;
    return lw_set(c, is_tanh ? LW_K_TANH_S8 : LW_K_LOGISTIC_S8, 2, (int32_t[]){x, y});
}

int lw_quantize(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    neurio_dtype dx = lw_t(c, x)->dtype, dy = lw_t(c, y)->dtype;
    int32_t n = (int32_t)neurio_tensor_elements(lw_t(c, x));
    nk_quantize_params *q = &c->out->p.quantize;
    if (c->op->kind == NEURIO_OP_DEQUANTIZE) {
        if (dx != NEURIO_DT_INT8 || dy != NEURIO_DT_FLOAT32)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s (only int8 to float32)",
                           neurio_dtype_name(dx), neurio_dtype_name(dy));
        q->size = n;
        if ((rc = lw_q1(c, x, &q->scale, &q->zp)))
            return rc;
        return lw_set(c, LW_K_DEQUANTIZE_S8_F32, 2, (int32_t[]){x, y});
    }
    if (dy != NEURIO_DT_INT8 || (dx != NEURIO_DT_INT8 && dx != NEURIO_DT_FLOAT32))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s (only float32 or int8 to int8)",
                       neurio_dtype_name(dx), neurio_dtype_name(dy));
    if (dx == NEURIO_DT_FLOAT32) {
        q->size = n;
        if ((rc = lw_q1(c, y, &q->scale, &q->zp)))
            return rc;
        return lw_set(c, LW_K_QUANTIZE_F32_S8, 2, (int32_t[]){x, y});
    }
    float xs, ys;
    nk_requant_params *r = &c->out->p.requant;
    *r = (nk_requant_params){.size = n, .act_min = -128, .act_max = 127};
    if ((rc = lw_q1(c, y, &ys, &r->out_zp)) || (rc = lw_q1(c, x, &xs, &r->in_zp)))
        return rc;
    neurio_errbuf e = {{0}};
    if ((rc = lw_rq(c, neurio_requant_params_s8(xs, ys, &r->mult, &r->shift, &e), &e)))
        return rc;
    return lw_set(c, LW_K_REQUANTIZE_S8, 2, (int32_t[]){x, y});
}

/* CLIP(min, max) on int8: the requantization of RELU, the range of the
 * clip bounds quantized on the output (as RELU's range is). */
static int lw_clip_s8(lw_ctx *c, float xs, float ys, nk_requant_params *r)
{
    neurio_errbuf e = {{0}};
    int rc = lw_rq(c, neurio_requant_params_s8(xs, ys, &r->mult, &r->shift, &e), &e);
    if (rc)
        return rc;
    float lo = c->op->attr.clip.min, hi = c->op->attr.clip.max;
    float qlf = (float)r->out_zp + roundf(lo / ys), qhf = (float)r->out_zp + roundf(hi / ys);
    r->act_min = qlf < -128.0f ? -128 : (qlf > 127.0f ? 127 : (int32_t)qlf);
    r->act_max = qhf > 127.0f ? 127 : (qhf < -128.0f ? -128 : (int32_t)qhf);
    return NEURIO_OK;
}

int lw_relu(lw_ctx *c)
{
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 1, &x, &y, &dt);
    if (rc)
        return rc;
    int32_t n = (int32_t)neurio_tensor_elements(lw_t(c, x));
    neurio_op_kind kind = c->op->kind;
    if (dt == NEURIO_DT_FLOAT32) {
        lw_scalar *s = &c->out->p.scalar;
        s->size = n;
        s->lo = kind == NEURIO_OP_CLIP ? c->op->attr.clip.min : 0.0f;
        s->hi = kind == NEURIO_OP_CLIP ? c->op->attr.clip.max
                : kind == NEURIO_OP_RELU6 ? 6.0f : FLT_MAX;
        return lw_set(c, LW_K_RELU_F32, 2, (int32_t[]){x, y});
    }
    float xs, ys;
    nk_requant_params *r = &c->out->p.requant;
    r->size = n;
    if ((rc = lw_q1(c, x, &xs, &r->in_zp)) || (rc = lw_q1(c, y, &ys, &r->out_zp)))
        return rc;
    if (kind == NEURIO_OP_CLIP) {
        if ((rc = lw_clip_s8(c, xs, ys, r)))
            return rc;
    } else {
        neurio_activation act = kind == NEURIO_OP_RELU6 ? NEURIO_ACT_RELU6 : NEURIO_ACT_RELU;
        neurio_errbuf e = {{0}};
        rc = neurio_relu_params_s8(act, xs, ys, r->out_zp, &r->mult, &r->shift, &r->act_min,
                                   &r->act_max, &e);
        if ((rc = lw_rq(c, rc, &e)))
            return rc;
    }
    return lw_set(c, LW_K_RELU_S8, 2, (int32_t[]){x, y});
}
