/* sdk/src/import/onnx/onnx_fold.c — shape arithmetic evaluated at import
 * time.  Exported graphs (and ONNX's own function expansions such as
 * LayerNormalization's) compute shapes with Shape, Size, Slice, Concat,
 * ConstantOfShape, Cast, Gather and integer arithmetic; with static shapes
 * all of it is constant.  ox_fold() replaces such a node by a constant (in
 * plain ONNX layout) before the op table is consulted; what it does not
 * fold goes on to the normal conversion. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

#define FOLD_MAX (1 << 16) /* largest constant folded here (elements) */

/* Element i of a constant as double / int64 (dtype of t). */
static double fd_get(const neurio_tensor *t, size_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case NEURIO_DT_FLOAT32: return ((const float *)d)[i];
    case NEURIO_DT_INT8: return ((const int8_t *)d)[i];
    case NEURIO_DT_UINT8: case NEURIO_DT_BOOL: return ((const uint8_t *)d)[i];
    case NEURIO_DT_INT16: return ((const int16_t *)d)[i];
    case NEURIO_DT_INT32: return ((const int32_t *)d)[i];
    case NEURIO_DT_INT64: return (double)((const int64_t *)d)[i];
    default: return 0;
    }
}

/* double -> int64 the way a cast would, but defined for every input:
 * NaN gives 0, values beyond the int64 range saturate (a plain cast of
 * those is undefined behaviour in C). */
