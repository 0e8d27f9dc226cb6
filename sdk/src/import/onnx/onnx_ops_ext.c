/* sdk/src/import/onnx/onnx_ops_ext.c — ONNX operators onto the extended IR
 * operator set (issue 13): unary math (Abs, Neg, Sqrt, Exp, Log,
 * Reciprocal, Not), variadic Max/Min/Sum/Mean, Where, the reductions,
 * Cast, Expand, activations (LeakyRelu, HardSigmoid, HardSwish) and
 * LayerNormalization decomposed into MEAN/SUB/MUL/ADD/SQRT/DIV.  Shape
 * movers (Gather, Split, Slice, DepthToSpace, Resize, ...) are in
 * onnx_ops_move.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

int ox_with_io(ox_ctx *c, int (*fn)(ox_ctx *, int), int arg, const char *i0, const char *i1,
               const char *out)
{
    const Onnx__NodeProto *saved = c->node;
    Onnx__NodeProto tmp = *saved;
    char *ins[2] = { (char *)i0, (char *)i1 };
    char *outs[1] = { (char *)out };
    tmp.input = ins;
    tmp.n_input = i1 ? 2 : 1;
    tmp.output = outs;
    tmp.n_output = 1;
    c->node = &tmp;
    int rc = fn(c, arg);
    c->node = saved;
    return rc;
}

const char *ox_tmp_name(ox_ctx *c, const char *tag, char *buf, size_t cap)
{
    const char *o = c->node->n_output && c->node->output[0] && *c->node->output[0]
                        ? c->node->output[0] : "node";
    snprintf(buf, cap, "%s\x02%s%d", o, tag, (int)c->node_index);
    return buf;
}

const char *ox_scalar(ox_ctx *c, neurio_dtype dt, double v, char *buf, size_t cap)
{
    char tag[64];
    snprintf(tag, sizeof tag, "k%s%.9g_", neurio_dtype_name(dt), v);
    ox_tmp_name(c, tag, buf, cap);
    if (ox_find(c, buf))
        return buf;
    int32_t one = 1;
    float f = (float)v;
    int32_t i = (int32_t)v;
    int32_t t = ox_new_const(c, buf, dt, 1, &one, dt == NEURIO_DT_FLOAT32 ? (const void *)&f
                                                                           : (const void *)&i);
    if (t < 0 || ox_bind(c, buf, t, 0))
        return NULL;
    return buf;
}

static int ox_e_bin(ox_ctx *c, int k)
{
    return ox_binary(c, (neurio_op_kind)k);
}

/* Unary op keeping shape, layout and quantization; any dtype (the lowering
 * says which have kernels). */
int ox_unary_any(ox_ctx *c, int k)
{
    const ox_value *x = ox_need(c, 0, "X");
    if (!x)
        return NEURIO_ERR_FORMAT;
    const neurio_tensor *t = &c->m->tensors[x->t];
    if ((t->dtype == NEURIO_DT_INT8 || t->dtype == NEURIO_DT_UINT8 ||
         t->dtype == NEURIO_DT_INT16) && t->quant.count == 0)
        return ox_check_numeric(c, x->t);
    if (t->dtype == NEURIO_DT_INT64)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "int64 arithmetic on '%s' (no int64 kernels)",
                       t->name);
    int32_t dims[NEURIO_MAX_RANK], in = x->t, nhwc = x->nhwc;
    memcpy(dims, t->dims, sizeof dims);
    if (ox_emit(c, (neurio_op_kind)k, 1, &in, t->dtype, t->rank, dims, in, nhwc) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

/* Reciprocal: DIV(1, x). */
int ox_reciprocal(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "X");
    char one[600];
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (!ox_scalar(c, c->m->tensors[x->t].dtype, 1.0, one, sizeof one))
        return NEURIO_ERR_NOMEM;
    return ox_with_io(c, ox_e_bin, NEURIO_OP_DIV, one, x->name, c->node->output[0]);
}

