/* sdk/src/import/onnx/onnx_ops.c — conversion of ONNX compute nodes into IR ops (Conv,
 * pools, Gemm/MatMul, element-wise, Clip, Softmax) and the op table that
 * ox_convert_node() dispatches on; shape ops are in onnx_ops_layout.c, QDQ
 * and the rest in onnx_ops_misc.c.  See onnx.c for the value table and the
 * NCHW/NHWC bookkeeping. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/onnx.h"
#include "onnx_internal.h"

#define OX_MAXV 64

int32_t ox_out_dtype(const ox_ctx *c, int32_t in)
{
    neurio_dtype dt = c->m->tensors[in].dtype;
    /* Compute ops on int8 inputs produce float in QDQ graphs until the
     * following QuantizeLinear retypes them. */
    return (dt == NEURIO_DT_INT8 || dt == NEURIO_DT_UINT8) ? NEURIO_DT_FLOAT32 : dt;
}

/* int8/uint8/int16 activations must be quantized (QDQ) for compute ops:
 * plain integer arithmetic has no kernel. */
int ox_check_numeric(ox_ctx *c, int32_t t)
{
    const neurio_tensor *tt = &c->m->tensors[t];
    if ((tt->dtype == NEURIO_DT_INT8 || tt->dtype == NEURIO_DT_UINT8 ||
         tt->dtype == NEURIO_DT_INT16) && tt->quant.count == 0)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "plain integer (%s) arithmetic on '%s' is not supported; only float32 and "
                       "quantized (QDQ) tensors", neurio_dtype_name(tt->dtype), tt->name);
    if (tt->dtype != NEURIO_DT_FLOAT32 && tt->dtype != NEURIO_DT_INT8 &&
        tt->dtype != NEURIO_DT_UINT8 && tt->dtype != NEURIO_DT_INT16)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%s arithmetic on '%s' is not supported",
                       neurio_dtype_name(tt->dtype), tt->name);
    return NEURIO_OK;
}

const ox_value *ox_need(ox_ctx *c, int i, const char *what)
{
    const ox_value *v = ox_input(c, i);
    if (!v)
        ox_fail(c, NEURIO_ERR_FORMAT, "missing required input %d (%s)", i, what);
    return v;
}

/* Copy per-tensor quantization of src onto dst (layout-only ops). */
void ox_copy_quant(ox_ctx *c, int32_t dst, int32_t src)
{
    const neurio_tensor *s = &c->m->tensors[src];
    if (s->quant.count == 1)
        neurio_tensor_set_quant(c->m, dst, 1, 0, s->quant.scale, s->quant.zero_point);
}

int32_t ox_emit(ox_ctx *c, neurio_op_kind k, int32_t n_in, const int32_t *in, neurio_dtype dt,
                int32_t rank, const int32_t *dims, int32_t quant_src, int nhwc)
{
    int32_t out = ox_new_output(c, 0, dt, rank, dims);
    if (out < 0)
        return -1;
    if (quant_src >= 0)
        ox_copy_quant(c, out, quant_src);
    int32_t op = ox_add_op(c, k, n_in, in, 1, &out);
    if (op < 0 || ox_bind(c, c->node->output[0], out, nhwc))
        return -1;
    return op;
}

/* Unary op keeping shape and layout. */
int ox_unary(ox_ctx *c, neurio_op_kind k, int32_t *op_out)
{
    const ox_value *x = ox_need(c, 0, "X");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int nhwc = x->nhwc;
    int32_t in = x->t;
    if (k != NEURIO_OP_RESHAPE && ox_check_numeric(c, in))
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    int32_t dims[NEURIO_MAX_RANK];
    memcpy(dims, t->dims, sizeof dims);
    int32_t o = ox_emit(c, k, 1, &in, t->dtype, t->rank, dims, in, nhwc);
    if (o < 0)
        return NEURIO_ERR_NOMEM;
    if (op_out)
        *op_out = o;
    return NEURIO_OK;
}

