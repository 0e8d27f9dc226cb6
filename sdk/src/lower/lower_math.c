/* sdk/src/lower/lower_math.c — the arithmetic of the extended operator set
 * (issue 13): DIV, SQUARED_DIFFERENCE, MAXIMUM/MINIMUM, the comparisons,
 * LOGICAL_*, PRELU, the unary ops (ABS, NEG, RSQRT, SQRT, EXP, LOG,
 * LOGICAL_NOT, HARD_SWISH), LOG_SOFTMAX, L2_NORMALIZATION, BATCH_MATMUL.
 * The int8 constants follow TFLite Micro's Prepare functions (the scale
 * ratios named in each comment, QuantizeMultiplier in double). */
#include <math.h>
#include <stdint.h>

#include "lower_internal.h"

/* Three per-tensor scales and zero points (int8 a, b, y). */
static int lw_q3(lw_ctx *c, const int32_t t[3], float s[3], int32_t z[3])
{
    int rc = NEURIO_OK;
    for (int i = 0; i < 3 && !rc; i++)
        rc = lw_q1(c, t[i], &s[i], &z[i]);
    return rc;
}

/* int8 DIV (TFLM div.cc): s1 / (s2 * s_out) computed in float. */
static int lw_div_s8(lw_ctx *c, const float s[3], nk_binary_params *p)
{
    float real = s[0] / (s[1] * s[2]);
    neurio_quantize_multiplier((double)real, &p->out_mult, &p->out_shift);
    if (p->out_shift > 23)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "scale ratio %g needs a left shift of %d "
                       "(the int8 DIV kernel takes up to 23)", (double)real, p->out_shift);
    lw_act_s8(c->op->attr.eltwise.activation, s[2], p->out_zp, &p->act_min, &p->act_max);
    return NEURIO_OK;
}

/* int8/int16 SQUARED_DIFFERENCE (TFLM squared_difference.cc): inputs << 7
 * (int16: << 0, zero points 0) onto twice the larger input scale, the
 * square back onto the output scale. */
static int lw_sqdiff_s8(lw_ctx *c, const float s[3], nk_binary_params *p, int wide)
{
    const double twice = 2.0 * (double)(s[0] > s[1] ? s[0] : s[1]);
    if (wide && (p->in1_zp || p->in2_zp || p->out_zp))
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 SQUARED_DIFFERENCE needs zero points 0 "
                       "(TFLite Micro's rule); they are %d, %d and %d", p->in1_zp, p->in2_zp,
                       p->out_zp);
    p->left_shift = wide ? 0 : 7;
    neurio_quantize_multiplier((double)s[0] / twice, &p->in1_mult, &p->in1_shift);
    neurio_quantize_multiplier((double)s[1] / twice, &p->in2_mult, &p->in2_shift);
    neurio_quantize_multiplier(twice * twice / ((double)(1 << (2 * p->left_shift)) *
                                                (double)s[2]), &p->out_mult, &p->out_shift);
    p->act_min = wide ? -32768 : -128;
    p->act_max = wide ? 32767 : 127;
    return NEURIO_OK;
}

/* int8 comparisons (TFLM comparisons.cc): (q - zp) << 8 times each input
 * scale as a multiplier below one. */
static int lw_compare_s8(lw_ctx *c, const float s[3], nk_binary_params *p)
{
    p->left_shift = 8;
    neurio_quantize_multiplier((double)s[0], &p->in1_mult, &p->in1_shift);
    neurio_quantize_multiplier((double)s[1], &p->in2_mult, &p->in2_shift);
    if (p->in1_shift > 0 || p->in2_shift > 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input scales %g and %g must be below 1 "
                       "(TFLite's quantized comparison)", (double)s[0], (double)s[1]);
    return NEURIO_OK;
}

/* int8 PRELU (TFLM prelu.cc): s_x / s_out for x >= 0, s_x * s_alpha / s_out
 * for the negative side. */