/* Max, Min, Sum, Mean of 1..n inputs: a chain of binary ops (Mean: then
 * DIV by n). */
int ox_variadic(ox_ctx *c, int k)
{
    size_t n = c->node->n_input;
    int mean = !strcmp(c->node->op_type, "Mean");
    if (n < 1 || !ox_need(c, 0, "data_0"))
        return NEURIO_ERR_FORMAT;
    if (n == 1 && !mean)
        return ox_with_io(c, ox_unary_any, NEURIO_OP_RESHAPE, c->node->input[0], NULL,
                          c->node->output[0]);
    char acc[600], next[600], tag[32];
    snprintf(acc, sizeof acc, "%s", c->node->input[0]);
    for (size_t i = 1; i < n; i++) {
        int last = i + 1 == n && !mean;
        snprintf(tag, sizeof tag, "v%zu_", i);
        if (last)
            snprintf(next, sizeof next, "%s", c->node->output[0]);
        else
            ox_tmp_name(c, tag, next, sizeof next);
        int rc = ox_with_io(c, ox_e_bin, k, acc, c->node->input[i], next);
        if (rc)
            return rc;
        memcpy(acc, next, sizeof acc);
    }
    if (!mean)
        return NEURIO_OK;
    const ox_value *v = ox_find(c, acc);
    char nn[600];
    if (!v || !ox_scalar(c, c->m->tensors[v->t].dtype, (double)n, nn, sizeof nn))
        return NEURIO_ERR_NOMEM;
    return ox_with_io(c, ox_e_bin, NEURIO_OP_DIV, acc, nn, c->node->output[0]);
}

/* LeakyRelu: PRELU with a constant slope. */
int ox_leaky_relu(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "X");
    char al[600];
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "LeakyRelu on %s (float32 only)",
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    if (!ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "alpha", 0.01f), al, sizeof al))
        return NEURIO_ERR_NOMEM;
    return ox_with_io(c, ox_e_bin, NEURIO_OP_PRELU, x->name, al, c->node->output[0]);
}

/* out = x * alpha + beta clipped to [0, 1] (HardSigmoid), times x for
 * HardSwish-by-definition is not needed: HardSwish has its own op. */
int ox_hard_sigmoid(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "X");
    char al[600], be[600], t1[600], t2[600];
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "HardSigmoid on %s (float32 only)",
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    if (!ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "alpha", 0.2f), al, sizeof al) ||
        !ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "beta", 0.5f), be, sizeof be))
        return NEURIO_ERR_NOMEM;
    ox_tmp_name(c, "hs1_", t1, sizeof t1);
    ox_tmp_name(c, "hs2_", t2, sizeof t2);
    int rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, x->name, al, t1);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_ADD, t1, be, t2);
    if (!rc)
        rc = ox_with_io(c, ox_unary_any, NEURIO_OP_CLIP, t2, NULL, c->node->output[0]);
    if (rc)
        return rc;
    const ox_value *y = ox_find(c, c->node->output[0]);
    neurio_op *op = &c->m->ops[c->m->tensors[y->t].producer];
    op->attr.clip.min = 0.0f;
    op->attr.clip.max = 1.0f;
    return NEURIO_OK;
}

/* ONNX TensorProto data type -> IR dtype (UNKNOWN when none). */
static neurio_dtype ox_cast_to(int64_t t)
{
    switch (t) {
    case 1: return NEURIO_DT_FLOAT32;
    case 2: return NEURIO_DT_UINT8;
    case 3: return NEURIO_DT_INT8;
    case 5: return NEURIO_DT_INT16;
    case 6: return NEURIO_DT_INT32;
    case 9: return NEURIO_DT_BOOL;
    default: return NEURIO_DT_UNKNOWN;
    }
}