/* Reshape the IR tensor `in` (plain layout) to dims; binds output 0. */
int ox_reshape_to(ox_ctx *c, int32_t in, int32_t rank, const int32_t *dims)
{
    size_t n = 1;
    for (int32_t i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    if (n != neurio_tensor_elements(&c->m->tensors[in]))
        return ox_fail(c, NEURIO_ERR_INVALID,
                       "target shape has %zu elements, input has %zu", n,
                       neurio_tensor_elements(&c->m->tensors[in]));
    if (ox_emit(c, NEURIO_OP_RESHAPE, 1, &in, c->m->tensors[in].dtype, rank, dims, in, 0) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

/* Spatial attributes shared by Conv and pooling (2-D only). */
typedef struct ox_spatial {
    int32_t k[2], s[2], d[2], pad[4]; /* pad: top, left, bottom, right */
    int32_t out_h, out_w;
    neurio_padding padding;
} ox_spatial;

static int ox_spatial_attrs(ox_ctx *c, int32_t in_h, int32_t in_w, ox_spatial *sp,
                            int ceil_ok)
{
    int64_t v[8];
    char ap[32];
    sp->s[0] = sp->s[1] = sp->d[0] = sp->d[1] = 1;
    memset(sp->pad, 0, sizeof sp->pad);
    if (ox_attr_ints(c, "strides", v, 8) == 2) {
        sp->s[0] = (int32_t)v[0];
        sp->s[1] = (int32_t)v[1];
    }
    if (ox_attr_ints(c, "dilations", v, 8) == 2) {
        sp->d[0] = (int32_t)v[0];
        sp->d[1] = (int32_t)v[1];
    }
    for (int i = 0; i < 2; i++)
        if (sp->s[i] < 1 || sp->d[i] < 1 || sp->k[i] < 1 || sp->s[i] > 4096 || sp->d[i] > 4096)
            return ox_fail(c, NEURIO_ERR_INVALID, "bad kernel/stride/dilation");
    int32_t ek[2] = { (sp->k[0] - 1) * sp->d[0] + 1, (sp->k[1] - 1) * sp->d[1] + 1 };
    int32_t in[2] = { in_h, in_w };
    ox_attr_str(c, "auto_pad", ap, sizeof ap);
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        for (int i = 0; i < 2; i++) {
            int32_t o = (in[i] + sp->s[i] - 1) / sp->s[i];
            int32_t tot = (o - 1) * sp->s[i] + ek[i] - in[i];
            if (tot < 0)
                tot = 0;
            int32_t lo = ap[5] == 'U' ? tot / 2 : tot - tot / 2;
            sp->pad[i] = lo;
            sp->pad[i + 2] = tot - lo;
        }
    } else if (!strcmp(ap, "VALID")) {
        /* zero pads */
    } else if (!ap[0] || !strcmp(ap, "NOTSET")) {
        int32_t n = ox_attr_ints(c, "pads", v, 8);
        if (n == 4) {
            for (int i = 0; i < 4; i++) {
                if (v[i] < 0 || v[i] > 4096)
                    return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "negative or huge pads");
                sp->pad[i] = (int32_t)v[i];
            }
        } else if (n >= 0 && n != 0) {
            return ox_fail(c, NEURIO_ERR_INVALID, "pads has %d values, expected 4", (int)n);
        }
    } else {
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "auto_pad '%s'", ap);
    }
    int32_t o[2];
    for (int i = 0; i < 2; i++) {
        int32_t span = in[i] + sp->pad[i] + sp->pad[i + 2] - ek[i];
        if (span < 0)
            return ox_fail(c, NEURIO_ERR_INVALID, "kernel larger than padded input");
        o[i] = span / sp->s[i] + 1;
        if (ox_attr_int(c, "ceil_mode", 0) && span % sp->s[i]) {
            if (!ceil_ok)
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                               "ceil_mode=1 changes the output size here; re-export with "
                               "ceil_mode=0 or explicit pads");
            /* pooling: one more window, padded at the end (padding cells are
             * ignored by max and by the valid-cells average) */
            sp->pad[i + 2] += sp->s[i] - span % sp->s[i];
            o[i]++;
        }
    }
    sp->out_h = o[0];
    sp->out_w = o[1];
    /* TFLite SAME: total = max((out-1)*s + ek - in, 0), extra at the end. */
    int same = 1, zero = 1;
    for (int i = 0; i < 2; i++) {
        int32_t so = (in[i] + sp->s[i] - 1) / sp->s[i];
        int32_t tot = (so - 1) * sp->s[i] + ek[i] - in[i];
        if (tot < 0)
            tot = 0;
        if (so != o[i] || sp->pad[i] != tot / 2 || sp->pad[i + 2] != tot - tot / 2)
            same = 0;
        if (sp->pad[i] || sp->pad[i + 2])
            zero = 0;
    }
    sp->padding = zero ? NEURIO_PAD_VALID : same ? NEURIO_PAD_SAME : NEURIO_PAD_EXPLICIT;
    return NEURIO_OK;
}

