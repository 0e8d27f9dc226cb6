/* sdk/src/lower/lower_layout.c — RESHAPE (a copy when the planner cannot
 * alias it), PAD, CONCATENATION and PACK, the reductions MEAN, SUM,
 * REDUCE_MAX and REDUCE_MIN. */
#include <stdlib.h>

#include "lower_internal.h"

int lw_reshape(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    size_t bx = neurio_tensor_bytes(lw_t(c, x)), by = neurio_tensor_bytes(lw_t(c, y));
    if (bx != by)
        return lw_fail(c, NEURIO_ERR_INVALID, "input has %zu bytes, output %zu", bx, by);
    c->out->p.scalar.bytes = bx;
    return lw_set(c, LW_K_COPY, 2, (int32_t[]){x, y});
}

int lw_pad(lw_ctx *c)
{
    int32_t in[2] = {-1, -1}, y;
    neurio_dtype dt;
    int rc = lw_operands(c, 2, in, &y, &dt);
    if (rc)
        return rc;
    int32_t x = in[0], pt = in[1];
    const neurio_tensor *tx = lw_t(c, x), *tp = lw_t(c, pt), *ty = lw_t(c, y);
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
    int32_t cv = lw_opt_in(c, 2);
    const neurio_tensor *tc = cv >= 0 ? lw_t(c, cv) : NULL;
    if (dt == NEURIO_DT_INT8) {
        float ys;
        if ((rc = lw_q1(c, y, &ys, &p->pad_value)))
            return rc;
        if (tc && tc->data && tc->dtype == NEURIO_DT_INT8)
            p->pad_value = ((const int8_t *)tc->data)[0];
    } else if (tc && tc->data && tc->dtype == NEURIO_DT_FLOAT32) {
        p->pad_value_f = ((const float *)tc->data)[0];
    }
    return lw_set(c, dt == NEURIO_DT_INT8 ? LW_K_PAD_S8 : LW_K_PAD_F32, 2, (int32_t[]){x, y});
}

/* Inputs of a CONCATENATION share the output's dtype and rank; their
 * elements per outer step into inner[].  An int8/int16 input quantized unlike
 * the output gets its requantization in rq[3 * k ..] (in_zp, mult, shift;
 * mult 0 = copied) and sets *requant; rq may be NULL for other dtypes. */
static int lw_concat_inputs(lw_ctx *c, int32_t outer, int32_t *inner, int32_t *args, int pack,
                            int32_t *rq, int *requant)
{
    const neurio_tensor *ty = lw_t(c, c->op->outputs[0]);
    int32_t sum = 0;
    int rc;
    for (int32_t k = 0; k < c->op->n_inputs; k++) {
        int32_t t = c->op->inputs[k];
        const neurio_tensor *tt = t >= 0 ? lw_t(c, t) : NULL;
        if (!tt || tt->dtype != ty->dtype || tt->rank != ty->rank - pack)
            return lw_fail(c, NEURIO_ERR_INVALID, "input %d differs in dtype or rank", k);
        if (rq && ty->quant.count > 0) {
            float s1, s2;
            int32_t z1, z2;
            if ((rc = lw_q1(c, t, &s1, &z1)) || (rc = lw_q1(c, c->op->outputs[0], &s2, &z2)))
                return rc;
            rq[3 * k] = z1;
            if (s1 != s2 || z1 != z2) {
                neurio_errbuf e = {{0}};
                if ((rc = lw_rq(c, ty->dtype == NEURIO_DT_INT8
                                       ? neurio_requant_params_s8(s1, s2, &rq[3 * k + 1],
                                                                  &rq[3 * k + 2], &e)
                                       : neurio_requant_params(s1, s2, &rq[3 * k + 1],
                                                               &rq[3 * k + 2], &e), &e)))
                    return rc;
                if (rq[3 * k + 1] == 0) /* a zero multiplier would mean "copy" */
                    return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input %d scale %g is negligible "
                                   "against the output's %g", k, (double)s1, (double)s2);
                *requant = 1;
            }
        }
        inner[k] = (int32_t)(neurio_tensor_elements(tt) / (size_t)(outer > 0 ? outer : 1));
        sum += inner[k];
        args[k] = t;
    }
    if ((size_t)sum * (size_t)outer != neurio_tensor_elements(ty))
        return lw_fail(c, NEURIO_ERR_INVALID, "inputs do not add up to the output");
    return NEURIO_OK;
}