int ox_cast(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "input");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int64_t to = ox_attr_int(c, "to", 0);
    neurio_dtype dt = ox_cast_to(to);
    const neurio_tensor *t = &c->m->tensors[x->t];
    if (dt == NEURIO_DT_UNKNOWN || t->dtype == NEURIO_DT_INT64)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "cast from %s to ONNX type %lld (neurio casts between float32, int8, "
                       "uint8, int16, int32 and bool)", neurio_dtype_name(t->dtype), (long long)to);
    if (dt == t->dtype)
        return ox_bind(c, c->node->output[0], x->t, x->nhwc);
    if (t->quant.count)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "cast of the quantized tensor '%s'", t->name);
    int32_t dims[NEURIO_MAX_RANK], in = x->t, nhwc = x->nhwc;
    memcpy(dims, t->dims, sizeof dims);
    if (ox_emit(c, NEURIO_OP_CAST, 1, &in, dt, t->rank, dims, -1, nhwc) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

/* Expand: x * ones(shape) (bit-exact for float and int32). */
int ox_expand(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "input"), *s = ox_need(c, 1, "shape");
    if (!x || !s)
        return NEURIO_ERR_FORMAT;
    int64_t shp[NEURIO_MAX_RANK];
    int32_t n = ox_const_ints(c, s, shp, NEURIO_MAX_RANK), dims[NEURIO_MAX_RANK];
    if (n < 0)
        return NEURIO_ERR_UNSUPPORTED;
    size_t total = 1;
    for (int32_t i = 0; i < n; i++) {
        if (shp[i] < 1 || shp[i] > 65536)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "shape[%d] = %lld", (int)i, (long long)shp[i]);
        dims[i] = (int32_t)shp[i];
        total *= (size_t)dims[i];
    }
    neurio_dtype dt = c->m->tensors[x->t].dtype;
    if (n == 0 || total > (1u << 20) || (dt != NEURIO_DT_FLOAT32 && dt != NEURIO_DT_INT32))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Expand of %s to %d dims (float32/int32, "
                       "rank >= 1)", neurio_dtype_name(dt), (int)n);
    void *ones = malloc(total * 4);
    if (!ones)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < total; i++) {
        if (dt == NEURIO_DT_FLOAT32)
            ((float *)ones)[i] = 1.0f;
        else
            ((int32_t *)ones)[i] = 1;
    }
    char nm[600];
    ox_tmp_name(c, "ones_", nm, sizeof nm);
    int32_t t = ox_new_const(c, nm, dt, n, dims, ones);
    free(ones);
    if (t < 0 || ox_bind(c, nm, t, 0))
        return NEURIO_ERR_NOMEM;
    return ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, x->name, nm, c->node->output[0]);
}

/* Axes of a reduction (attribute, or input 1 from opset 13 for ReduceSum /
 * 18 for the others) as a mask over rank r; *all when none given. */
static int ox_reduce_axes(ox_ctx *c, int32_t r, int *mask, int *none)
{
    int64_t ax[NEURIO_MAX_RANK * 2];
    int32_t n = -1;
    const ox_value *av = ox_input(c, 1);
    if (av) {
        n = ox_const_ints(c, av, ax, NEURIO_MAX_RANK * 2);
        if (n < 0)
            return NEURIO_ERR_UNSUPPORTED;
    } else {
        n = ox_attr_ints(c, "axes", ax, NEURIO_MAX_RANK * 2);
    }
    *none = n <= 0;
    for (int32_t i = 0; i < r; i++)
        mask[i] = *none;
    for (int32_t i = 0; i < n; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + r : ax[i];
        if (a < 0 || a >= r)
            return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range for rank %d",
                           (long long)ax[i], (int)r);
        mask[a] = 1;
    }
    return NEURIO_OK;
}