static int ox_conv(ox_ctx *c)
{
    const ox_value *x = ox_need(c, 0, "X"), *w = ox_need(c, 1, "W");
    const ox_value *b = ox_input(c, 2);
    if (!x || !w)
        return NEURIO_ERR_FORMAT;
    const neurio_tensor *wt = &c->m->tensors[w->t];
    if (!wt->data)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "weights '%s' must be constant", w->name);
    if (wt->rank != 4)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "only 2-D convolution is supported (weights have rank %d)", (int)wt->rank);
    if (ox_check_numeric(c, x->t))
        return NEURIO_ERR_UNSUPPORTED;
    int32_t xi = ox_nhwc(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    wt = &c->m->tensors[w->t];
    const neurio_tensor *xt = &c->m->tensors[xi];
    int32_t M = wt->dims[0], Cg = wt->dims[1], C = xt->dims[3];
    int64_t group = ox_attr_int(c, "group", 1);
    ox_spatial sp = { .k = { wt->dims[2], wt->dims[3] } };
    int64_t ks[4];
    if (ox_attr_ints(c, "kernel_shape", ks, 4) == 2 && (ks[0] != sp.k[0] || ks[1] != sp.k[1]))
        return ox_fail(c, NEURIO_ERR_INVALID, "kernel_shape disagrees with the weights");
    int rc = ox_spatial_attrs(c, xt->dims[1], xt->dims[2], &sp, 0);
    if (rc)
        return rc;
    int dw;
    if (group == 1 && Cg == C)
        dw = 0;
    else if (group == C && Cg == 1 && M % C == 0)
        dw = 1;
    else
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "grouped convolution with group=%lld, %d input channels, weights "
                       "[%d,%d,..] (only group=1 or depthwise)", (long long)group, (int)C,
                       (int)M, (int)Cg);
    static const int32_t perm_conv[4] = { 0, 2, 3, 1 }, perm_dw[4] = { 1, 2, 3, 0 };
    const int32_t *perm = dw ? perm_dw : perm_conv;
    int32_t wd[4];
    for (int i = 0; i < 4; i++)
        wd[i] = wt->dims[perm[i]];
    size_t esz = neurio_dtype_size(wt->dtype), n = neurio_tensor_elements(wt);
    unsigned char *pw = malloc(n * esz);
    if (!pw)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    /* generic permutation */
    int32_t idx[4], st[4] = { wt->dims[1] * wt->dims[2] * wt->dims[3],
                              wt->dims[2] * wt->dims[3], wt->dims[3], 1 };
    size_t o = 0;
    for (idx[0] = 0; idx[0] < wd[0]; idx[0]++)
        for (idx[1] = 0; idx[1] < wd[1]; idx[1]++)
            for (idx[2] = 0; idx[2] < wd[2]; idx[2]++)
                for (idx[3] = 0; idx[3] < wd[3]; idx[3]++, o++) {
                    size_t off = 0;
                    for (int i = 0; i < 4; i++)
                        off += (size_t)idx[i] * (size_t)st[perm[i]];
                    memcpy(pw + o * esz, (const unsigned char *)wt->data + off * esz, esz);
                }
    char wname[512];
    snprintf(wname, sizeof wname, "%s_%s", w->name, dw ? "1hwo" : "ohwi");
    neurio_dtype wdt = wt->dtype;
    int32_t wq_count = wt->quant.count, wq_axis = wt->quant.axis;
    int32_t wi = ox_new_const(c, wname, wdt, 4, wd, pw);
    free(pw);
    if (wi < 0)
        return NEURIO_ERR_NOMEM;
    if (wq_count > 0) {
        const neurio_tensor *ws = &c->m->tensors[w->t];
        if (wq_count > 1 && wq_axis != 0)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "weights quantized along axis %d (need 0)",
                           (int)wq_axis);
        for (int32_t i = 0; i < wq_count; i++)
            if (ws->quant.zero_point[i] != 0)
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                               "asymmetric int8 weights (zero point %d); neurio needs symmetric",
                               (int)ws->quant.zero_point[i]);
        int32_t ax = wq_count > 1 ? (dw ? 3 : 0) : 0;
        neurio_tensor_set_quant(c->m, wi, wq_count, ax, ws->quant.scale, ws->quant.zero_point);
    }
    int32_t bi = -1;
    if (b) {
        bi = b->t;
        if (!c->m->tensors[bi].data || neurio_tensor_elements(&c->m->tensors[bi]) != (size_t)M)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "bias '%s' must be a constant of %d values",
                           b->name, (int)M);
    }
    int32_t od[4] = { c->m->tensors[xi].dims[0], sp.out_h, sp.out_w, M };
    int32_t ins[3] = { xi, wi, bi };
    int32_t op = ox_emit(c, dw ? NEURIO_OP_DEPTHWISE_CONV_2D : NEURIO_OP_CONV_2D, 3, ins,
                         ox_out_dtype(c, xi), 4, od, -1, 1);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    neurio_conv_attr *a = &c->m->ops[op].attr.conv;
    a->stride_h = sp.s[0];
    a->stride_w = sp.s[1];
    a->dilation_h = sp.d[0];
    a->dilation_w = sp.d[1];
    a->padding = sp.padding;
    memcpy(a->pad, sp.pad, sizeof a->pad);
    a->depth_multiplier = dw ? M / C : 1;
    a->activation = NEURIO_ACT_NONE;
    return NEURIO_OK;
}

static int ox_pool(ox_ctx *c, neurio_op_kind k, int global)
{
    const ox_value *x = ox_need(c, 0, "X");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (ox_check_numeric(c, x->t))
        return NEURIO_ERR_UNSUPPORTED;
    int32_t xi = ox_nhwc(c, x);
    if (xi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *xt = &c->m->tensors[xi];
    ox_spatial sp = { .k = { xt->dims[1], xt->dims[2] } };
    if (global) {
        sp.s[0] = sp.s[1] = sp.d[0] = sp.d[1] = 1;
        sp.out_h = sp.out_w = 1;
        sp.padding = NEURIO_PAD_VALID;
    } else {
        int64_t ks[4];
        if (ox_attr_ints(c, "kernel_shape", ks, 4) != 2)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "only 2-D pooling (kernel_shape of 2)");
        if (ks[0] < 1 || ks[1] < 1 || ks[0] > 4096 || ks[1] > 4096)
            return ox_fail(c, NEURIO_ERR_INVALID, "bad kernel_shape");
        sp.k[0] = (int32_t)ks[0];
        sp.k[1] = (int32_t)ks[1];
        int rc = ox_spatial_attrs(c, xt->dims[1], xt->dims[2], &sp, 1);
        if (rc)
            return rc;
        if (sp.d[0] != 1 || sp.d[1] != 1)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "dilated pooling");
        if (k == NEURIO_OP_AVERAGE_POOL_2D && ox_attr_int(c, "count_include_pad", 0) &&
            sp.padding != NEURIO_PAD_VALID)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "count_include_pad=1 with padding (neurio averages valid cells only)");
        if (c->node->n_output > 1 && c->node->output[1] && *c->node->output[1])
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "MaxPool Indices output");
    }
    xt = &c->m->tensors[xi];
    int32_t od[4] = { xt->dims[0], sp.out_h, sp.out_w, xt->dims[3] };
    int32_t op = ox_emit(c, k, 1, &xi, xt->dtype, 4, od, xi, 1);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    neurio_pool_attr *a = &c->m->ops[op].attr.pool;
    a->filter_h = sp.k[0];
    a->filter_w = sp.k[1];
    a->stride_h = sp.s[0];
    a->stride_w = sp.s[1];
    a->padding = sp.padding;
    memcpy(a->pad, sp.pad, sizeof a->pad);
    a->activation = NEURIO_ACT_NONE;
    return NEURIO_OK;
}