/* CONCATENATION (pack 0) and PACK (pack 1: the inputs lack the axis). */
static int lw_concat_axis(lw_ctx *c, int32_t axis, int pack)
{
    int32_t y = c->op->outputs[0], n = c->op->n_inputs;
    const neurio_tensor *ty = lw_t(c, y);
    if (axis < 0 || axis >= ty->rank || n < 1)
        return lw_fail(c, NEURIO_ERR_INVALID, "axis %d out of range for rank %d", axis, ty->rank);
    int32_t outer = 1;
    for (int32_t d = 0; d < axis; d++)
        outer *= ty->dims[d];
    int32_t *inner = lw_array_new(c, 0, "inner", n);
    int32_t *args = inner ? malloc(((size_t)n + 1) * sizeof *args) : NULL;
    if (!args) {
        return inner ? neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory lowering op %d", c->oi)
                     : NEURIO_ERR_NOMEM;
    }
    int requant = 0;
    const int q = ty->dtype == NEURIO_DT_INT8 || ty->dtype == NEURIO_DT_INT16;
    int32_t *rq = q ? lw_array_new(c, 1, "rq", 3 * n) : NULL;
    int rc = q && !rq
                 ? NEURIO_ERR_NOMEM
                 : lw_concat_inputs(c, outer, inner, args, pack, rq, &requant);
    if (!rc) {
        args[n] = y;
        c->out->p.concat = (nk_concat_params){
            .n_inputs = n, .outer = outer, .elem_size = (int32_t)neurio_dtype_size(ty->dtype),
            .in_inner = inner};
        if (requant)
            c->out->code = ty->quant.zero_point ? ty->quant.zero_point[0] : 0;
        lw_kernel k = !requant ? LW_K_CONCAT
                      : ty->dtype == NEURIO_DT_INT8 ? LW_K_CONCAT_S8_RQ : LW_K_CONCAT_S16_RQ;
        rc = lw_set(c, k, n + 1, args);
    }
    if (!rc && !requant && rq) { /* a plain copy: no table to print */
        free(c->out->arrays[1].v);
        c->out->arrays[1] = (lw_array){0};
    }
    free(args);
    return rc;
}

int lw_concat(lw_ctx *c)
{
    int32_t r = lw_t(c, c->op->outputs[0])->rank;
    if (c->op->attr.concat.activation != NEURIO_ACT_NONE)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "fused activation on CONCATENATION");
    return lw_concat_axis(c, c->op->attr.concat.axis < 0 ? c->op->attr.concat.axis + r
                                                         : c->op->attr.concat.axis, 0);
}

int lw_pack(lw_ctx *c)
{
    return lw_concat_axis(c, c->op->attr.ext.axis, 1);
}

/* The axes MEAN reduces (constant input 1, else the attribute) into
 * reduce[]; fails naming an axis out of range. */
static int lw_mean_axes(lw_ctx *c, int32_t r, int32_t *reduce)
{
    int32_t n_axes = c->op->attr.mean.n_axes, ta_i = lw_opt_in(c, 1);
    const neurio_tensor *ta = ta_i >= 0 ? lw_t(c, ta_i) : NULL;
    if (n_axes <= 0 && ta && ta->data &&
        (ta->dtype == NEURIO_DT_INT32 || ta->dtype == NEURIO_DT_INT64)) {
        for (size_t i = 0; i < neurio_tensor_elements(ta); i++) {
            int64_t ax = lw_const_int(ta, i);
            ax = ax < 0 ? ax + r : ax;
            if (ax < 0 || ax >= r)
                return lw_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)ax);
            reduce[ax] = 1;
        }
        return NEURIO_OK;
    }
    for (int32_t i = 0; i < n_axes && i < NEURIO_MAX_RANK; i++) {
        int32_t ax = c->op->attr.mean.axes[i] < 0 ? c->op->attr.mean.axes[i] + r
                                                  : c->op->attr.mean.axes[i];
        if (ax < 0 || ax >= r)
            return lw_fail(c, NEURIO_ERR_INVALID, "axis %d out of range", c->op->attr.mean.axes[i]);
        reduce[ax] = 1;
    }
    return NEURIO_OK;
}

