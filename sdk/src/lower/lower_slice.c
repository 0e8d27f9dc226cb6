/* sdk/src/lower/lower_slice.c — STRIDED_SLICE as the strided window kernel
 * nk_slice.  The window follows TFLite's strided-slice rules
 * (strided_slice_logic.h StartForAxis/StopForAxis, and TensorFlow's dense
 * expansion of the ellipsis and new-axis masks):
 *  - entry i of begin/end/strides addresses the next input axis, unless bit
 *    i of new_axis_mask inserts an output axis of 1 there, or bit i of
 *    ellipsis_mask stands for as many full axes as the input has left over
 *    (an implicit ellipsis ends a spec shorter than the input);
 *  - offset: end is begin + end;
 *  - begin_mask / end_mask: the axis starts / stops at its extreme;
 *    negative indices count from the end; start and stop are clamped to
 *    [0, dim] (stride > 0) or [-1, dim - 1] (stride < 0);
 *  - shrink_axis_mask: one element (begin) and the axis leaves the output.
 * TFLite Micro itself reads neither the ellipsis nor the new-axis mask (it
 * refuses such models by their output shape); where it runs a model, the
 * window here is the one it reads. */
#include <stdint.h>
#include <stdio.h>

#include "lower_internal.h"

typedef struct ss_axis {      /* one input axis of the dense spec          */
    int64_t begin, end, stride;
    int begin_full, end_full, shrink;
} ss_axis;

static int64_t ss_clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Start, element count of one input axis of extent dim. */
static void ss_window(const ss_axis *a, int64_t dim, int64_t *start, int64_t *count)
{
    const int64_t s = a->stride;
    int64_t b = a->begin_full ? (s > 0 ? INT32_MIN : INT32_MAX) : a->begin;
    if (b < 0)
        b += dim;
    b = s > 0 ? ss_clamp(b, 0, dim) : ss_clamp(b, -1, dim - 1);
    *start = b;
    if (a->shrink) {
        *count = b >= 0 && b < dim ? 1 : 0;
        return;
    }
    int64_t e = a->end_full ? (s > 0 ? INT32_MAX : INT32_MIN) : a->end;
    if (e < 0)
        e += dim;
    e = s > 0 ? ss_clamp(e, 0, dim) : ss_clamp(e, -1, dim - 1);
    const int64_t span = s > 0 ? e - b : b - e, step = s > 0 ? s : -s;
    *count = span > 0 ? (span + step - 1) / step : 0;
}

/* The dense spec (one ss_axis per input axis) and the output's axes in
 * order: plan[k] = the input axis it comes from, or -1 for a new axis. */
#define SS_PLAN (2 * NEURIO_MAX_RANK + 1)
static int ss_dense(lw_ctx *c, int32_t r, ss_axis *ax, int32_t *plan, int32_t *n_plan)
{
    const neurio_op *op = c->op;
    const neurio_tensor *tb = lw_t(c, op->inputs[1]), *te = lw_t(c, op->inputs[2]),
                        *ts = lw_t(c, op->inputs[3]);
    const int32_t n = (int32_t)neurio_tensor_elements(tb);
    const int32_t ell = op->attr.strided_slice.ellipsis_mask,
                  nax = op->attr.strided_slice.new_axis_mask & ~ell;
    int32_t after_ell = 0, seen_ell = 0, d = 0, o = 0;
    for (int32_t i = 0; i < n; i++) {
        if (ell >> i & 1) {
            if (seen_ell)
                return lw_fail(c, NEURIO_ERR_INVALID, "more than one ellipsis in the mask");
            seen_ell = 1;
        } else if (seen_ell && !(nax >> i & 1)) {
            after_ell++;
        }
    }
    for (int32_t i = 0; i <= n; i++) {
        int32_t full = 0;
        if (i == n) /* the implicit ellipsis: remaining axes in full */
            full = seen_ell ? 0 : r - d;
        else if (ell >> i & 1)
            full = r - d - after_ell;
        else if (nax >> i & 1) {
            if (o >= SS_PLAN)
                return lw_fail(c, NEURIO_ERR_INVALID, "too many new axes");
            plan[o++] = -1;
            continue;
        }
        if (full < 0 || d + full > r || o + full >= SS_PLAN)
            return lw_fail(c, NEURIO_ERR_INVALID, "the slice spec addresses more than the "
                           "input's %d axes", r);
        for (int32_t k = 0; k < full; k++, d++) {
            ax[d] = (ss_axis){.begin_full = 1, .end_full = 1, .stride = 1};
            plan[o++] = d;
        }
        if (i == n || (ell >> i & 1))
            continue;
        if (d >= r)
            return lw_fail(c, NEURIO_ERR_INVALID, "begin/end/strides have more entries than "
                           "the input's %d axes", r);
        plan[o++] = d;
        ss_axis *a = &ax[d++];
        a->begin = ((const int32_t *)tb->data)[i];
        a->end = ((const int32_t *)te->data)[i];
        a->stride = ((const int32_t *)ts->data)[i];
        if (op->attr.strided_slice.offset)
            a->end += a->begin;
        a->begin_full = op->attr.strided_slice.begin_mask >> i & 1;
        a->end_full = op->attr.strided_slice.end_mask >> i & 1;
        a->shrink = op->attr.strided_slice.shrink_axis_mask >> i & 1;
        if (a->stride == 0)
            return lw_fail(c, NEURIO_ERR_INVALID, "stride %d is 0", i);
        if (a->shrink)
            a->stride = 1;
    }
    *n_plan = o;
    return NEURIO_OK;
}

