/* sdk/src/codegen/codegen_layout.c — RESHAPE (when not aliased), PAD,
 * CONCATENATION and MEAN: their kernel parameters and calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"
#include "kernels/nk.h"
#include "neurio/requant.h"

#define CG_PTR 160

/* ------------------------------------------------------------- layout */

int cg_reshape(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    size_t bx = neurio_tensor_bytes(cg_t(c, x)), by = neurio_tensor_bytes(cg_t(c, y));
    if (bx != by)
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "input has %zu bytes, output %zu", bx, by);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_copy(%s, %s, %zuu)", px, py, bx);
    return NEURIO_OK;
}

/* Reads element i of an integer constant tensor. */
int64_t cg_const_int(const neurio_tensor *t, size_t i)
{
    if (t->dtype == NEURIO_DT_INT64)
        return ((const int64_t *)t->data)[i];
    return ((const int32_t *)t->data)[i];
}

int cg_pad_op(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc), pt = x >= 0 ? cg_in(c, oi, 1, &rc) : -1;
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    const neurio_tensor *tx = cg_t(c, x), *tp = cg_t(c, pt), *ty = cg_t(c, y);
    int32_t r = tx->rank;
    if (r < 1 || r > NK_MAX_DIMS || !tp->data ||
        (tp->dtype != NEURIO_DT_INT32 && tp->dtype != NEURIO_DT_INT64) ||
        neurio_tensor_elements(tp) != (size_t)(2 * r))
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                       "paddings must be a constant int32/int64 [%d, 2] tensor", r);
    int32_t before[NK_MAX_DIMS], after[NK_MAX_DIMS];
    for (int32_t d = 0; d < r; d++) {
        before[d] = (int32_t)cg_const_int(tp, 2 * (size_t)d);
        after[d] = (int32_t)cg_const_int(tp, 2 * (size_t)d + 1);
        if (before[d] < 0 || after[d] < 0 || ty->dims[d] != tx->dims[d] + before[d] + after[d])
            return cg_fail(c, oi, NEURIO_ERR_INVALID,
                           "axis %d: input %d + padding %d,%d != output %d", d, tx->dims[d],
                           before[d], after[d], ty->dims[d]);
    }
    int32_t pv = 0;
    float pvf = 0.0f;
    int32_t cv = op->n_inputs > 2 ? op->inputs[2] : -1;
    if (dt == NEURIO_DT_INT8) {
        float ys;
        if ((rc = cg_q1(c, oi, y, &ys, &pv)))
            return rc;
        if (cv >= 0 && cg_t(c, cv)->data && cg_t(c, cv)->dtype == NEURIO_DT_INT8)
            pv = ((const int8_t *)cg_t(c, cv)->data)[0];
    } else if (cv >= 0 && cg_t(c, cv)->data && cg_t(c, cv)->dtype == NEURIO_DT_FLOAT32) {
        pvf = ((const float *)cg_t(c, cv)->data)[0];
    }
    fprintf(c->decl, "static const nk_pad_params ng_p%d = {\n", oi);
    cg_i(c, "rank", r);
    cg_dims(c, "in_dims", tx->dims, r);
    cg_dims(c, "pad_before", before, r);
    cg_dims(c, "pad_after", after, r);
    cg_i(c, "pad_value", pv);
    cg_f(c, "pad_value_f", pvf);
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_pad_%s(&ng_p%d, %s, %s)", dt == NEURIO_DT_INT8 ? "s8" : "f32", oi, px, py);
    return NEURIO_OK;
}