/* ReduceMean/Sum/Max/Min onto MEAN/SUM/REDUCE_MAX/REDUCE_MIN (plain layout). */
int ox_reduce(ox_ctx *c, int k)
{
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (ox_check_numeric(c, x->t))
        return NEURIO_ERR_UNSUPPORTED;
    int32_t in = ox_plain(c, x);
    if (in < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    int32_t r = t->rank, mask[NEURIO_MAX_RANK] = { 0 };
    int none, rc;
    if ((rc = ox_reduce_axes(c, r, mask, &none)))
        return rc;
    int keep = (int)ox_attr_int(c, "keepdims", 1);
    if (none && ox_attr_int(c, "noop_with_empty_axes", 0))
        return ox_with_io(c, ox_unary_any, NEURIO_OP_RESHAPE, x->name, NULL, c->node->output[0]);
    int32_t od[NEURIO_MAX_RANK], orank = 0, n_axes = 0, axes[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < r; i++) {
        if (mask[i])
            axes[n_axes++] = i;
        if (!mask[i] || keep)
            od[orank++] = mask[i] ? 1 : t->dims[i];
    }
    if (orank == 0) { /* all reduced without keepdims: a scalar, held as [1] */
        od[0] = 1;
        orank = 1;
    }
    int32_t op = ox_emit(c, (neurio_op_kind)k, 1, &in, ox_out_dtype(c, in), orank, od, in, 0);
    if (op < 0)
        return NEURIO_ERR_NOMEM;
    c->m->ops[op].attr.mean.keep_dims = keep;
    c->m->ops[op].attr.mean.n_axes = n_axes;
    memcpy(c->m->ops[op].attr.mean.axes, axes, sizeof(int32_t) * (size_t)n_axes);
    return NEURIO_OK;
}

/* LayerNormalization as TFLite-free arithmetic, following the ONNX
 * definition: mean, d = x - mean, var = mean(d * d), inv = 1 / sqrt(var +
 * eps), y = d * inv * scale + bias; outputs Mean and InvStdDev when used. */
int ox_layer_norm(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "X"), *w = ox_need(c, 1, "Scale");
    const ox_value *b = ox_input(c, 2);
    if (!x || !w)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_FLOAT32 || ox_attr_int(c, "stash_type", 1) != 1)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "LayerNormalization on %s (float32 only)",
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    int32_t xr = c->m->tensors[x->t].rank;
    int64_t axis = ox_attr_int(c, "axis", -1);
    if (axis < 0)
        axis += xr;
    if (axis < 0 || axis >= xr)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis %lld out of range", (long long)axis);
    /* axes input for the reductions: axis..r-1 */
    int64_t ax[NEURIO_MAX_RANK];
    int32_t na = 0;
    for (int64_t i = axis; i < xr; i++)
        ax[na++] = i;
    char axn[600], mean[600], d[600], sq[600], var[600], ve[600], sd[600], inv[600], y1[600];
    char y2[600], eps[600], one[600];
    ox_tmp_name(c, "axes_", axn, sizeof axn);
    int32_t t = ox_new_const(c, axn, NEURIO_DT_INT64, 1, &na, ax);
    if (t < 0 || ox_bind(c, axn, t, 0))
        return NEURIO_ERR_NOMEM;
    const char *o_mean = c->node->n_output > 1 && *c->node->output[1] ? c->node->output[1]
                                                                       : ox_tmp_name(c, "mean_", mean, sizeof mean);
    const char *o_inv = c->node->n_output > 2 && *c->node->output[2] ? c->node->output[2]
                                                                      : ox_tmp_name(c, "inv_", inv, sizeof inv);
    ox_tmp_name(c, "d_", d, sizeof d);
    ox_tmp_name(c, "sq_", sq, sizeof sq);
    ox_tmp_name(c, "var_", var, sizeof var);
    ox_tmp_name(c, "ve_", ve, sizeof ve);
    ox_tmp_name(c, "sd_", sd, sizeof sd);
    ox_tmp_name(c, "y1_", y1, sizeof y1);
    ox_tmp_name(c, "y2_", y2, sizeof y2);
    if (!ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "epsilon", 1e-5f), eps, sizeof eps) ||
        !ox_scalar(c, NEURIO_DT_FLOAT32, 1.0, one, sizeof one))
        return NEURIO_ERR_NOMEM;
    /* the reductions read the axes from input 1 and keep dims (default) */
    int rc = ox_with_io(c, ox_reduce, NEURIO_OP_MEAN, x->name, axn, o_mean);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_SUB, x->name, o_mean, d);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, d, d, sq);
    if (!rc)
        rc = ox_with_io(c, ox_reduce, NEURIO_OP_MEAN, sq, axn, var);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_ADD, var, eps, ve);
    if (!rc)
        rc = ox_with_io(c, ox_unary_any, NEURIO_OP_SQRT, ve, NULL, sd);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_DIV, one, sd, o_inv);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, d, o_inv, y1);
    if (!rc)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, y1, w->name, b ? y2 : c->node->output[0]);
    if (!rc && b)
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_ADD, y2, b->name, c->node->output[0]);
    return rc;
}

