/* sdk/src/import/onnx/onnx_ops_layout.c — ONNX shape/layout ops into the IR: Flatten,
 * Reshape, Squeeze/Unsqueeze, Transpose (folded when it only undoes the
 * NCHW->NHWC conversion), Concat and Pad. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

#define OX_MAXV 64

int ox_flatten(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "input");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int32_t in = ox_plain(c, x);
    if (in < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    int64_t axis = ox_attr_int(c, "axis", 1);
    if (axis < 0)
        axis += t->rank;
    if (axis < 0 || axis > t->rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)axis);
    int64_t d64[2] = { 1, 1 };
    for (int32_t i = 0; i < t->rank; i++)
        d64[i >= axis] *= t->dims[i];
    if (d64[0] > INT32_MAX || d64[1] > INT32_MAX)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "result has more than 2^31 elements");
    int32_t d[2] = { (int32_t)d64[0], (int32_t)d64[1] };
    return ox_reshape_to(c, in, 2, d);
}

int ox_reshape(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "data"), *s = ox_need(c, 1, "shape");
    if (!x || !s)
        return NEURIO_ERR_FORMAT;
    int64_t shp[NEURIO_MAX_RANK];
    int32_t n = ox_const_ints(c, s, shp, NEURIO_MAX_RANK);
    if (n < 0)
        return NEURIO_ERR_UNSUPPORTED;
    int32_t in = ox_plain(c, x);
    if (in < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    size_t total = neurio_tensor_elements(t), known = 1;
    int32_t d[NEURIO_MAX_RANK], infer = -1;
    int allowzero = (int)ox_attr_int(c, "allowzero", 0);
    for (int32_t i = 0; i < n; i++) {
        if (shp[i] == 0 && !allowzero) {
            if (i >= t->rank)
                return ox_fail(c, NEURIO_ERR_INVALID, "shape[%d] = 0 copies a missing dim", (int)i);
            d[i] = t->dims[i];
        } else if (shp[i] == -1) {
            if (infer >= 0)
                return ox_fail(c, NEURIO_ERR_INVALID, "more than one -1 in shape");
            infer = i;
            d[i] = 1;
            continue;
        } else if (shp[i] <= 0 || shp[i] > INT32_MAX) {
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "shape[%d] = %lld", (int)i, (long long)shp[i]);
        } else {
            d[i] = (int32_t)shp[i];
        }
        known *= (size_t)d[i];
    }
    if (infer >= 0) {
        if (known == 0 || total % known)
            return ox_fail(c, NEURIO_ERR_INVALID, "cannot infer -1: %zu elements into %zu", total, known);
        d[infer] = (int32_t)(total / known);
    }
    return ox_reshape_to(c, in, n, d);
}

int ox_squeeze(ox_ctx *c, int unsq)
{
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int64_t axes[NEURIO_MAX_RANK * 2];
    int32_t na;
    const ox_value *av = ox_input(c, 1);
    if (c->opset >= 13 && av) {
        na = ox_const_ints(c, av, axes, NEURIO_MAX_RANK * 2);
        if (na < 0)
            return NEURIO_ERR_UNSUPPORTED;
    } else
        na = ox_attr_ints(c, "axes", axes, NEURIO_MAX_RANK * 2);
    if (na > NEURIO_MAX_RANK * 2 - 1)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "too many axes");
    int32_t in = ox_plain(c, x);
    if (in < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    int32_t d[NEURIO_MAX_RANK], r = 0;
    if (unsq) {
        if (na < 0)
            return ox_fail(c, NEURIO_ERR_INVALID, "Unsqueeze needs axes");
        int32_t orank = t->rank + na;
        if (orank > NEURIO_MAX_RANK)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "result rank %d > %d", (int)orank, NEURIO_MAX_RANK);
        int mark[NEURIO_MAX_RANK] = { 0 };
        for (int32_t i = 0; i < na; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + orank : axes[i];
            if (a < 0 || a >= orank || mark[a])
                return ox_fail(c, NEURIO_ERR_INVALID, "bad axis %lld", (long long)axes[i]);
            mark[a] = 1;
        }
        int32_t k = 0;
        for (int32_t i = 0; i < orank; i++)
            d[r++] = mark[i] ? 1 : t->dims[k++];
    } else {
        int mark[NEURIO_MAX_RANK] = { 0 };
        if (na < 0) {
            for (int32_t i = 0; i < t->rank; i++)
                mark[i] = t->dims[i] == 1;
        } else {
            for (int32_t i = 0; i < na; i++) {
                int64_t a = axes[i] < 0 ? axes[i] + t->rank : axes[i];
                if (a < 0 || a >= t->rank || t->dims[a] != 1)
                    return ox_fail(c, NEURIO_ERR_INVALID, "cannot squeeze axis %lld", (long long)axes[i]);
                mark[a] = 1;
            }
        }
        for (int32_t i = 0; i < t->rank; i++)
            if (!mark[i])
                d[r++] = t->dims[i];
    }
    return ox_reshape_to(c, in, r, d);
}

int ox_transpose(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    const neurio_tensor *t = &c->m->tensors[x->t];
    int32_t rank = t->rank;
    int64_t p[NEURIO_MAX_RANK + 1];
    int32_t np = ox_attr_ints(c, "perm", p, NEURIO_MAX_RANK + 1);
    if (np < 0) {
        np = rank;
        for (int32_t i = 0; i < rank; i++)
            p[i] = rank - 1 - i;
    }
    if (np != rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "perm has %d entries for rank %d", (int)np, (int)rank);
    int seen[NEURIO_MAX_RANK] = { 0 };
    for (int32_t i = 0; i < rank; i++) {
        if (p[i] < 0 || p[i] >= rank || seen[p[i]])
            return ox_fail(c, NEURIO_ERR_INVALID, "perm is not a permutation");
        seen[p[i]] = 1;
    }
    static const int32_t nchw_axis_in_nhwc[4] = { 0, 3, 1, 2 };
    int32_t q[NEURIO_MAX_RANK], od[NEURIO_MAX_RANK];
    int ident = 1;
    for (int32_t i = 0; i < rank; i++) {
        q[i] = x->nhwc ? nchw_axis_in_nhwc[p[i]] : (int32_t)p[i];
        od[i] = t->dims[q[i]];
        ident &= q[i] == i;
    }
    if (ident && !ox_is_graph_output(c, c->node->output[0]))
        /* the transpose only undoes our layout change: fold it */
        return ox_bind(c, c->node->output[0], x->t, 0);
    if (ident)
        return ox_reshape_to(c, x->t, rank, od);
    int32_t in = x->t;
    int32_t op = ox_emit(c, NEURIO_OP_TRANSPOSE, 1, &in, t->dtype, rank, od, in, 0);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    memcpy(c->m->ops[op].attr.transpose.perm, q, sizeof(int32_t) * (size_t)rank);
    return NEURIO_OK;
}