static void lw_prelu_s8(const float s[3], nk_binary_params *p, int wide)
{
    neurio_quantize_multiplier((double)s[0] / (double)s[2], &p->in1_mult, &p->in1_shift);
    neurio_quantize_multiplier((double)s[0] * (double)s[1] / (double)s[2], &p->out_mult,
                               &p->out_shift);
    p->act_min = wide ? -32768 : -128;
    p->act_max = wide ? 32767 : 127;
}

typedef struct lw_bin_row {
    neurio_op_kind kind;
    int32_t code;              /* NK_CMP_* for the comparisons */
    int bool_out;
    int bool_in;               /* LOGICAL_AND/OR */
    lw_kernel s8, s32, f32, b; /* -1: none */
    lw_kernel s16;             /* -1: none (TFLM has no int16 form) */
} lw_bin_row;

static const lw_bin_row lw_bin_rows[] = {
    {NEURIO_OP_DIV, 0, 0, 0, LW_K_DIV_S8, LW_K_DIV_S32, LW_K_DIV_F32, -1, -1},
    {NEURIO_OP_SQUARED_DIFFERENCE, 0, 0, 0, LW_K_SQDIFF_S8, LW_K_SQDIFF_S32, LW_K_SQDIFF_F32, -1,
     LW_K_SQDIFF_S16},
    {NEURIO_OP_MAXIMUM, 0, 0, 0, LW_K_MAXIMUM_S8, LW_K_MAXIMUM_S32, LW_K_MAXIMUM_F32, -1,
     LW_K_MAXIMUM_S16},
    {NEURIO_OP_MINIMUM, 0, 0, 0, LW_K_MINIMUM_S8, LW_K_MINIMUM_S32, LW_K_MINIMUM_F32, -1,
     LW_K_MINIMUM_S16},
    {NEURIO_OP_EQUAL, NK_CMP_EQUAL, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32, LW_K_COMPARE_F32,
     LW_K_COMPARE_B, -1},
    {NEURIO_OP_NOT_EQUAL, NK_CMP_NOT_EQUAL, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32,
     LW_K_COMPARE_F32, LW_K_COMPARE_B, -1},
    {NEURIO_OP_LESS, NK_CMP_LESS, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32, LW_K_COMPARE_F32, -1,
     -1},
    {NEURIO_OP_LESS_EQUAL, NK_CMP_LESS_EQUAL, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32,
     LW_K_COMPARE_F32, -1, -1},
    {NEURIO_OP_GREATER, NK_CMP_GREATER, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32,
     LW_K_COMPARE_F32, -1, LW_K_COMPARE_S16},
    {NEURIO_OP_GREATER_EQUAL, NK_CMP_GREATER_EQUAL, 1, 0, LW_K_COMPARE_S8, LW_K_COMPARE_S32,
     LW_K_COMPARE_F32, -1, -1},
    {NEURIO_OP_LOGICAL_AND, 0, 1, 1, -1, -1, -1, LW_K_LOGICAL_AND, -1},
    {NEURIO_OP_LOGICAL_OR, 0, 1, 1, -1, -1, -1, LW_K_LOGICAL_OR, -1},
    {NEURIO_OP_PRELU, 0, 0, 0, LW_K_PRELU_S8, -1, LW_K_PRELU_F32, -1, LW_K_PRELU_S16},
};

/* The int8 (int16 when wide) constants of row r's op into p. */
static int lw_binary_ext_s8(lw_ctx *c, const int32_t t[3], nk_binary_params *p, int wide)
{
    float s[3];
    int32_t z[3];
    int rc;
    switch (c->op->kind) {
    case NEURIO_OP_MAXIMUM:
    case NEURIO_OP_MINIMUM: /* raw values: one quantization for all three */
        if ((rc = lw_same_quant(c, t[0], t[2])) || (rc = lw_same_quant(c, t[1], t[2])))
            return rc;
        return NEURIO_OK;
    default: break;
    }
    if (c->op->kind >= NEURIO_OP_EQUAL && c->op->kind <= NEURIO_OP_GREATER_EQUAL) {
        if ((rc = lw_q1(c, t[0], &s[0], &p->in1_zp)) || (rc = lw_q1(c, t[1], &s[1], &p->in2_zp)))
            return rc;
        return lw_compare_s8(c, s, p);
    }
    if ((rc = lw_q3(c, t, s, z)))
        return rc;
    p->in1_zp = z[0];
    p->in2_zp = z[1];
    p->out_zp = z[2];
    switch (c->op->kind) {
    case NEURIO_OP_DIV: return lw_div_s8(c, s, p);
    case NEURIO_OP_SQUARED_DIFFERENCE: return lw_sqdiff_s8(c, s, p, wide);
    default: lw_prelu_s8(s, p, wide); return NEURIO_OK;
    }
}