int cg_concat(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char p[CG_PTR];
    int32_t y = op->outputs[0];
    const neurio_tensor *ty = cg_t(c, y);
    int32_t axis = op->attr.concat.axis < 0 ? op->attr.concat.axis + ty->rank : op->attr.concat.axis;
    if (axis < 0 || axis >= ty->rank || op->n_inputs < 1)
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "axis %d out of range for rank %d",
                       op->attr.concat.axis, ty->rank);
    if (op->attr.concat.activation != NEURIO_ACT_NONE)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "fused activation on CONCATENATION");
    int32_t outer = 1;
    for (int32_t d = 0; d < axis; d++)
        outer *= ty->dims[d];
    int32_t *inner = malloc((size_t)op->n_inputs * sizeof *inner);
    if (!inner)
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    int32_t sum = 0;
    for (int32_t k = 0; k < op->n_inputs; k++) {
        int32_t t = op->inputs[k];
        const neurio_tensor *tt = t >= 0 ? cg_t(c, t) : NULL;
        if (!tt || tt->dtype != ty->dtype || tt->rank != ty->rank) {
            free(inner);
            return cg_fail(c, oi, NEURIO_ERR_INVALID, "input %d differs in dtype or rank", k);
        }
        if (ty->dtype == NEURIO_DT_INT8) {
            float s1, s2;
            int32_t z1, z2;
            if ((rc = cg_q1(c, oi, t, &s1, &z1)) || (rc = cg_q1(c, oi, y, &s2, &z2))) {
                free(inner);
                return rc;
            }
            if (s1 != s2 || z1 != z2) {
                free(inner);
                return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED,
                               "input %d quantization (%g, %d) differs from the output's "
                               "(%g, %d); requantizing concatenation is not implemented",
                               k, (double)s1, z1, (double)s2, z2);
            }
        }
        inner[k] = (int32_t)(neurio_tensor_elements(tt) / (size_t)(outer > 0 ? outer : 1));
        sum += inner[k];
    }
    char nm[32];
    snprintf(nm, sizeof nm, "ng_inner%d", oi);
    cg_emit_i32_array(c, nm, inner, op->n_inputs);
    free(inner);
    if ((size_t)sum * (size_t)outer != neurio_tensor_elements(ty))
        return cg_fail(c, oi, NEURIO_ERR_INVALID, "inputs do not add up to the output");
    fprintf(c->decl, "static const nk_concat_params ng_p%d = {\n", oi);
    cg_i(c, "n_inputs", op->n_inputs);
    cg_i(c, "outer", outer);
    cg_i(c, "elem_size", (long)neurio_dtype_size(ty->dtype));
    fprintf(c->decl, "    .in_inner = ng_inner%d,\n};\n", oi);
    fprintf(c->body, "    {\n        const void *const ng_in[%d] = {", op->n_inputs);
    for (int32_t k = 0; k < op->n_inputs; k++) {
        if ((rc = cg_ptr(c, op->inputs[k], p, sizeof p)))
            return rc;
        fprintf(c->body, "%s%s", k ? ", " : "", p);
    }
    if ((rc = cg_ptr(c, y, p, sizeof p)))
        return rc;
    fprintf(c->body, "};\n        if (nk_concat(&ng_p%d, ng_in, %s) != NK_OK) "
                     "return NEURIO_RUN_ERR_LAYER + %d;\n    }\n", oi, p, oi);
    return NEURIO_OK;
}

int cg_mean(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    int rc = NEURIO_OK;
    char px[CG_PTR], py[CG_PTR];
    int32_t x = cg_in(c, oi, 0, &rc);
    if (rc)
        return rc;
    int32_t y = op->outputs[0];
    neurio_dtype dt;
    if ((rc = cg_all_dtype(c, oi, &dt)))
        return rc;
    const neurio_tensor *tx = cg_t(c, x);
    int32_t r = tx->rank, reduce[NK_MAX_DIMS] = {0};
    if (r < 1 || r > NK_MAX_DIMS)
        return cg_fail(c, oi, NEURIO_ERR_UNSUPPORTED, "input rank %d", r);
    int32_t n_axes = op->attr.mean.n_axes;
    const neurio_tensor *ta = op->n_inputs > 1 && op->inputs[1] >= 0 ? cg_t(c, op->inputs[1]) : NULL;
    if (n_axes <= 0 && ta && ta->data && (ta->dtype == NEURIO_DT_INT32 || ta->dtype == NEURIO_DT_INT64)) {
        for (size_t i = 0; i < neurio_tensor_elements(ta); i++) {
            int64_t ax = cg_const_int(ta, i);
            ax = ax < 0 ? ax + r : ax;
            if (ax < 0 || ax >= r)
                return cg_fail(c, oi, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)ax);
            reduce[ax] = 1;
        }
    } else {
        for (int32_t i = 0; i < n_axes && i < NEURIO_MAX_RANK; i++) {
            int32_t ax = op->attr.mean.axes[i] < 0 ? op->attr.mean.axes[i] + r : op->attr.mean.axes[i];
            if (ax < 0 || ax >= r)
                return cg_fail(c, oi, NEURIO_ERR_INVALID, "axis %d out of range", op->attr.mean.axes[i]);
            reduce[ax] = 1;
        }
    }
    int32_t count = 1;
    for (int32_t d = 0; d < r; d++)
        if (reduce[d])
            count *= tx->dims[d];
    fprintf(c->decl, "static const nk_mean_params ng_p%d = {\n", oi);
    cg_i(c, "rank", r);
    cg_dims(c, "in_dims", tx->dims, r);
    cg_dims(c, "reduce", reduce, r);
    if (dt == NEURIO_DT_INT8) {
        float xs, ys;
        int32_t xz, yz, mult, shift;
        if ((rc = cg_q1(c, oi, x, &xs, &xz)) || (rc = cg_q1(c, oi, y, &ys, &yz)))
            return rc;
        neurio_errbuf e = {{0}};
        if ((rc = cg_rq(c, oi, neurio_mean_params_s8(xs, xz, ys, yz, count, &mult, &shift, &e), &e)))
            return rc;
        cg_i(c, "in_zp", xz); cg_i(c, "out_zp", yz);
        cg_i(c, "mult", mult); cg_i(c, "shift", shift);
    }
    fputs("};\n", c->decl);
    if ((rc = cg_ptr(c, x, px, sizeof px)) || (rc = cg_ptr(c, y, py, sizeof py)))
        return rc;
    cg_call(c, oi, "nk_mean_%s(&ng_p%d, %s, %s)", dt == NEURIO_DT_INT8 ? "s8" : "f32", oi, px, py);
    return NEURIO_OK;
}