/* Constant of rank `rank` holding v's data with leading 1s prepended, then
 * (when to_nhwc) permuted to NHWC. */
static int32_t ox_const_expand(ox_ctx *c, const ox_value *v, int32_t rank, int to_nhwc)
{
    const neurio_tensor *t = &c->m->tensors[v->t];
    int32_t d[NEURIO_MAX_RANK];
    int32_t pre = rank - t->rank;
    for (int32_t i = 0; i < rank; i++)
        d[i] = i < pre ? 1 : t->dims[i - pre];
    char name[512];
    snprintf(name, sizeof name, "%s_r%d%s", v->name, (int)rank, to_nhwc ? "_nhwc" : "");
    const ox_value *memo = ox_find(c, name);
    if (memo)
        return memo->t;
    int32_t nt = ox_new_const(c, name, t->dtype, rank, d, t->data);
    if (nt < 0)
        return -1;
    t = &c->m->tensors[v->t];
    if (t->quant.count == 1)
        neurio_tensor_set_quant(c->m, nt, 1, 0, t->quant.scale, t->quant.zero_point);
    if (ox_bind(c, name, nt, 0))
        return -1;
    if (!to_nhwc)
        return nt;
    ox_value tmp = { .name = name, .t = nt, .nhwc = 0 };
    return ox_nhwc(c, &tmp);
}

/* Comparisons produce bool. */
static int ox_is_compare(neurio_op_kind k)
{
    return k >= NEURIO_OP_EQUAL && k <= NEURIO_OP_GREATER_EQUAL;
}

/* Operand check of binary op k: int32 has kernels for the arithmetic and
 * comparison ops, bool for the logical ones; otherwise ox_check_numeric. */
static int ox_check_binary(ox_ctx *c, neurio_op_kind k, int32_t t)
{
    neurio_dtype dt = c->m->tensors[t].dtype;
    int logical = k == NEURIO_OP_LOGICAL_AND || k == NEURIO_OP_LOGICAL_OR;
    if (logical)
        return dt == NEURIO_DT_BOOL ? NEURIO_OK
                                    : ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%s operands (bool only)",
                                              neurio_dtype_name(dt));
    if (dt == NEURIO_DT_INT32 && k != NEURIO_OP_PRELU && k != NEURIO_OP_SQUARED_DIFFERENCE)
        return NEURIO_OK;
    return ox_check_numeric(c, t);
}