int lw_binary_ext(lw_ctx *c)
{
    int32_t in[2], y;
    int rc = lw_operands(c, 2, in, &y, NULL);
    if (rc)
        return rc;
    const lw_bin_row *r = NULL;
    for (size_t i = 0; i < sizeof lw_bin_rows / sizeof lw_bin_rows[0]; i++)
        if (lw_bin_rows[i].kind == c->op->kind)
            r = &lw_bin_rows[i];
    neurio_dtype da = lw_t(c, in[0])->dtype, db = lw_t(c, in[1])->dtype, dy = lw_t(c, y)->dtype;
    /* int16 PRELU takes an int8 alpha (TFLM prelu.cc) */
    int alpha8 = c->op->kind == NEURIO_OP_PRELU && da == NEURIO_DT_INT16 && db == NEURIO_DT_INT8;
    int ok_types = r && (da == db || alpha8) && (r->bool_out ? dy == NEURIO_DT_BOOL : dy == da);
    int k = !ok_types ? -1
            : da == NEURIO_DT_INT8 ? (int)r->s8
            : da == NEURIO_DT_INT16 ? (int)r->s16
            : da == NEURIO_DT_INT32 ? (int)r->s32
            : da == NEURIO_DT_FLOAT32 ? (int)r->f32
            : da == NEURIO_DT_BOOL ? (int)r->b : -1;
    if (k < 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s, %s -> %s has no kernel%s",
                       neurio_dtype_name(da), neurio_dtype_name(db), neurio_dtype_name(dy),
                       da == NEURIO_DT_INT16 && r && r->bool_out
                           ? " (TFLite Micro compares int16 only in GREATER)" : "");
    nk_binary_params *p = &c->out->p.binary;
    if ((rc = lw_binary_shape(c, in[0], in[1], y, p)))
        return rc;
    c->out->code = r->code;
    if ((da == NEURIO_DT_INT8 || da == NEURIO_DT_INT16) &&
        (rc = lw_binary_ext_s8(c, (int32_t[]){in[0], in[1], y}, p, da == NEURIO_DT_INT16)))
        return rc;
    if (da == NEURIO_DT_INT32 && c->op->kind == NEURIO_OP_DIV)
        lw_act_s32(c->op->attr.eltwise.activation, &p->act_min, &p->act_max);
    if (da == NEURIO_DT_FLOAT32)
        neurio_act_range_f32(c->op->kind == NEURIO_OP_DIV ? c->op->attr.eltwise.activation
                                                          : NEURIO_ACT_NONE,
                             &p->act_min_f, &p->act_max_f);
    return lw_set(c, (lw_kernel)k, 3, (int32_t[]){in[0], in[1], y});
}

/* NK_UNARY_* of a float unary op, or -1. */
static int32_t lw_unary_code(neurio_op_kind k)
{
    switch (k) {
    case NEURIO_OP_ABS: return NK_UNARY_ABS;
    case NEURIO_OP_NEG: return NK_UNARY_NEG;
    case NEURIO_OP_SQRT: return NK_UNARY_SQRT;
    case NEURIO_OP_RSQRT: return NK_UNARY_RSQRT;
    case NEURIO_OP_EXP: return NK_UNARY_EXP;
    case NEURIO_OP_LOG: return NK_UNARY_LOG;
    default: return -1;
    }
}