/* Where(cond, x, y) onto SELECT, all operands in plain layout at the
 * output's rank (lower ranks left-padded with 1s). */
int ox_where(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *v[3] = { ox_need(c, 0, "condition"), ox_need(c, 1, "X"), ox_need(c, 2, "Y") };
    if (!v[0] || !v[1] || !v[2])
        return NEURIO_ERR_FORMAT;
    int32_t t[3], rank = 0, od[NEURIO_MAX_RANK];
    for (int i = 0; i < 3; i++) {
        if ((t[i] = ox_plain(c, v[i])) < 0)
            return NEURIO_ERR_UNSUPPORTED;
        if (c->m->tensors[t[i]].rank > rank)
            rank = c->m->tensors[t[i]].rank;
    }
    if (c->m->tensors[t[0]].dtype != NEURIO_DT_BOOL)
        return ox_fail(c, NEURIO_ERR_INVALID, "condition is not bool");
    for (int32_t d = 0; d < rank; d++)
        od[d] = 1;
    for (int i = 0; i < 3; i++) {
        const neurio_tensor *tt = &c->m->tensors[t[i]];
        int32_t pre = rank - tt->rank, dd[NEURIO_MAX_RANK];
        for (int32_t d = 0; d < rank; d++) {
            dd[d] = d < pre ? 1 : tt->dims[d - pre];
            if (dd[d] != 1 && od[d] != 1 && dd[d] != od[d])
                return ox_fail(c, NEURIO_ERR_INVALID, "shapes do not broadcast at axis %d", (int)d);
            if (dd[d] != 1)
                od[d] = dd[d];
        }
        if (pre) {
            char nm[600];
            snprintf(nm, sizeof nm, "%s_r%d", tt->name, (int)rank);
            int32_t nt = neurio_model_add_tensor(c->m, nm, tt->dtype, rank, dd);
            if (nt < 0)
                return NEURIO_ERR_NOMEM;
            if (c->m->tensors[t[i]].data) {
                if (neurio_tensor_set_data(c->m, nt, c->m->tensors[t[i]].data,
                                           neurio_tensor_bytes(&c->m->tensors[t[i]])))
                    return NEURIO_ERR_NOMEM;
            } else if (ox_add_op(c, NEURIO_OP_RESHAPE, 1, &t[i], 1, &nt) < 0) {
                return NEURIO_ERR_NOMEM;
            }
            ox_copy_quant(c, nt, t[i]);
            t[i] = nt;
        }
    }
    if (c->m->tensors[t[1]].dtype != c->m->tensors[t[2]].dtype)
        return ox_fail(c, NEURIO_ERR_INVALID, "X and Y dtypes differ");
    if (ox_emit(c, NEURIO_OP_SELECT, 3, t, c->m->tensors[t[1]].dtype, rank, od, t[1], 0) < 0)
        return NEURIO_ERR_NOMEM;
    return NEURIO_OK;
}

/* ReduceSumSquare (SUM of x*x), ReduceL1 (SUM of |x|), ReduceL2 (SQRT of
 * the sum of squares), ReduceLogSum (LOG of SUM), ReduceLogSumExp (LOG of
 * the SUM of EXP): the ONNX definitions, step by step. */