int ox_binary(ox_ctx *c, neurio_op_kind k)
{
    const ox_value *a = ox_need(c, 0, "A"), *b = ox_need(c, 1, "B");
    if (!a || !b)
        return NEURIO_ERR_FORMAT;
    int div = !strcmp(c->node->op_type, "Div");
    int32_t ti[2] = { a->t, b->t };
    const ox_value *v[2] = { a, b };
    int32_t ra = c->m->tensors[a->t].rank, rb = c->m->tensors[b->t].rank;
    int32_t rank = ra > rb ? ra : rb;
    int nhwc = (a->nhwc || b->nhwc) && rank == 4;
    size_t n;
    const float *f = div ? ox_const_floats(c, b, &n) : NULL;
    if (div && !(f && c->m->tensors[a->t].quant.count > 0))
        k = NEURIO_OP_DIV; /* float / int32 division; QDQ int8 by a constant: reciprocal */
    else if (div) {
        float *r = malloc(n * sizeof *r);
        if (!r)
            return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            r[i] = 1.0f / f[i];
        char name[512];
        snprintf(name, sizeof name, "%s_recip", b->name);
        const neurio_tensor *bt = &c->m->tensors[b->t];
        int32_t bd[NEURIO_MAX_RANK];
        memcpy(bd, bt->dims, sizeof bd);
        int32_t nt = ox_new_const(c, name, NEURIO_DT_FLOAT32, bt->rank, bd, r);
        free(r);
        if (nt < 0 || ox_bind(c, name, nt, 0))
            return NEURIO_ERR_NOMEM;
        ti[1] = nt;
        v[1] = ox_find(c, name);
        k = NEURIO_OP_MUL;
    }
    for (int i = 0; i < 2; i++) {
        const neurio_tensor *t = &c->m->tensors[v[i]->t];
        if (nhwc) {
            if (v[i]->nhwc)
                ti[i] = v[i]->t;
            else if (t->data)
                ti[i] = ox_const_expand(c, v[i], 4, 1);
            else if (t->rank == 4)
                ti[i] = ox_nhwc(c, v[i]);
            else
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                               "broadcasting a rank-%d activation against a 4-D one", (int)t->rank);
        } else if (t->rank < rank && t->data) {
            ti[i] = ox_const_expand(c, v[i], rank, 0);
        } else if (t->rank < rank) {
            /* numpy broadcasting: left-pad the shape with 1s */
            int32_t src = ox_plain(c, v[i]), d[NEURIO_MAX_RANK], pre;
            if (src < 0)
                return NEURIO_ERR_UNSUPPORTED;
            const neurio_tensor *st = &c->m->tensors[src];
            pre = rank - st->rank;
            for (int32_t k2 = 0; k2 < rank; k2++)
                d[k2] = k2 < pre ? 1 : st->dims[k2 - pre];
            char nm[512];
            snprintf(nm, sizeof nm, "%s_r%d", v[i]->name, (int)rank);
            ti[i] = neurio_model_add_tensor(c->m, nm, c->m->tensors[src].dtype, rank, d);
            if (ti[i] < 0 || ox_add_op(c, NEURIO_OP_RESHAPE, 1, &src, 1, &ti[i]) < 0)
                return NEURIO_ERR_NOMEM;
            ox_copy_quant(c, ti[i], src);
        } else {
            ti[i] = ox_plain(c, v[i]);
        }
        if (ti[i] < 0)
            return NEURIO_ERR_UNSUPPORTED;
    }
    if (ox_check_binary(c, k, ti[0]) || ox_check_binary(c, k, ti[1]))
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *ta = &c->m->tensors[ti[0]], *tb = &c->m->tensors[ti[1]];
    if (ta->rank != tb->rank)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "operands of rank %d and %d where the lower-rank one is not constant",
                       (int)ta->rank, (int)tb->rank);
    int32_t od[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < ta->rank; i++) {
        int32_t x = ta->dims[i], y = tb->dims[i];
        if (x != y && x != 1 && y != 1)
            return ox_fail(c, NEURIO_ERR_INVALID, "shapes do not broadcast at axis %d (%d vs %d)",
                           (int)i, (int)x, (int)y);
        od[i] = x == 1 ? y : x;
    }
    if (ta->dtype != tb->dtype)
        return ox_fail(c, NEURIO_ERR_INVALID, "operand dtypes differ (%s vs %s)",
                       neurio_dtype_name(ta->dtype), neurio_dtype_name(tb->dtype));
    if (ox_emit(c, k, 2, ti, ox_is_compare(k) ? NEURIO_DT_BOOL : ox_out_dtype(c, ti[0]),
                ta->rank, od, -1, nhwc) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

/* Gemm/MatMul with a constant B (float, or int8 from DequantizeLinear):
 * FULLY_CONNECTED with weights [N, K] and an optional bias [N]. */
static int ox_fc(ox_ctx *c, const ox_value *b, const ox_value *cv, int32_t ai, int transB,
                 float alpha, float beta)
{
    const neurio_tensor *at = &c->m->tensors[ai], *bt = &c->m->tensors[b->t];
    int32_t K = at->dims[at->rank - 1];
    int32_t N = transB ? bt->dims[0] : bt->dims[1];
    int32_t Kb = transB ? bt->dims[1] : bt->dims[0];
    int q = bt->dtype == NEURIO_DT_INT8;
    if (Kb != K)
        return ox_fail(c, NEURIO_ERR_INVALID, "inner dimensions differ (%d vs %d)", (int)K, (int)Kb);
    if (q && (alpha != 1.0f || (cv && beta != 1.0f)))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "alpha/beta other than 1 on quantized weights");
    int32_t qaxis = 0;
    if (q && bt->quant.count > 1) {
        if (bt->quant.axis != (transB ? 0 : 1))
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "weights quantized per input feature");
        qaxis = 0;
    }
    if (q)
        for (int32_t i = 0; i < bt->quant.count; i++)
            if (bt->quant.zero_point[i] != 0)
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                               "asymmetric int8 weights (zero point %d); neurio needs symmetric",
                               (int)bt->quant.zero_point[i]);
    size_t esz = q ? 1 : 4;
    unsigned char *w = malloc((size_t)N * (size_t)K * esz);
    if (!w)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    const unsigned char *src = bt->data;
    for (int32_t n = 0; n < N; n++)
        for (int32_t k = 0; k < K; k++) {
            size_t from = transB ? (size_t)n * K + k : (size_t)k * N + n, to = (size_t)n * K + k;
            if (q) {
                w[to] = src[from];
            } else {
                float f;
                memcpy(&f, src + from * 4, 4);
                f *= alpha;
                memcpy(w + to * 4, &f, 4);
            }
        }
    char name[512];
    snprintf(name, sizeof name, "%s_fc", b->name);
    int32_t wd[2] = { N, K };
    int32_t wi = ox_new_const(c, name, q ? NEURIO_DT_INT8 : NEURIO_DT_FLOAT32, 2, wd, w);
    free(w);
    if (wi < 0)
        return NEURIO_ERR_NOMEM;
    bt = &c->m->tensors[b->t];
    if (q && neurio_tensor_set_quant(c->m, wi, bt->quant.count, qaxis, bt->quant.scale,
                                     bt->quant.zero_point))
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    int32_t bi = -1;
    if (cv && q) {
        const neurio_tensor *ct = &c->m->tensors[cv->t];
        if (!ct->data || ct->dtype != NEURIO_DT_INT32 || ct->quant.count < 1 ||
            neurio_tensor_elements(ct) != (size_t)N)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "C of quantized Gemm must be a dequantized int32 constant of %d values",
                           (int)N);
        snprintf(name, sizeof name, "%s_bias", cv->name);
        bi = ox_new_const(c, name, NEURIO_DT_INT32, 1, &N, ct->data);
        ct = &c->m->tensors[cv->t];
        if (bi < 0 || neurio_tensor_set_quant(c->m, bi, ct->quant.count, 0, ct->quant.scale,
                                              ct->quant.zero_point))
            return NEURIO_ERR_NOMEM;
    } else if (cv) {
        size_t nc;
        const float *cf = ox_const_floats(c, cv, &nc);
        const neurio_tensor *ct = &c->m->tensors[cv->t];
        int ok = cf && (nc == 1 || (nc == (size_t)N && ct->dims[ct->rank - 1] == N));
        if (!ok)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "C must be a constant float of shape [N] or [1,N] or a scalar");
        float *bb = malloc((size_t)N * sizeof *bb);
        if (!bb)
            return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
        for (int32_t n = 0; n < N; n++)
            bb[n] = beta * cf[nc == 1 ? 0 : n];
        snprintf(name, sizeof name, "%s_bias", cv->name);
        bi = ox_new_const(c, name, NEURIO_DT_FLOAT32, 1, &N, bb);
        free(bb);
        if (bi < 0)
            return NEURIO_ERR_NOMEM;
    }
    at = &c->m->tensors[ai];
    int32_t od[NEURIO_MAX_RANK];
    memcpy(od, at->dims, sizeof od);
    od[at->rank - 1] = N;
    int32_t ins[3] = { ai, wi, bi };
    int32_t op = ox_emit(c, NEURIO_OP_FULLY_CONNECTED, 3, ins, ox_out_dtype(c, ai), at->rank, od,
                         -1, 0);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.fc.keep_num_dims = c->m->tensors[ai].rank > 2;
    return NEURIO_OK;
}