/* int8/int16 ABS and int8 RSQRT (TFLM elementwise.cc): in_scale / out_scale
 * (ABS, rescaled only when the scales differ) and 1 / (sqrt(in_scale) *
 * out_scale) (RSQRT); int8 NEG as ABS with the sign flipped (TFLite Micro
 * has NEG in float only). */
static int lw_unary_s8(lw_ctx *c, int32_t x, int32_t y)
{
    nk_requant_params *r = &c->out->p.requant;
    float xs, ys;
    int rc;
    if ((rc = lw_q1(c, x, &xs, &r->in_zp)) || (rc = lw_q1(c, y, &ys, &r->out_zp)))
        return rc;
    r->size = (int32_t)neurio_tensor_elements(lw_t(c, x));
    r->act_min = -128;
    r->act_max = 127;
    if (c->op->kind == NEURIO_OP_NEG) { /* int8 only: TFLite Micro's NEG is float */
        if (xs != ys)
            neurio_quantize_multiplier((double)xs / (double)ys, &r->mult, &r->shift);
        return lw_set(c, LW_K_NEG_S8, 2, (int32_t[]){x, y});
    }
    if (c->op->kind == NEURIO_OP_ABS) {
        if (xs != ys)
            neurio_quantize_multiplier((double)xs / (double)ys, &r->mult, &r->shift);
        if (lw_t(c, x)->dtype == NEURIO_DT_INT16) {
            if (r->in_zp || r->out_zp)
                return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 ABS needs zero points 0 "
                               "(TFLite Micro's rule); they are %d and %d", r->in_zp, r->out_zp);
            r->act_min = -32768;
            r->act_max = 32767;
            return lw_set(c, LW_K_ABS_S16, 2, (int32_t[]){x, y});
        }
        return lw_set(c, LW_K_ABS_S8, 2, (int32_t[]){x, y});
    }
    neurio_quantize_multiplier(1.0 / (sqrt((double)xs) * (double)ys), &r->mult, &r->shift);
    return lw_set(c, LW_K_RSQRT_S8, 2, (int32_t[]){x, y});
}

int lw_unary_ext(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    neurio_dtype dt = lw_t(c, x)->dtype;
    neurio_op_kind k = c->op->kind;
    if (lw_t(c, y)->dtype != dt)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input is %s, output %s",
                       neurio_dtype_name(dt), neurio_dtype_name(lw_t(c, y)->dtype));
    c->out->p.scalar.size = (int32_t)neurio_tensor_elements(lw_t(c, x));
    if (k == NEURIO_OP_LOGICAL_NOT && dt == NEURIO_DT_BOOL)
        return lw_set(c, LW_K_LOGICAL_NOT, 2, (int32_t[]){x, y});
    if (dt == NEURIO_DT_FLOAT32 && lw_unary_code(k) >= 0) {
        c->out->code = lw_unary_code(k);
        return lw_set(c, LW_K_UNARY_F32, 2, (int32_t[]){x, y});
    }
    if (dt == NEURIO_DT_INT32 && k == NEURIO_OP_NEG)
        return lw_set(c, LW_K_NEG_S32, 2, (int32_t[]){x, y});
    if (dt == NEURIO_DT_INT8 && (k == NEURIO_OP_ABS || k == NEURIO_OP_RSQRT || k == NEURIO_OP_NEG))
        return lw_unary_s8(c, x, y);
    if (dt == NEURIO_DT_INT16 && k == NEURIO_OP_ABS) /* TFLM: quantized int16 ABS */
        return lw_unary_s8(c, x, y);
    return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s has no kernel", neurio_dtype_name(dt));
}

/* TFLite's DownScaleInt32ToInt16Multiplier. */
static int32_t lw_q16(int32_t m)
{
    if (m >= INT32_MAX - (1 << 15))
        return INT16_MAX;
    return (m + (1 << 15)) >> 16;
}

/* HARD_SWISH (TFLM hard_swish_common.cc): the input on a 1/128 finer
 * scale, the "reluish" factor on 3/32768, both multipliers in int16. */