int ox_reduce_composite(ox_ctx *c, int kind)
{
    const ox_value *x = ox_need(c, 0, "data");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%s on %s (float32 only)", c->node->op_type,
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    const char *axes = c->node->n_input > 1 && c->node->input[1] && *c->node->input[1]
                           ? c->node->input[1] : NULL;
    char pre[600], sum[600];
    ox_tmp_name(c, "pre_", pre, sizeof pre);
    ox_tmp_name(c, "sum_", sum, sizeof sum);
    int post = kind >= 2; /* L2, LogSum, LogSumExp apply a function after the sum */
    int rc;
    switch (kind) {
    case 0: case 2: rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, x->name, x->name, pre); break;
    case 1: rc = ox_with_io(c, ox_unary_any, NEURIO_OP_ABS, x->name, NULL, pre); break;
    case 4: rc = ox_with_io(c, ox_unary_any, NEURIO_OP_EXP, x->name, NULL, pre); break;
    default: rc = NEURIO_OK; snprintf(pre, sizeof pre, "%s", x->name); break;
    }
    if (!rc)
        rc = ox_with_io(c, ox_reduce, NEURIO_OP_SUM, pre, axes, post ? sum : c->node->output[0]);
    if (!rc && post)
        rc = ox_with_io(c, ox_unary_any, kind == 2 ? NEURIO_OP_SQRT : NEURIO_OP_LOG, sum, NULL,
                        c->node->output[0]);
    return rc;
}

/* Xor of bools: NOT_EQUAL. */
int ox_xor(ox_ctx *c, int a)
{
    (void)a;
    const ox_value *x = ox_need(c, 0, "A"), *y = ox_need(c, 1, "B");
    if (!x || !y)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_BOOL)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "Xor of %s (bool only)",
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    return ox_binary(c, NEURIO_OP_NOT_EQUAL);
}

/* Float activations from their ONNX definitions: ThresholdedRelu (x > alpha
 * ? x : 0), Softsign (x / (1 + |x|)), Softplus (log(exp(x) + 1)), Elu
 * (x < 0 ? alpha * (exp(x) - 1) : x), Selu (gamma * Elu with alpha). */