/* The kernel of MEAN, SUM, REDUCE_MAX or REDUCE_MIN on dt, or -1. */
static int lw_reduce_kernel(neurio_op_kind k, neurio_dtype dt)
{
    static const struct {
        neurio_op_kind kind;
        lw_kernel s8, s16, f32;
    } t[] = {
        {NEURIO_OP_MEAN, LW_K_MEAN_S8, LW_K_MEAN_S16, LW_K_MEAN_F32},
        {NEURIO_OP_SUM, LW_K_SUM_S8, LW_K_SUM_S16, LW_K_SUM_F32},
        {NEURIO_OP_REDUCE_MAX, LW_K_REDUCE_MAX_S8, LW_K_REDUCE_MAX_S16, LW_K_REDUCE_MAX_F32},
        {NEURIO_OP_REDUCE_MIN, LW_K_REDUCE_MIN_S8, LW_K_REDUCE_MIN_S16, LW_K_REDUCE_MIN_F32},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].kind == k)
            return dt == NEURIO_DT_INT8 ? (int)t[i].s8
                   : dt == NEURIO_DT_INT16 ? (int)t[i].s16
                   : dt == NEURIO_DT_FLOAT32 ? (int)t[i].f32 : -1;
    return -1;
}

/* int8 requantization of MEAN (neurio_mean_params_s8) and SUM (TFLite's
 * QuantizeMultiplier(in_scale / out_scale)); MAX/MIN move raw values. */
static int lw_reduce_q(lw_ctx *c, int32_t x, int32_t y, int64_t count, nk_mean_params *p)
{
    float xs, ys;
    int rc;
    if (c->op->kind == NEURIO_OP_REDUCE_MAX || c->op->kind == NEURIO_OP_REDUCE_MIN)
        return lw_same_quant(c, x, y);
    if ((rc = lw_q1(c, x, &xs, &p->in_zp)) || (rc = lw_q1(c, y, &ys, &p->out_zp)))
        return rc;
    if (c->op->kind == NEURIO_OP_SUM) {
        neurio_quantize_multiplier((double)xs / (double)ys, &p->mult, &p->shift);
        return NEURIO_OK;
    }
    neurio_errbuf e = {{0}};
    return lw_rq(c, neurio_mean_params_s8(xs, p->in_zp, ys, p->out_zp, count, &p->mult, &p->shift,
                                          &e), &e);
}

int lw_mean(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    const neurio_tensor *tx = lw_t(c, x);
    neurio_dtype dt = tx->dtype;
    int k = lw_reduce_kernel(c->op->kind, dt);
    if (k < 0 || lw_t(c, y)->dtype != dt)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "%s to %s has no kernel",
                       neurio_dtype_name(dt), neurio_dtype_name(lw_t(c, y)->dtype));
    int32_t r = tx->rank;
    if (r < 1 || r > NK_MAX_DIMS)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input rank %d", r);
    nk_mean_params *p = &c->out->p.mean;
    p->rank = r;
    if ((rc = lw_mean_axes(c, r, p->reduce)))
        return rc;
    int64_t count = 1, n_out = 1;
    for (int32_t d = 0; d < r; d++) {
        p->in_dims[d] = tx->dims[d];
        if (p->reduce[d])
            count *= tx->dims[d];
        else
            n_out *= tx->dims[d];
    }
    if ((int64_t)neurio_tensor_elements(lw_t(c, y)) != n_out)
        return lw_fail(c, NEURIO_ERR_INVALID, "output has %zu elements, the reduction gives %lld",
                       neurio_tensor_elements(lw_t(c, y)), (long long)n_out);
    if (dt != NEURIO_DT_FLOAT32 && (rc = lw_reduce_q(c, x, y, count, p)))
        return rc;
    return lw_set(c, (lw_kernel)k, 2, (int32_t[]){x, y});
}