int lw_hard_swish(lw_ctx *c)
{
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 1, &x, &y, &dt);
    if (rc)
        return rc;
    int32_t n = (int32_t)neurio_tensor_elements(lw_t(c, x));
    if (dt == NEURIO_DT_FLOAT32) {
        c->out->p.scalar.size = n;
        return lw_set(c, LW_K_HARD_SWISH_F32, 2, (int32_t[]){x, y});
    }
    nk_hard_swish_params *p = &c->out->p.hard_swish;
    float xs, ys;
    if ((rc = lw_q1(c, x, &xs, &p->in_zp)) || (rc = lw_q1(c, y, &ys, &p->out_zp)))
        return rc;
    const float hires = (1.0f / 128.0f) * xs, reluish = 3.0f / 32768.0f;
    int32_t m;
    neurio_quantize_multiplier((double)(hires / ys), &m, &p->out_exp);
    p->out_mult = lw_q16(m);
    if (p->out_exp > 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input scale %g over output scale %g is too "
                       "large (TFLite requires an output exponent <= 0)", (double)xs, (double)ys);
    neurio_quantize_multiplier((double)(hires / reluish), &m, &p->reluish_exp);
    p->reluish_mult = lw_q16(m);
    p->size = n;
    return lw_set(c, LW_K_HARD_SWISH_S8, 2, (int32_t[]){x, y});
}

/* LOG_SOFTMAX over the last axis; int8 (TFLM log_softmax.cc): output scale
 * 16/256 and zero point 127, 5 integer bits for the scaled differences. */
int lw_log_softmax(lw_ctx *c)
{
    nk_log_softmax_params *p = &c->out->p.log_softmax;
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_rows_op(c, &x, &y, &dt, &p->rows, &p->depth);
    if (rc)
        return rc;
    if (dt == NEURIO_DT_INT8) {
        float xs;
        int32_t xz;
        if ((rc = lw_fixed_out_s8(c, x, y, 16, 256, 127, &xs, &xz)))
            return rc;
        int32_t mult, ls;
        neurio_preprocess_softmax_scaling(1.0, (double)xs, 5, &mult, &ls);
        p->input_multiplier = mult;
        p->input_left_shift = ls;
        double rev = (double)(1LL << (31 - ls)) / (double)mult;
        neurio_quantize_multiplier(rev, &p->reverse_scaling_divisor, &p->reverse_scaling_shift);
        if (p->reverse_scaling_shift > 0)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input scale %g gives a reverse scaling "
                           "above one", (double)xs);
        p->diff_min = -neurio_calculate_input_radius(5, ls, 31);
    }
    return lw_set(c, dt == NEURIO_DT_INT8 ? LW_K_LOG_SOFTMAX_S8 : LW_K_LOG_SOFTMAX_F32, 2,
                  (int32_t[]){x, y});
}

/* L2_NORMALIZATION over the last axis; int8 output scale 1/128, zp 0. */
int lw_l2norm(lw_ctx *c)
{
    nk_l2norm_params *p = &c->out->p.l2norm;
    int32_t x, y;
    neurio_dtype dt;
    int rc = lw_rows_op(c, &x, &y, &dt, &p->rows, &p->depth);
    if (rc)
        return rc;
    float xs;
    if (dt == NEURIO_DT_INT8 && (rc = lw_fixed_out_s8(c, x, y, 1, 128, 0, &xs, &p->in_zp)))
        return rc;
    return lw_set(c, dt == NEURIO_DT_INT8 ? LW_K_L2NORM_S8 : LW_K_L2NORM_F32, 2,
                  (int32_t[]){x, y});
}

/* Batch geometry of BATCH_MATMUL: the output's leading axes, each operand
 * broadcast on its own (stride 0 where its extent is 1). */