int ox_activation(ox_ctx *c, int kind)
{
    const ox_value *x = ox_need(c, 0, "X");
    if (!x)
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[x->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "%s on %s (float32 only)", c->node->op_type,
                       neurio_dtype_name(c->m->tensors[x->t].dtype));
    char k0[600], k1[600], k2[600], t1[600], t2[600], t3[600], t4[600];
    const char *y = c->node->output[0];
    ox_tmp_name(c, "a1_", t1, sizeof t1);
    ox_tmp_name(c, "a2_", t2, sizeof t2);
    ox_tmp_name(c, "a3_", t3, sizeof t3);
    ox_tmp_name(c, "a4_", t4, sizeof t4);
    if (!ox_scalar(c, NEURIO_DT_FLOAT32, 0.0, k0, sizeof k0) ||
        !ox_scalar(c, NEURIO_DT_FLOAT32, 1.0, k1, sizeof k1))
        return NEURIO_ERR_NOMEM;
    int rc;
    switch (kind) {
    case 0: /* ThresholdedRelu */
        if (!ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "alpha", 1.0f), k2, sizeof k2))
            return NEURIO_ERR_NOMEM;
        rc = ox_with_io(c, ox_e_bin, NEURIO_OP_GREATER, x->name, k2, t1);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, x->name, k0, t2); /* zeros like x */
        if (rc)
            return rc;
        {
            const Onnx__NodeProto *saved = c->node;
            Onnx__NodeProto tmp = *saved;
            char *ins[3] = { t1, (char *)x->name, t2 };
            char *outs[1] = { (char *)y };
            tmp.input = ins;
            tmp.n_input = 3;
            tmp.output = outs;
            tmp.n_output = 1;
            c->node = &tmp;
            rc = ox_where(c, 0);
            c->node = saved;
        }
        return rc;
    case 1: /* Softsign */
        rc = ox_with_io(c, ox_unary_any, NEURIO_OP_ABS, x->name, NULL, t1);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_ADD, t1, k1, t2);
        return rc ? rc : ox_with_io(c, ox_e_bin, NEURIO_OP_DIV, x->name, t2, y);
    case 2: /* Softplus */
        rc = ox_with_io(c, ox_unary_any, NEURIO_OP_EXP, x->name, NULL, t1);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_ADD, t1, k1, t2);
        return rc ? rc : ox_with_io(c, ox_unary_any, NEURIO_OP_LOG, t2, NULL, y);
    default: { /* Elu (3), Selu (4): max(x,0) + min(alpha * (exp(x) - 1), 0) */
        int selu = kind == 4;
        float alpha = ox_attr_float(c, "alpha", selu ? 1.67326319217681884765625f : 1.0f);
        char tg[600], t5[600], t6[600];
        if (!ox_scalar(c, NEURIO_DT_FLOAT32, alpha, k2, sizeof k2))
            return NEURIO_ERR_NOMEM;
        ox_tmp_name(c, "a5_", t5, sizeof t5);
        ox_tmp_name(c, "a6_", t6, sizeof t6);
        rc = ox_with_io(c, ox_unary_any, NEURIO_OP_EXP, x->name, NULL, t1);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_SUB, t1, k1, t2);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, t2, k2, t3);
        if (!rc)
            rc = ox_with_io(c, ox_e_bin, NEURIO_OP_LESS, x->name, k0, t4);
        if (!rc) {
            const Onnx__NodeProto *saved = c->node;
            Onnx__NodeProto tmp = *saved;
            char *ins[3] = { t4, t3, (char *)x->name };
            char *outs[1] = { selu ? t5 : (char *)y };
            tmp.input = ins;
            tmp.n_input = 3;
            tmp.output = outs;
            tmp.n_output = 1;
            c->node = &tmp;
            rc = ox_where(c, 0);
            c->node = saved;
        }
        if (rc || !selu)
            return rc;
        if (!ox_scalar(c, NEURIO_DT_FLOAT32, ox_attr_float(c, "gamma", 1.05070102214813232421875f),
                       tg, sizeof tg))
            return NEURIO_ERR_NOMEM;
        (void)t6;
        return ox_with_io(c, ox_e_bin, NEURIO_OP_MUL, t5, tg, y);
    }
    }
}

/* Softmax / LogSoftmax (onnx_ops.c's table): the channel axis of NHWC
 * data or the innermost axis directly, opset < 13 as ONNX's 2-D coercion,
 * any other axis through ox_softmax_perm. */
/* Softmax over a middle axis (opset >= 13): TRANSPOSE the axis last, the
 * op, TRANSPOSE back (plain layout). */
static int ox_softmax_perm(ox_ctx *c, neurio_op_kind k, int32_t axis)
{
    const ox_value *x = ox_need(c, 0, "input");
    int32_t in = x ? ox_plain(c, x) : -1;
    if (in < 0)
        return NEURIO_ERR_UNSUPPORTED;
    const neurio_tensor *t = &c->m->tensors[in];
    int32_t r = t->rank, perm[NEURIO_MAX_RANK] = { 0 }, d1[NEURIO_MAX_RANK], od[NEURIO_MAX_RANK];
    if (axis < 0 || axis >= r)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis out of range");
    for (int32_t i = 0; i < r; i++)
        perm[i] = i;
    perm[axis] = r - 1;
    perm[r - 1] = axis;
    for (int32_t i = 0; i < r; i++) {
        d1[i] = t->dims[perm[i]];
        od[i] = t->dims[i];
    }
    char n1[600], n2[600];
    ox_tmp_name(c, "smt_", n1, sizeof n1);
    ox_tmp_name(c, "sm_", n2, sizeof n2);
    neurio_dtype dt = t->dtype;
    int32_t t1 = neurio_model_add_tensor(c->m, n1, dt, r, d1);
    int32_t t2 = neurio_model_add_tensor(c->m, n2, dt, r, d1);
    int32_t out = ox_new_output(c, 0, dt, r, od);
    int32_t o1, o2, o3;
    if (t1 < 0 || t2 < 0 || out < 0 || (o1 = ox_add_op(c, NEURIO_OP_TRANSPOSE, 1, &in, 1, &t1)) < 0 ||
        (o2 = ox_add_op(c, k, 1, &t1, 1, &t2)) < 0 ||
        (o3 = ox_add_op(c, NEURIO_OP_TRANSPOSE, 1, &t2, 1, &out)) < 0)
        return NEURIO_ERR_NOMEM;
    memcpy(c->m->ops[o1].attr.transpose.perm, perm, sizeof perm);
    memcpy(c->m->ops[o3].attr.transpose.perm, perm, sizeof perm);
    if (k == NEURIO_OP_SOFTMAX)
        c->m->ops[o2].attr.softmax.beta = 1.0f;
    return ox_bind(c, c->node->output[0], out, 0);
}