/* The output tensor must have the shape the plan gives. */
static int ss_check_shape(lw_ctx *c, const ss_axis *ax, const int32_t *plan, int32_t n_plan,
                          const nk_slice_params *p, const neurio_tensor *ty)
{
    int32_t shape[SS_PLAN], rank = 0;
    char want[160];
    size_t w = 0;
    for (int32_t k = 0; k < n_plan; k++)
        if (plan[k] < 0 || !ax[plan[k]].shrink)
            shape[rank++] = plan[k] < 0 ? 1 : p->out_dims[plan[k]];
    int same = rank == ty->rank;
    for (int32_t k = 0; k < rank; k++) {
        same = same && shape[k] == ty->dims[k];
        if (w < sizeof want)
            w += (size_t)snprintf(want + w, sizeof want - w, "%s%d", k ? ", " : "", shape[k]);
    }
    if (!same)
        return lw_fail(c, NEURIO_ERR_INVALID, "output tensor %d '%s' has rank %d, but the slice "
                       "gives shape [%s]", c->op->outputs[0], ty->name, ty->rank, want);
    return NEURIO_OK;
}

int lw_strided_slice(lw_ctx *c)
{
    int32_t in[4], y;
    int rc = lw_operands(c, 4, in, &y, NULL);
    if (rc)
        return rc;
    const neurio_tensor *tx = lw_t(c, in[0]), *ty = lw_t(c, y);
    const int32_t r = tx->rank;
    if (r < 1 || r > NK_MAX_DIMS)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input rank %d (1..%d)", r, NK_MAX_DIMS);
    for (int k = 1; k < 4; k++) {
        const neurio_tensor *t = lw_t(c, in[k]);
        if (!t->data || t->dtype != NEURIO_DT_INT32 || t->rank != 1 ||
            neurio_tensor_elements(t) != neurio_tensor_elements(lw_t(c, in[1])) ||
            neurio_tensor_elements(t) > NEURIO_MAX_RANK)
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "begin, end and strides must be constant "
                           "int32 vectors of one length <= %d", NEURIO_MAX_RANK);
    }
    if (tx->dtype != ty->dtype)
        return lw_fail(c, NEURIO_ERR_INVALID, "input is %s but output is %s",
                       neurio_dtype_name(tx->dtype), neurio_dtype_name(ty->dtype));
    ss_axis ax[NEURIO_MAX_RANK];
    int32_t plan[SS_PLAN], n_plan = 0;
    if ((rc = ss_dense(c, r, ax, plan, &n_plan)))
        return rc;
    nk_slice_params *p = &c->out->p.slice;
    p->rank = r;
    p->elem_size = (int32_t)neurio_dtype_size(tx->dtype);
    for (int32_t d = 0; d < r; d++) {
        int64_t start, count;
        ss_window(&ax[d], tx->dims[d], &start, &count);
        p->in_dims[d] = tx->dims[d];
        p->begin[d] = count > 0 ? (int32_t)start : 0;
        p->step[d] = (int32_t)ax[d].stride;
        p->out_dims[d] = (int32_t)count;
    }
    if ((rc = ss_check_shape(c, ax, plan, n_plan, p, ty)))
        return rc;
    return lw_set(c, LW_K_STRIDED_SLICE, 2, (int32_t[]){in[0], y});
}