static int ox_gemm(ox_ctx *c, int matmul)
{
    const ox_value *a = ox_need(c, 0, "A"), *b = ox_need(c, 1, "B");
    const ox_value *cv = matmul ? NULL : ox_input(c, 2);
    if (!a || !b)
        return NEURIO_ERR_FORMAT;
    if (!matmul && ox_attr_int(c, "transA", 0))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Gemm with transA=1");
    int transB = matmul ? 0 : (int)ox_attr_int(c, "transB", 0);
    float alpha = matmul ? 1.0f : ox_attr_float(c, "alpha", 1.0f);
    float beta = matmul ? 1.0f : ox_attr_float(c, "beta", 1.0f);
    if (ox_check_numeric(c, a->t))
        return NEURIO_ERR_UNSUPPORTED;
    int32_t ai = ox_plain(c, a);
    if (ai < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *at = &c->m->tensors[ai], *bt = &c->m->tensors[b->t];
    if (at->rank < 2 || bt->rank < 2 || (!matmul && (at->rank != 2 || bt->rank != 2)))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "operands of rank %d and %d (need >= 2)",
                       (int)at->rank, (int)bt->rank);
    int32_t K = at->dims[at->rank - 1];
    int qb = bt->dtype == NEURIO_DT_INT8 && bt->quant.count >= 1; /* QDQ weights */
    if (bt->data && bt->rank == 2 && (bt->dtype == NEURIO_DT_FLOAT32 || qb))
        return ox_fc(c, b, cv, ai, transB, alpha, beta);
    if (cv || transB || alpha != 1.0f)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Gemm with a non-constant B");
    int32_t bi = ox_plain(c, b);
    if (bi < 0)
        return NEURIO_ERR_UNSUPPORTED;
    at = &c->m->tensors[ai];
    bt = &c->m->tensors[bi];
    if (at->rank != bt->rank || bt->dims[bt->rank - 2] != K)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "MatMul of two activations needs equal ranks and matching K");
    int32_t od[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < at->rank - 2; i++) {
        if (at->dims[i] != bt->dims[i] && at->dims[i] != 1 && bt->dims[i] != 1)
            return ox_fail(c, NEURIO_ERR_INVALID, "MatMul batch dims %d and %d do not broadcast",
                           (int)at->dims[i], (int)bt->dims[i]);
        od[i] = at->dims[i] == 1 ? bt->dims[i] : at->dims[i];
    }
    od[at->rank - 2] = at->dims[at->rank - 2];
    od[at->rank - 1] = bt->dims[bt->rank - 1];
    int32_t ins[2] = { ai, bi };
    if (ox_emit(c, NEURIO_OP_BATCH_MATMUL, 2, ins, ox_out_dtype(c, ai), at->rank, od, -1, 0) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

static int ox_clip(ox_ctx *c)
{
    float lo = -INFINITY, hi = INFINITY;
    if (c->opset >= 11) {
        for (int i = 1; i <= 2; i++) {
            const ox_value *v = ox_input(c, i);
            if (!v)
                continue;
            size_t n;
            const float *f = ox_const_floats(c, v, &n);
            if (!f || n != 1)
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Clip bounds must be float constants");
            if (i == 1)
                lo = f[0];
            else
                hi = f[0];
        }
    } else {
        lo = ox_attr_float(c, "min", -INFINITY);
        hi = ox_attr_float(c, "max", INFINITY);
    }
    neurio_op_kind k = NEURIO_OP_CLIP;
    if (lo == 0.0f && hi == INFINITY)
        k = NEURIO_OP_RELU;
    else if (lo == 0.0f && hi == 6.0f)
        k = NEURIO_OP_RELU6;
    int32_t op;
    int rc = ox_unary(c, k, &op);
    if (rc == NEURIO_OK && k == NEURIO_OP_CLIP) {
        c->m->ops[op].attr.clip.min = lo;
        c->m->ops[op].attr.clip.max = hi;
    }
    return rc;
}

typedef struct ox_entry {
    const char *op_type;
    int (*fn)(ox_ctx *c, int arg);
    int arg;
    int optional_y; /* output 0 may be absent (LSTM/GRU: only Y_h used) */
} ox_entry;

static int ox_e_conv(ox_ctx *c, int a) { (void)a; return ox_conv(c); }
static int ox_e_gemm(ox_ctx *c, int a) { return ox_gemm(c, a); }
static int ox_e_binary(ox_ctx *c, int a) { return ox_binary(c, (neurio_op_kind)a); }
static int ox_e_unary(ox_ctx *c, int a) { return ox_unary(c, (neurio_op_kind)a, NULL); }
static int ox_e_clip(ox_ctx *c, int a) { (void)a; return ox_clip(c); }
static int ox_e_pool(ox_ctx *c, int a) { return ox_pool(c, a & 1 ? NEURIO_OP_MAX_POOL_2D : NEURIO_OP_AVERAGE_POOL_2D, a >> 1); }
static int ox_e_softmax(ox_ctx *c, int a) { return ox_softmax(c, a ? (neurio_op_kind)a : NEURIO_OP_SOFTMAX); }
static int ox_e_flatten(ox_ctx *c, int a) { (void)a; return ox_flatten(c); }
static int ox_e_reshape(ox_ctx *c, int a) { (void)a; return ox_reshape(c); }
static int ox_e_squeeze(ox_ctx *c, int a) { return ox_squeeze(c, a); }
static int ox_e_transpose(ox_ctx *c, int a) { (void)a; return ox_transpose(c); }
static int ox_e_concat(ox_ctx *c, int a) { (void)a; return ox_concat(c); }
static int ox_e_pad(ox_ctx *c, int a) { (void)a; return ox_pad(c); }
static int ox_e_bn(ox_ctx *c, int a) { (void)a; return ox_batchnorm(c); }
static int ox_e_constant(ox_ctx *c, int a) { (void)a; return ox_constant(c); }
static int ox_e_qdq(ox_ctx *c, int a) { return ox_qdq(c, a); }
static int ox_e_alias(ox_ctx *c, int a) { (void)a; return ox_alias(c); }
/* Shape arithmetic that ox_fold() could not evaluate at import time. */
static int ox_e_shape_only(ox_ctx *c, int a)
{
    (void)a;
    return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                   "supported only on constant inputs (shape arithmetic evaluated at import); "
                   "here it would compute on run-time data");
}