int ox_softmax(ox_ctx *c, neurio_op_kind k)
{
    const ox_value *x = ox_need(c, 0, "input");
    if (!x)
        return NEURIO_ERR_FORMAT;
    int32_t rank = c->m->tensors[x->t].rank;
    int64_t axis = ox_attr_int(c, "axis", c->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return ox_fail(c, NEURIO_ERR_INVALID, "axis out of range");
    int32_t op;
    if (x->nhwc) {
        const neurio_tensor *t = &c->m->tensors[x->t];
        int hw1 = t->dims[1] * t->dims[2] == 1;
        if (axis == 1 && (c->opset >= 13 || hw1)) {
            int rc = ox_unary(c, k, &op);
            if (!rc)
                if (k == NEURIO_OP_SOFTMAX)
                c->m->ops[op].attr.softmax.beta = 1.0f;
            return rc;
        }
    } else if (axis == rank - 1) {
        int rc = ox_unary(c, k, &op);
        if (!rc)
            if (k == NEURIO_OP_SOFTMAX)
                c->m->ops[op].attr.softmax.beta = 1.0f;
        return rc;
    } else if (c->opset < 13) {
        /* Coerced to 2-D [prod(before), prod(after)]. */
        int32_t in = ox_plain(c, x);
        if (in < 0)
            return NEURIO_ERR_UNSUPPORTED;
        const neurio_tensor *t = &c->m->tensors[in];
        int32_t d2[2] = { 1, 1 }, od[NEURIO_MAX_RANK];
        int32_t orank = t->rank;
        memcpy(od, t->dims, sizeof od);
        for (int32_t i = 0; i < t->rank; i++) /* each part <= the total, < 2^31 */
            d2[i >= axis] *= t->dims[i];
        char name[512];
        snprintf(name, sizeof name, "%s_2d", c->node->output[0]);
        int32_t r2 = neurio_model_add_tensor(c->m, name, c->m->tensors[in].dtype, 2, d2);
        snprintf(name, sizeof name, "%s_sm", c->node->output[0]);
        int32_t s2 = neurio_model_add_tensor(c->m, name, c->m->tensors[in].dtype, 2, d2);
        int32_t out = ox_new_output(c, 0, c->m->tensors[in].dtype, orank, od);
        if (r2 < 0 || s2 < 0 || out < 0 ||
            ox_add_op(c, NEURIO_OP_RESHAPE, 1, &in, 1, &r2) < 0 ||
            (op = ox_add_op(c, k, 1, &r2, 1, &s2)) < 0 ||
            ox_add_op(c, NEURIO_OP_RESHAPE, 1, &s2, 1, &out) < 0)
            return NEURIO_ERR_NOMEM;
        if (k == NEURIO_OP_SOFTMAX)
                c->m->ops[op].attr.softmax.beta = 1.0f;
        return ox_bind(c, c->node->output[0], out, 0);
    }
    return ox_softmax_perm(c, k, (int32_t)axis);
}