int ox_concat(ox_ctx *c)
{
    int32_t n = (int32_t)c->node->n_input;
    if (n < 1 || n > OX_MAXV)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%d inputs", (int)n);
    int32_t ins[OX_MAXV];
    int any_nhwc = 0;
    for (int32_t i = 0; i < n; i++) {
        const ox_value *v = ox_need(c, i, "input");
        if (!v)
            return NEURIO_ERR_FORMAT;
        any_nhwc |= v->nhwc;
    }
    int32_t rank = c->m->tensors[ox_input(c, 0)->t].rank;
    int64_t axis = ox_attr_int(c, "axis", 1);
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis out of range");
    static const int32_t nchw_axis_in_nhwc[4] = { 0, 3, 1, 2 };
    int32_t ax = any_nhwc ? nchw_axis_in_nhwc[axis] : (int32_t)axis;
    int32_t od[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < n; i++) {
        const ox_value *v = ox_input(c, i);
        ins[i] = any_nhwc ? ox_nhwc(c, v) : ox_plain(c, v);
        if (ins[i] < 0)
            return NEURIO_ERR_UNSUPPORTED;
        const neurio_tensor *t = &c->m->tensors[ins[i]];
        if (t->rank != rank)
            return ox_fail(c, NEURIO_ERR_INVALID, "input %d has rank %d, expected %d", (int)i,
                           (int)t->rank, (int)rank);
        for (int32_t k = 0; k < rank; k++) {
            if (i == 0)
                od[k] = t->dims[k];
            else if (k == ax) {
                if ((int64_t)od[k] + t->dims[k] > INT32_MAX / 2)
                    return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "concatenated axis too large");
                od[k] += t->dims[k];
            }
            else if (od[k] != t->dims[k])
                return ox_fail(c, NEURIO_ERR_INVALID, "input %d dim %d is %d, expected %d",
                               (int)i, (int)k, (int)t->dims[k], (int)od[k]);
        }
    }
    int32_t op = ox_emit(c, NEURIO_OP_CONCATENATION, n, ins, c->m->tensors[ins[0]].dtype, rank, od,
                         -1, any_nhwc);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.concat.axis = ax;
    return NEURIO_OK;
}