/* The supported operators (default domain). */
static const ox_entry ox_table[] = {
    { "Conv", ox_e_conv, 0, 0 },
    { "Gemm", ox_e_gemm, 0, 0 },
    { "MatMul", ox_e_gemm, 1, 0 },
    { "Add", ox_e_binary, NEURIO_OP_ADD, 0 },
    { "Sub", ox_e_binary, NEURIO_OP_SUB, 0 },
    { "Mul", ox_e_binary, NEURIO_OP_MUL, 0 },
    { "Div", ox_e_binary, NEURIO_OP_MUL, 0 },
    { "Relu", ox_e_unary, NEURIO_OP_RELU, 0 },
    { "Sigmoid", ox_e_unary, NEURIO_OP_LOGISTIC, 0 },
    { "Tanh", ox_e_unary, NEURIO_OP_TANH, 0 },
    { "Clip", ox_e_clip, 0, 0 },
    { "MaxPool", ox_e_pool, 1, 0 },
    { "AveragePool", ox_e_pool, 0, 0 },
    { "GlobalAveragePool", ox_e_pool, 2, 0 },
    { "GlobalMaxPool", ox_e_pool, 3, 0 },
    { "Softmax", ox_e_softmax, 0, 0 },
    { "Flatten", ox_e_flatten, 0, 0 },
    { "Reshape", ox_e_reshape, 0, 0 },
    { "Squeeze", ox_e_squeeze, 0, 0 },
    { "Unsqueeze", ox_e_squeeze, 1, 0 },
    { "Transpose", ox_e_transpose, 0, 0 },
    { "Concat", ox_e_concat, 0, 0 },
    { "Pad", ox_e_pad, 0, 0 },
    { "BatchNormalization", ox_e_bn, 0, 0 },
    { "Constant", ox_e_constant, 0, 0 },
    { "QuantizeLinear", ox_e_qdq, 0, 0 },
    { "DequantizeLinear", ox_e_qdq, 1, 0 },
    { "Identity", ox_e_alias, 0, 0 },
    { "Dropout", ox_e_alias, 0, 0 },
    { "Abs", ox_unary_any, NEURIO_OP_ABS, 0 },
    { "Neg", ox_unary_any, NEURIO_OP_NEG, 0 },
    { "Sqrt", ox_unary_any, NEURIO_OP_SQRT, 0 },
    { "Exp", ox_unary_any, NEURIO_OP_EXP, 0 },
    { "Log", ox_unary_any, NEURIO_OP_LOG, 0 },
    { "Not", ox_unary_any, NEURIO_OP_LOGICAL_NOT, 0 },
    { "HardSwish", ox_unary_any, NEURIO_OP_HARD_SWISH, 0 },
    { "Reciprocal", ox_reciprocal, 0, 0 },
    { "Max", ox_variadic, NEURIO_OP_MAXIMUM, 0 },
    { "Min", ox_variadic, NEURIO_OP_MINIMUM, 0 },
    { "Sum", ox_variadic, NEURIO_OP_ADD, 0 },
    { "Mean", ox_variadic, NEURIO_OP_ADD, 0 },
    { "Equal", ox_e_binary, NEURIO_OP_EQUAL, 0 },
    { "Less", ox_e_binary, NEURIO_OP_LESS, 0 },
    { "LessOrEqual", ox_e_binary, NEURIO_OP_LESS_EQUAL, 0 },
    { "Greater", ox_e_binary, NEURIO_OP_GREATER, 0 },
    { "GreaterOrEqual", ox_e_binary, NEURIO_OP_GREATER_EQUAL, 0 },
    { "And", ox_e_binary, NEURIO_OP_LOGICAL_AND, 0 },
    { "Or", ox_e_binary, NEURIO_OP_LOGICAL_OR, 0 },
    { "PRelu", ox_e_binary, NEURIO_OP_PRELU, 0 },
    { "LeakyRelu", ox_leaky_relu, 0, 0 },
    { "HardSigmoid", ox_hard_sigmoid, 0, 0 },
    { "Where", ox_where, 0, 0 },
    { "Cast", ox_cast, 0, 0 },
    { "Expand", ox_expand, 0, 0 },
    { "ReduceMean", ox_reduce, NEURIO_OP_MEAN, 0 },
    { "ReduceSum", ox_reduce, NEURIO_OP_SUM, 0 },
    { "ReduceMax", ox_reduce, NEURIO_OP_REDUCE_MAX, 0 },
    { "ReduceMin", ox_reduce, NEURIO_OP_REDUCE_MIN, 0 },
    { "LayerNormalization", ox_layer_norm, 0, 0 },
    { "Gather", ox_gather, 0, 0 },
    { "Split", ox_split, 0, 0 },
    { "Slice", ox_slice, 0, 0 },
    { "DepthToSpace", ox_space_depth, 1, 0 },
    { "SpaceToDepth", ox_space_depth, 0, 0 },
    { "LogSoftmax", ox_e_softmax, NEURIO_OP_LOG_SOFTMAX, 0 },
    { "ReduceSumSquare", ox_reduce_composite, 0, 0 },
    { "ReduceL1", ox_reduce_composite, 1, 0 },
    { "ReduceL2", ox_reduce_composite, 2, 0 },
    { "ReduceLogSum", ox_reduce_composite, 3, 0 },
    { "ReduceLogSumExp", ox_reduce_composite, 4, 0 },
    { "Xor", ox_xor, 0, 0 },
    { "ConvTranspose", ox_conv_transpose, 0, 0 },
    { "RNN", ox_rnn, 0, 1 },
    { "GRU", ox_rnn, 1, 1 },
    { "LSTM", ox_rnn, 2, 1 },
    { "Resize", ox_resize, 0, 0 },
    { "Upsample", ox_resize, 1, 0 },
    { "ThresholdedRelu", ox_activation, 0, 0 },
    { "Softsign", ox_activation, 1, 0 },
    { "Softplus", ox_activation, 2, 0 },
    { "Elu", ox_activation, 3, 0 },
    { "Selu", ox_activation, 4, 0 },
    { "Shape", ox_e_shape_only, 0, 0 },
    { "Size", ox_e_shape_only, 0, 0 },
    { "ConstantOfShape", ox_e_shape_only, 0, 0 },
};