static int lw_bmm_batches(lw_ctx *c, const neurio_tensor *tl, const neurio_tensor *tr,
                          const neurio_tensor *ty, nk_batch_matmul_params *p)
{
    int32_t br = ty->rank - 2;
    if (br < 0 || br > 4 || tl->rank < 2 || tr->rank < 2 || tl->rank > ty->rank ||
        tr->rank > ty->rank)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "ranks %d x %d -> %d (2..6, batch axes <= 4)",
                       tl->rank, tr->rank, ty->rank);
    p->batch_rank = br;
    int64_t sl = 1, sr = 1;
    for (int32_t d = br - 1; d >= 0; d--) {
        int32_t il = d - (br - (tl->rank - 2)), ir = d - (br - (tr->rank - 2));
        int32_t dl = il >= 0 ? tl->dims[il] : 1, dr = ir >= 0 ? tr->dims[ir] : 1;
        p->out_bdims[d] = ty->dims[d];
        if ((dl != 1 && dl != ty->dims[d]) || (dr != 1 && dr != ty->dims[d]))
            return lw_fail(c, NEURIO_ERR_INVALID, "batch axis %d: %d and %d do not broadcast to "
                           "%d", d, dl, dr, ty->dims[d]);
        p->lhs_bstrides[d] = dl == 1 ? 0 : (int32_t)sl;
        p->rhs_bstrides[d] = dr == 1 ? 0 : (int32_t)sr;
        sl *= dl;
        sr *= dr;
    }
    return NEURIO_OK;
}

int lw_bmm(lw_ctx *c)
{
    int32_t in[2], y;
    int rc = lw_operands(c, 2, in, &y, NULL);
    if (rc)
        return rc;
    const neurio_tensor *tl = lw_t(c, in[0]), *tr = lw_t(c, in[1]), *ty = lw_t(c, y);
    neurio_dtype dt = tl->dtype;
    if ((dt != NEURIO_DT_INT8 && dt != NEURIO_DT_INT16 && dt != NEURIO_DT_FLOAT32) ||
        tr->dtype != dt || ty->dtype != dt)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s x %s -> %s has no kernel",
                       neurio_dtype_name(dt), neurio_dtype_name(tr->dtype),
                       neurio_dtype_name(ty->dtype));
    nk_batch_matmul_params *p = &c->out->p.bmm;
    if ((rc = lw_bmm_batches(c, tl, tr, ty, p)))
        return rc;
    p->adj_x = c->op->attr.ext.adj_x;
    p->adj_y = c->op->attr.ext.adj_y;
    int32_t lr = tl->dims[tl->rank - 2], lc = tl->dims[tl->rank - 1];
    int32_t rr = tr->dims[tr->rank - 2], rcn = tr->dims[tr->rank - 1];
    p->rows = p->adj_x ? lc : lr;
    p->depth = p->adj_x ? lr : lc;
    p->cols = p->adj_y ? rr : rcn;
    if ((p->adj_y ? rcn : rr) != p->depth || ty->dims[ty->rank - 2] != p->rows ||
        ty->dims[ty->rank - 1] != p->cols)
        return lw_fail(c, NEURIO_ERR_INVALID, "[%d x %d] x [%d x %d] does not give the output's "
                       "[%d x %d]", p->rows, p->depth, p->adj_y ? rcn : rr, p->cols,
                       ty->dims[ty->rank - 2], ty->dims[ty->rank - 1]);
    if (dt != NEURIO_DT_FLOAT32) {
        float s[3];
        int32_t z[3];
        if ((rc = lw_q3(c, (int32_t[]){in[0], in[1], y}, s, z)))
            return rc;
        if (dt == NEURIO_DT_INT16 && (z[0] || z[1] || z[2]))
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 BATCH_MATMUL needs zero points 0 "
                           "(TFLite Micro's rule); they are %d, %d and %d", z[0], z[1], z[2]);
        p->lhs_zp = z[0];
        p->rhs_zp = z[1];
        p->out_zp = z[2];
        neurio_quantize_multiplier((double)s[0] * (double)s[1] / (double)s[2], &p->out_mult,
                                   &p->out_shift);
        p->act_min = dt == NEURIO_DT_INT8 ? -128 : -32768;
        p->act_max = dt == NEURIO_DT_INT8 ? 127 : 32767;
    }
    static const lw_kernel ks[3] = {LW_K_BMM_S8, LW_K_BMM_S16, LW_K_BMM_F32};
    return lw_set(c, ks[lw_dt_index(dt)], 3, (int32_t[]){in[0], in[1], y});
}