int ox_pad(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    char mode[32];
    ox_attr_str(c, "mode", mode, sizeof mode);
    if (mode[0] && strcmp(mode, "constant"))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "mode '%s' (only constant)", mode);
    int32_t rank = c->m->tensors[x->t].rank;
    int64_t pads[2 * NEURIO_MAX_RANK + 1];
    int32_t np;
    if (c->opset >= 11) {
        const ox_value *pv = ox_need(c, 1, "pads");
        if (!pv)
            return NEURIO_ERR_FORMAT;
        np = ox_const_ints(c, pv, pads, 2 * NEURIO_MAX_RANK);
        const ox_value *cv = ox_input(c, 2);
        if (cv) {
            size_t n;
            const float *f = ox_const_floats(c, cv, &n);
            if (!f || n != 1 || f[0] != 0.0f)
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "constant_value other than 0");
        }
    } else {
        np = ox_attr_ints(c, "pads", pads, 2 * NEURIO_MAX_RANK);
        if (ox_attr_float(c, "value", 0.0f) != 0.0f)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "value other than 0");
    }
    if (np != 2 * rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "pads has %d values for rank %d", (int)np, (int)rank);
    if (c->opset >= 18 && ox_input(c, 3))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "axes input");
    static const int32_t plain_axis_of_nhwc[4] = { 0, 2, 3, 1 };
    int32_t in = x->t, pd[2 * NEURIO_MAX_RANK], od[NEURIO_MAX_RANK];
    int64_t total = 1;
    const neurio_tensor *t = &c->m->tensors[in];
    for (int32_t k = 0; k < rank; k++) {
        int32_t j = x->nhwc ? plain_axis_of_nhwc[k] : k;
        if (pads[j] < 0 || pads[j + rank] < 0 || pads[j] > 65536 || pads[j + rank] > 65536)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "negative or huge pads");
        pd[2 * k] = (int32_t)pads[j];
        pd[2 * k + 1] = (int32_t)pads[j + rank];
        int64_t o64 = (int64_t)t->dims[k] + pd[2 * k] + pd[2 * k + 1];
        total *= o64;
        if (total > INT32_MAX)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "padded result has more than 2^31 elements");
        od[k] = (int32_t)o64;
    }
    char name[512];
    snprintf(name, sizeof name, "%s_paddings", c->node->output[0]);
    int32_t pdims[2] = { rank, 2 };
    int32_t pi = ox_new_const(c, name, NEURIO_DT_INT32, 2, pdims, pd);
    if (pi < 0)
        return NEURIO_ERR_NOMEM;
    int32_t ins[2] = { in, pi };
    if (ox_emit(c, NEURIO_OP_PAD, 2, ins, c->m->tensors[in].dtype, rank, od, in, x->nhwc) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}