static int64_t fd_to_i64(double v)
{
    if (v != v)
        return 0;
    if (v >= 9223372036854775807.0)
        return INT64_MAX;
    if (v <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

/* Wrapping int64 arithmetic (two's complement, as ONNX runtimes behave);
 * signed overflow in C is undefined, so it goes through uint64. */
static int64_t fd_wrap(uint64_t v)
{
    int64_t r;
    memcpy(&r, &v, sizeof r);
    return r;
}

static int64_t fd_geti(const neurio_tensor *t, size_t i)
{
    if (t->dtype == NEURIO_DT_INT64)
        return ((const int64_t *)t->data)[i];
    return fd_to_i64(fd_get(t, i));
}

static void fd_put(neurio_dtype dt, void *d, size_t i, double v, int64_t vi)
{
    switch (dt) {
    case NEURIO_DT_FLOAT32: ((float *)d)[i] = (float)v; break;
    case NEURIO_DT_INT8: ((int8_t *)d)[i] = (int8_t)vi; break;
    case NEURIO_DT_UINT8: ((uint8_t *)d)[i] = (uint8_t)vi; break;
    case NEURIO_DT_BOOL: ((uint8_t *)d)[i] = vi != 0; break;
    case NEURIO_DT_INT16: ((int16_t *)d)[i] = (int16_t)vi; break;
    case NEURIO_DT_INT32: ((int32_t *)d)[i] = (int32_t)vi; break;
    case NEURIO_DT_INT64: ((int64_t *)d)[i] = vi; break;
    default: break;
    }
}

static int fd_int(neurio_dtype dt)
{
    return dt != NEURIO_DT_FLOAT32;
}

/* Binds output 0 to a new constant; 1 on success (folded), <0 on error. */
static int fd_emit(ox_ctx *c, neurio_dtype dt, int32_t rank, const int32_t *dims,
                   const void *data)
{
    int32_t t = ox_new_const(c, c->node->output[0], dt, rank, dims, data);
    if (t < 0)
        return -1;
    return ox_bind(c, c->node->output[0], t, 0) ? -1 : 1;
}

/* Input i when it is a constant (NULL otherwise). */
static const neurio_tensor *fd_const_in(ox_ctx *c, int i)
{
    const ox_value *v = ox_input(c, i);
    if (!v || !c->m->tensors[v->t].data)
        return NULL;
    return &c->m->tensors[v->t];
}

static int fd_shape(ox_ctx *c, int size_only)
{
    const ox_value *x = ox_input(c, 0);
    if (!x)
        return 0;
    int32_t rank, dims[NEURIO_MAX_RANK];
    ox_onnx_dims(c, x, &rank, dims);
    if (size_only) {
        int64_t n = 1;
        for (int32_t i = 0; i < rank; i++)
            n *= dims[i];
        return fd_emit(c, NEURIO_DT_INT64, 0, NULL, &n);
    }
    int64_t start = ox_attr_int(c, "start", 0), end = ox_attr_int(c, "end", rank);
    if (start < 0)
        start += rank;
    if (end < 0)
        end += rank;
    start = start < 0 ? 0 : start > rank ? rank : start;
    end = end < 0 ? 0 : end > rank ? rank : end;
    int64_t v[NEURIO_MAX_RANK];
    int32_t n = 0;
    for (int64_t i = start; i < end; i++)
        v[n++] = dims[i];
    if (n == 0)
        return 0; /* empty shape: not representable as a constant */
    return fd_emit(c, NEURIO_DT_INT64, 1, &n, v);
}

/* A new buffer of n elements of dt (NULL after failing). */
static void *fd_alloc(ox_ctx *c, size_t n, neurio_dtype dt)
{
    void *p = calloc(n ? n : 1, neurio_dtype_size(dt));
    if (!p)
        ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    return p;
}

static int fd_cast_like(ox_ctx *c, const neurio_tensor *x, neurio_dtype to)
{
    size_t n = neurio_tensor_elements(x);
    void *o = fd_alloc(c, n, to);
    if (!o)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double v = fd_get(x, i);
        fd_put(to, o, i, v, fd_geti(x, i));
    }
    int32_t dims[NEURIO_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    int rc = fd_emit(c, to, x->rank, dims, o);
    free(o);
    return rc;
}

static neurio_dtype fd_onnx_dtype(int64_t t)
{
    switch (t) {
    case 1: return NEURIO_DT_FLOAT32;
    case 2: return NEURIO_DT_UINT8;
    case 3: return NEURIO_DT_INT8;
    case 5: return NEURIO_DT_INT16;
    case 6: return NEURIO_DT_INT32;
    case 7: return NEURIO_DT_INT64;
    case 9: return NEURIO_DT_BOOL;
    default: return NEURIO_DT_UNKNOWN;
    }
}

static int fd_constant_of_shape(ox_ctx *c, const neurio_tensor *s)
{
    int32_t rank = (int32_t)neurio_tensor_elements(s), dims[NEURIO_MAX_RANK];
    if (rank > NEURIO_MAX_RANK)
        return 0;
    size_t n = 1;
    for (int32_t i = 0; i < rank; i++) {
        int64_t d = fd_geti(s, (size_t)i);
        if (d <= 0 || d > FOLD_MAX)
            return 0;
        dims[i] = (int32_t)d;
        n *= (size_t)d;
    }
    if (n > FOLD_MAX)
        return 0;
    neurio_dtype dt = NEURIO_DT_FLOAT32;
    double v = 0;
    int64_t vi = 0;
    const Onnx__AttributeProto *a = ox_attr(c, "value");
    if (a && a->t) {
        int32_t t = ox_tensor_from_proto(c, a->t, "");
        if (t < 0)
            return t == -2 ? 0 : -1;
        dt = c->m->tensors[t].dtype;
        v = fd_get(&c->m->tensors[t], 0);
        vi = fd_geti(&c->m->tensors[t], 0);
    }
    void *o = fd_alloc(c, n, dt);
    if (!o)
        return -1;
    for (size_t i = 0; i < n; i++)
        fd_put(dt, o, i, v, vi);
    int rc = fd_emit(c, dt, rank, dims, o);
    free(o);
    return rc;
}

/* Elementwise arithmetic/comparison with numpy broadcasting. */
static int fd_binary(ox_ctx *c, const char *op, const neurio_tensor *a, const neurio_tensor *b)
{
    int32_t rank = a->rank > b->rank ? a->rank : b->rank, od[NEURIO_MAX_RANK];
    int32_t da[NEURIO_MAX_RANK], db[NEURIO_MAX_RANK];
    size_t n = 1;
    for (int32_t i = 0; i < rank; i++) {
        da[i] = i < rank - a->rank ? 1 : a->dims[i - (rank - a->rank)];
        db[i] = i < rank - b->rank ? 1 : b->dims[i - (rank - b->rank)];
        if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
            return 0;
        od[i] = da[i] > db[i] ? da[i] : db[i];
        n *= (size_t)od[i];
    }
    int cmp = !strcmp(op, "Equal") || !strcmp(op, "Less") || !strcmp(op, "Greater");
    neurio_dtype dt = cmp ? NEURIO_DT_BOOL : a->dtype;
    if (n > FOLD_MAX || a->dtype != b->dtype)
        return 0;
    void *o = fd_alloc(c, n, dt);
    if (!o)
        return -1;
    int32_t idx[NEURIO_MAX_RANK] = { 0 };
    int isint = fd_int(a->dtype);
    for (size_t k = 0; k < n; k++) {
        size_t ia = 0, ib = 0;
        for (int32_t i = 0; i < rank; i++) {
            ia = ia * (size_t)da[i] + (size_t)(da[i] == 1 ? 0 : idx[i]);
            ib = ib * (size_t)db[i] + (size_t)(db[i] == 1 ? 0 : idx[i]);
        }
        double x = fd_get(a, ia), y = fd_get(b, ib), r = 0;
        int64_t xi = fd_geti(a, ia), yi = fd_geti(b, ib), ri = 0;
        if (!strcmp(op, "Add")) {
            r = x + y;
            ri = fd_wrap((uint64_t)xi + (uint64_t)yi);
        } else if (!strcmp(op, "Sub")) {
            r = x - y;
            ri = fd_wrap((uint64_t)xi - (uint64_t)yi);
        } else if (!strcmp(op, "Mul")) {
            r = x * y;
            ri = fd_wrap((uint64_t)xi * (uint64_t)yi);
        } else if (!strcmp(op, "Div")) {
            if (isint && yi == 0) {
                free(o);
                return 0;
            }
            r = (float)x / (float)y;
            ri = !isint ? 0 : (xi == INT64_MIN && yi == -1) ? INT64_MIN : xi / yi;
        } else if (!strcmp(op, "Equal")) {
            ri = isint ? xi == yi : x == y;
        } else if (!strcmp(op, "Less")) {
            ri = isint ? xi < yi : x < y;
        } else { /* Greater */
            ri = isint ? xi > yi : x > y;
        }
        fd_put(dt, o, k, cmp ? (double)ri : r, ri);
        for (int32_t i = rank - 1; i >= 0; i--) {
            if (++idx[i] < od[i])
                break;
            idx[i] = 0;
        }
    }
    int rc = fd_emit(c, dt, rank, od, o);
    free(o);
    return rc;
}

/* Slice of a 1-D constant (shape arithmetic). */
static int fd_slice1(ox_ctx *c, const neurio_tensor *x)
{
    const neurio_tensor *ts = fd_const_in(c, 1), *te = fd_const_in(c, 2);
    const ox_value *axv = ox_input(c, 3), *stv = ox_input(c, 4);
    const neurio_tensor *tax = fd_const_in(c, 3), *tst = fd_const_in(c, 4);
    if (x->rank != 1 || !ts || !te || (axv && !tax) || (stv && !tst) ||
        neurio_tensor_elements(ts) != 1 || neurio_tensor_elements(te) != 1)
        return 0;
    if (tax && fd_geti(tax, 0) != 0 && fd_geti(tax, 0) != -1)
        return 0;
    int64_t d = x->dims[0], s = fd_geti(ts, 0), e = fd_geti(te, 0), st = tst ? fd_geti(tst, 0) : 1;
    if (st != 1)
        return 0;
    if (s < 0)
        s += d;
    if (e < 0)
        e += d;
    s = s < 0 ? 0 : s > d ? d : s;
    e = e < 0 ? 0 : e > d ? d : e;
    if (e <= s)
        return 0;
    int32_t n = (int32_t)(e - s);
    size_t esz = neurio_dtype_size(x->dtype);
    return fd_emit(c, x->dtype, 1, &n, (const char *)x->data + (size_t)s * esz);
}

/* Concat of constants along axis 0 of 1-D tensors. */
static int fd_concat(ox_ctx *c)
{
    size_t total = 0;
    neurio_dtype dt = NEURIO_DT_UNKNOWN;
    for (size_t i = 0; i < c->node->n_input; i++) {
        const neurio_tensor *t = fd_const_in(c, (int)i);
        if (!t || t->rank != 1 || (dt != NEURIO_DT_UNKNOWN && t->dtype != dt))
            return 0;
        dt = t->dtype;
        total += (size_t)t->dims[0];
    }
    if (total == 0 || total > FOLD_MAX)
        return 0;
    size_t esz = neurio_dtype_size(dt), off = 0;
    char *o = fd_alloc(c, total, dt);
    if (!o)
        return -1;
    for (size_t i = 0; i < c->node->n_input; i++) {
        const neurio_tensor *t = fd_const_in(c, (int)i);
        memcpy(o + off, t->data, (size_t)t->dims[0] * esz);
        off += (size_t)t->dims[0] * esz;
    }
    int32_t n = (int32_t)total;
    int rc = fd_emit(c, dt, 1, &n, o);
    free(o);
    return rc;
}

/* Gather along axis 0 of a 1-D constant with constant indices. */
static int fd_gather(ox_ctx *c, const neurio_tensor *x, const neurio_tensor *ix)
{
    if (x->rank != 1 || ox_attr_int(c, "axis", 0) != 0 || ix->rank > 1)
        return 0;
    size_t n = neurio_tensor_elements(ix), esz = neurio_dtype_size(x->dtype);
    char *o = fd_alloc(c, n, x->dtype);
    if (!o)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int64_t k = fd_geti(ix, i);
        if (k < 0)
            k += x->dims[0];
        if (k < 0 || k >= x->dims[0]) {
            free(o);
            return ox_fail(c, NEURIO_ERR_INVALID, "index %lld out of range [0, %d)",
                           (long long)fd_geti(ix, i), (int)x->dims[0]);
        }
        memcpy(o + i * esz, (const char *)x->data + (size_t)k * esz, esz);
    }
    int32_t d = (int32_t)n;
    int rc = fd_emit(c, x->dtype, ix->rank, &d, o);
    free(o);
    return rc;
}

int ox_fold(ox_ctx *c)
{
    const char *op = c->node->op_type;
    if (!strcmp(op, "Shape") || !strcmp(op, "Size"))
        return fd_shape(c, op[1] == 'i');
    /* the rest only when every present input is a constant */
    size_t n_const = 0, n_in = 0;
    for (size_t i = 0; i < c->node->n_input; i++) {
        const ox_value *v = ox_input(c, (int)i);
        if (!c->node->input[i] || !*c->node->input[i])
            continue;
        n_in++;
        if (v && c->m->tensors[v->t].data)
            n_const++;
    }
    if (n_in == 0 || n_const != n_in)
        return 0;
    const neurio_tensor *a = fd_const_in(c, 0), *b = fd_const_in(c, 1);
    if (!a || neurio_tensor_elements(a) > FOLD_MAX)
        return 0;
    if (!strcmp(op, "ConstantOfShape"))
        return fd_constant_of_shape(c, a);
    if (!strcmp(op, "Cast")) {
        neurio_dtype to = fd_onnx_dtype(ox_attr_int(c, "to", 0));
        return to == NEURIO_DT_UNKNOWN ? 0 : fd_cast_like(c, a, to);
    }
    if (!strcmp(op, "Neg") && a->dtype != NEURIO_DT_BOOL) {
        size_t n = neurio_tensor_elements(a);
        void *o = fd_alloc(c, n, a->dtype);
        if (!o)
            return -1;
        for (size_t i = 0; i < n; i++)
            fd_put(a->dtype, o, i, -fd_get(a, i), -fd_geti(a, i));
        int32_t dims[NEURIO_MAX_RANK];
        memcpy(dims, a->dims, sizeof dims);
        int rc = fd_emit(c, a->dtype, a->rank, dims, o);
        free(o);
        return rc;
    }
    if (b && (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") ||
              !strcmp(op, "Div") || !strcmp(op, "Equal") || !strcmp(op, "Less") ||
              !strcmp(op, "Greater")))
        return fd_binary(c, op, a, b);
    if (!strcmp(op, "Slice"))
        return fd_slice1(c, a);
    if (!strcmp(op, "Concat") && ox_attr_int(c, "axis", 0) == 0)
        return fd_concat(c);
    if (!strcmp(op, "Gather") && b)
        return fd_gather(c, a, b);
    return 0;
}