static const ox_entry *ox_lookup_op(const char *op_type)
{
    for (size_t i = 0; i < sizeof ox_table / sizeof ox_table[0]; i++)
        if (!strcmp(ox_table[i].op_type, op_type))
            return &ox_table[i];
    return NULL;
}

int neurio_onnx_op_supported(const char *op_type)
{
    return op_type && ox_lookup_op(op_type) != NULL;
}

int ox_convert_node(ox_ctx *c)
{
    const Onnx__NodeProto *n = c->node;
    if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx"))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "operator domain '%s' is not supported", n->domain);
    if (n->n_output >= 1 && n->output[0] && *n->output[0]) {
        int f = ox_fold(c);
        if (f != 0)
            return f > 0 ? NEURIO_OK : f;
    }
    const ox_entry *e = ox_lookup_op(n->op_type);
    if (e && (n->n_output < 1 || !n->output[0] || !*n->output[0]) && !e->optional_y)
        return ox_fail(c, NEURIO_ERR_FORMAT, "node has no output");
    if (e)
        return e->fn(c, e->arg);
    char list[600];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < sizeof ox_table / sizeof ox_table[0] && len < sizeof list - 32; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                ox_table[i].op_type);
    return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                   "operator '%s' is not supported by neurio's ONNX importer (supported: %s)",
                   n->op_type, list);
}
