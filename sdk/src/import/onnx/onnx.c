/* sdk/src/import/onnx/onnx.c — ONNX importer: protobuf decoding (protobuf-c bindings
 * generated from Debian's onnx.proto), graph inputs, initializers, the
 * value table and the NCHW <-> NHWC layout bookkeeping.  The per-op
 * conversions live in onnx_ops.c.
 *
 * Layout: rank-4 ONNX activations are NCHW; the IR is NHWC.  Every rank-4
 * activation (including graph inputs and outputs) is stored NHWC in the IR
 * and its value is flagged `nhwc`; ops that need ONNX order (Reshape,
 * Flatten, Transpose, ...) get a converted copy, which is a plain RESHAPE
 * when only size-1 dims move.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/onnx.h"
#include "onnx_internal.h"

static const int64_t ox_min_opset = 7;
static const int64_t ox_max_opset = 17;

/* ---------------------------------------------------------------------- */
/* values                                                                  */

const ox_value *ox_find(const ox_ctx *c, const char *name)
{
    for (int32_t i = c->n_vals - 1; i >= 0; i--)
        if (strcmp(c->vals[i]->name, name) == 0)
            return c->vals[i];
    return NULL;
}

int ox_bind(ox_ctx *c, const char *name, int32_t t, int nhwc)
{
    if (c->n_vals == c->cap_vals) {
        int32_t cap = c->cap_vals ? c->cap_vals * 2 : 64;
        ox_value **nv = realloc(c->vals, (size_t)cap * sizeof *nv);
        if (!nv)
            return neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory");
        c->vals = nv;
        c->cap_vals = cap;
    }
    char *dup = strdup(name);
    ox_value *v = malloc(sizeof *v);
    if (!dup || !v) {
        free(dup);
        free(v);
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory");
    }
    *v = (ox_value){ .name = dup, .t = t, .nhwc = nhwc };
    c->vals[c->n_vals++] = v;
    return NEURIO_OK;
}

int ox_fail(ox_ctx *c, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->node)
        return neurio_fail(c->err, status, "ONNX node %d '%s' (%s): %s",
                           (int)c->node_index,
                           c->node->name ? c->node->name : "",
                           c->node->op_type ? c->node->op_type : "?", msg);
    return neurio_fail(c->err, status, "ONNX: %s", msg);
}

const ox_value *ox_input(ox_ctx *c, int i)
{
    if (i < 0 || (size_t)i >= c->node->n_input)
        return NULL;
    const char *n = c->node->input[i];
    if (!n || !*n)
        return NULL;
    return ox_find(c, n);
}

int32_t ox_new_output(ox_ctx *c, int i, neurio_dtype dt, int32_t rank,
                      const int32_t *dims)
{
    const char *name = (size_t)i < c->node->n_output ? c->node->output[i] : "";
    int32_t t = neurio_model_add_tensor(c->m, name, dt, rank, dims);
    if (t < 0)
        ox_fail(c, NEURIO_ERR_NOMEM, "cannot add tensor '%s'", name);
    return t;
}

int32_t ox_new_const(ox_ctx *c, const char *name, neurio_dtype dt,
                     int32_t rank, const int32_t *dims, const void *data)
{
    int32_t t = neurio_model_add_tensor(c->m, name, dt, rank, dims);
    if (t < 0) {
        ox_fail(c, NEURIO_ERR_NOMEM, "cannot add tensor '%s'", name);
        return -1;
    }
    size_t bytes = neurio_tensor_bytes(&c->m->tensors[t]);
    if (bytes == 0) {
        ox_fail(c, NEURIO_ERR_UNSUPPORTED, "constant '%s' has no elements", name);
        return -1;
    }
    if (neurio_tensor_set_data(c->m, t, data, bytes) != NEURIO_OK) {
        ox_fail(c, NEURIO_ERR_NOMEM, "cannot store constant '%s'", name);
        return -1;
    }
    return t;
}

int32_t ox_add_op(ox_ctx *c, neurio_op_kind k, int32_t n_in, const int32_t *in,
                  int32_t n_out, const int32_t *out)
{
    int32_t o = neurio_model_add_op(c->m, k, n_in, in, n_out, out);
    if (o < 0) {
        ox_fail(c, NEURIO_ERR_NOMEM, "cannot add op");
        return -1;
    }
    if (c->node && c->node->name && *c->node->name) {
        char *dup = strdup(c->node->name);
        if (dup) {
            free(c->m->ops[o].name);
            c->m->ops[o].name = dup;
        }
    }
    return o;
}

/* out[i] = in[perm[i]] dims; elements copied accordingly (C order). */
static void *ox_permute(const void *src, size_t esz, int32_t rank,
                        const int32_t *dims, const int32_t *perm)
{
    size_t n = 1;
    int32_t odims[NEURIO_MAX_RANK], istride[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    int32_t s = 1;
    for (int32_t i = rank - 1; i >= 0; i--) {
        istride[i] = s;
        s *= dims[i];
    }
    for (int32_t i = 0; i < rank; i++)
        odims[i] = dims[perm[i]];
    unsigned char *dst = malloc(n ? n * esz : 1);
    if (!dst)
        return NULL;
    int32_t idx[NEURIO_MAX_RANK] = { 0 };
    for (size_t o = 0; o < n; o++) {
        size_t off = 0;
        for (int32_t i = 0; i < rank; i++)
            off += (size_t)idx[i] * (size_t)istride[perm[i]];
        memcpy(dst + o * esz, (const unsigned char *)src + off * esz, esz);
        for (int32_t i = rank - 1; i >= 0; i--) {
            if (++idx[i] < odims[i])
                break;
            idx[i] = 0;
        }
    }
    return dst;
}

static const int32_t ox_to_nhwc_perm[4] = { 0, 2, 3, 1 };
static const int32_t ox_to_nchw_perm[4] = { 0, 3, 1, 2 };

void ox_onnx_dims(const ox_ctx *c, const ox_value *v, int32_t *rank,
                  int32_t dims[NEURIO_MAX_RANK])
{
    const neurio_tensor *t = &c->m->tensors[v->t];
    *rank = t->rank;
    if (v->nhwc) {
        for (int i = 0; i < 4; i++)
            dims[i] = t->dims[ox_to_nchw_perm[i]];
    } else {
        memcpy(dims, t->dims, sizeof(int32_t) * (size_t)t->rank);
    }
}

/* Convert tensor t (rank 4) through perm into a new tensor; memoized in the
 * value table under a private key. */
static int32_t ox_relayout(ox_ctx *c, const ox_value *v, const int32_t *perm,
                           const char *tag)
{
    char key[600];
    snprintf(key, sizeof key, "\x01%s:%s", tag, v->name);
    const ox_value *memo = ox_find(c, key);
    if (memo)
        return memo->t;
    neurio_tensor *t = &c->m->tensors[v->t];
    int32_t dims[4];
    for (int i = 0; i < 4; i++)
        dims[i] = t->dims[perm[i]];
    char tname[600];
    snprintf(tname, sizeof tname, "%s_%s", t->name, tag);
    int32_t nt;
    if (t->data) {
        void *p = ox_permute(t->data, neurio_dtype_size(t->dtype), 4, t->dims, perm);
        if (!p)
            return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory"), -1;
        nt = ox_new_const(c, tname, t->dtype, 4, dims, p);
        free(p);
        if (nt < 0)
            return -1;
    } else {
        neurio_dtype dt = t->dtype;
        int32_t src = v->t;
        nt = neurio_model_add_tensor(c->m, tname, dt, 4, dims);
        if (nt < 0)
            return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory"), -1;
        t = &c->m->tensors[src];
        if (t->quant.count == 1)
            neurio_tensor_set_quant(c->m, nt, 1, 0, t->quant.scale, t->quant.zero_point);
        /* Moving only size-1 dims (C == 1 or H*W == 1) keeps the bytes. */
        int trivial = (t->dims[perm == ox_to_nhwc_perm ? 1 : 3] == 1) ||
                      (perm == ox_to_nhwc_perm ? t->dims[2] * t->dims[3] == 1
                                               : t->dims[1] * t->dims[2] == 1);
        int32_t o = ox_add_op(c, trivial ? NEURIO_OP_RESHAPE : NEURIO_OP_TRANSPOSE,
                              1, &src, 1, &nt);
        if (o < 0)
            return -1;
        if (!trivial)
            for (int i = 0; i < 4; i++)
                c->m->ops[o].attr.transpose.perm[i] = perm[i];
    }
    if (ox_bind(c, key, nt, 0) != NEURIO_OK)
        return -1;
    return nt;
}

int32_t ox_plain(ox_ctx *c, const ox_value *v)
{
    if (!v->nhwc)
        return v->t;
    return ox_relayout(c, v, ox_to_nchw_perm, "nchw");
}

int32_t ox_nhwc(ox_ctx *c, const ox_value *v)
{
    if (v->nhwc)
        return v->t;
    if (c->m->tensors[v->t].rank != 4)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "input '%s' must be rank 4", v->name), -1;
    return ox_relayout(c, v, ox_to_nhwc_perm, "nhwc");
}

int32_t ox_const_ints(ox_ctx *c, const ox_value *v, int64_t *out, int32_t max)
{
    const neurio_tensor *t = &c->m->tensors[v->t];
    if (!t->data || (t->dtype != NEURIO_DT_INT64 && t->dtype != NEURIO_DT_INT32))
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "input '%s' must be a constant int64 tensor", v->name), -1;
    size_t n = neurio_tensor_elements(t);
    if (n > (size_t)max)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "input '%s' has %zu values (max %d)",
                       v->name, n, (int)max), -1;
    for (size_t i = 0; i < n; i++) {
        if (t->dtype == NEURIO_DT_INT64) {
            int64_t x;
            memcpy(&x, (const char *)t->data + i * 8, 8);
            out[i] = x;
        } else {
            int32_t x;
            memcpy(&x, (const char *)t->data + i * 4, 4);
            out[i] = x;
        }
    }
    return (int32_t)n;
}

const float *ox_const_floats(const ox_ctx *c, const ox_value *v, size_t *n)
{
    const neurio_tensor *t = &c->m->tensors[v->t];
    if (!t->data || t->dtype != NEURIO_DT_FLOAT32)
        return NULL;
    if (n)
        *n = neurio_tensor_elements(t);
    return t->data;
}

int ox_is_graph_output(const ox_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->graph->n_output; i++)
        if (c->graph->output[i]->name && strcmp(c->graph->output[i]->name, name) == 0)
            return 1;
    return 0;
}

int32_t ox_use_count(const ox_ctx *c, const char *name)
{
    int32_t n = ox_is_graph_output(c, name);
    for (size_t i = (size_t)c->node_index + 1; i < c->graph->n_node; i++) {
        const Onnx__NodeProto *nd = c->graph->node[i];
        for (size_t k = 0; k < nd->n_input; k++)
            if (nd->input[k] && strcmp(nd->input[k], name) == 0)
                n++;
    }
    return n;
}

/* ---------------------------------------------------------------------- */
/* attributes                                                              */

const Onnx__AttributeProto *ox_attr(const ox_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->node->n_attribute; i++) {
        const Onnx__AttributeProto *a = c->node->attribute[i];
        if (a && a->name && strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

int64_t ox_attr_int(const ox_ctx *c, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = ox_attr(c, name);
    return a && a->has_i ? a->i : dflt;
}

float ox_attr_float(const ox_ctx *c, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = ox_attr(c, name);
    return a && a->has_f ? a->f : dflt;
}

int32_t ox_attr_ints(const ox_ctx *c, const char *name, int64_t *out, int32_t max)
{
    const Onnx__AttributeProto *a = ox_attr(c, name);
    if (!a)
        return -1;
    int32_t n = (int32_t)(a->n_ints < (size_t)max ? a->n_ints : (size_t)max);
    for (int32_t i = 0; i < n; i++)
        out[i] = a->ints[i];
    return a->n_ints > (size_t)max ? max + 1 : n;
}

const char *ox_attr_str(const ox_ctx *c, const char *name, char *buf, size_t cap)
{
    const Onnx__AttributeProto *a = ox_attr(c, name);
    buf[0] = '\0';
    if (a && a->has_s) {
        size_t n = a->s.len < cap - 1 ? a->s.len : cap - 1;
        memcpy(buf, a->s.data, n);
        buf[n] = '\0';
    }
    return buf;
}

/* ---------------------------------------------------------------------- */
/* tensors                                                                 */

static neurio_dtype ox_dtype(int32_t onnx_type)
{
    switch (onnx_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return NEURIO_DT_FLOAT32;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return NEURIO_DT_FLOAT32; /* narrowed */
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return NEURIO_DT_UINT8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return NEURIO_DT_INT8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return NEURIO_DT_INT16;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return NEURIO_DT_INT32;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return NEURIO_DT_INT64;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return NEURIO_DT_BOOL;
    default: return NEURIO_DT_UNKNOWN;
    }
}

int32_t ox_tensor_from_proto(ox_ctx *c, const Onnx__TensorProto *tp, const char *name)
{
    neurio_dtype dt = ox_dtype(tp->data_type);
    if (dt == NEURIO_DT_UNKNOWN)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "tensor '%s' has ONNX data type %d, which neurio does not support "
                       "(use float32, int8, uint8, int16, int32, int64 or bool)",
                       name, (int)tp->data_type), -1;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "tensor '%s' uses external data; save the model with all tensors "
                       "inside the .onnx file", name), -1;
    if (tp->n_dims > NEURIO_MAX_RANK)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "tensor '%s' has rank %zu (max %d)",
                       name, tp->n_dims, NEURIO_MAX_RANK), -1;
    int32_t dims[NEURIO_MAX_RANK];
    size_t n = 1;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0 || tp->dims[i] > INT32_MAX)
            return ox_fail(c, NEURIO_ERR_FORMAT, "tensor '%s' has bad dim %lld",
                           name, (long long)tp->dims[i]), -1;
        dims[i] = (int32_t)tp->dims[i];
        if (dims[i] && n > (size_t)INT32_MAX / (size_t)dims[i])
            return ox_fail(c, NEURIO_ERR_FORMAT, "tensor '%s' is too large", name), -1;
        n *= (size_t)dims[i];
    }
    if (n == 0)
        return -2; /* empty: not representable, skipped by the caller */
    size_t esz = neurio_dtype_size(dt);
    int is_double = tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    /* The stored data must match the shape before anything is allocated
     * (a forged shape must not make us allocate gigabytes). */
    size_t have = tp->has_raw_data ? tp->raw_data.len / (is_double ? 8 : esz)
                  : is_double ? tp->n_double_data
                  : dt == NEURIO_DT_FLOAT32 ? tp->n_float_data
                  : dt == NEURIO_DT_INT64 ? tp->n_int64_data
                  : tp->n_int32_data;
    if (have != n)
        return ox_fail(c, NEURIO_ERR_FORMAT,
                       "tensor '%s': data size does not match its shape (%zu elements of %s "
                       "expected, %zu stored)", name, n, neurio_dtype_name(dt), have), -1;
    void *buf = malloc(n * esz);
    if (!buf)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory for tensor '%s'", name), -1;
    int ok = 0;
    if (tp->has_raw_data) {
        size_t want = n * (is_double ? 8 : esz);
        if (tp->raw_data.len == want) {
            if (is_double) {
                for (size_t i = 0; i < n; i++) {
                    double d;
                    memcpy(&d, tp->raw_data.data + i * 8, 8);
                    ((float *)buf)[i] = (float)d;
                }
            } else {
                memcpy(buf, tp->raw_data.data, want);
            }
            ok = 1;
        }
    } else if (is_double && tp->n_double_data == n) {
        for (size_t i = 0; i < n; i++)
            ((float *)buf)[i] = (float)tp->double_data[i];
        ok = 1;
    } else if (dt == NEURIO_DT_FLOAT32 && tp->n_float_data == n) {
        memcpy(buf, tp->float_data, n * 4);
        ok = 1;
    } else if (dt == NEURIO_DT_INT64 && tp->n_int64_data == n) {
        memcpy(buf, tp->int64_data, n * 8);
        ok = 1;
    } else if (tp->n_int32_data == n && dt != NEURIO_DT_FLOAT32 && dt != NEURIO_DT_INT64) {
        for (size_t i = 0; i < n; i++) {
            int32_t v = tp->int32_data[i];
            switch (dt) {
            case NEURIO_DT_INT8: ((int8_t *)buf)[i] = (int8_t)v; break;
            case NEURIO_DT_UINT8: ((uint8_t *)buf)[i] = (uint8_t)v; break;
            case NEURIO_DT_BOOL: ((uint8_t *)buf)[i] = (uint8_t)(v != 0); break;
            case NEURIO_DT_INT16: ((int16_t *)buf)[i] = (int16_t)v; break;
            default: ((int32_t *)buf)[i] = v; break;
            }
        }
        ok = 1;
    }
    if (!ok) {
        free(buf);
        return ox_fail(c, NEURIO_ERR_FORMAT,
                       "tensor '%s': data size does not match its shape (%zu elements of %s)",
                       name, n, neurio_dtype_name(dt)), -1;
    }
    int32_t t = ox_new_const(c, name, dt, (int32_t)tp->n_dims, dims, buf);
    free(buf);
    return t;
}

/* ---------------------------------------------------------------------- */
/* model                                                                   */

static int ox_set_str(char **dst, const char *src)
{
    char *d = strdup(src ? src : "");
    if (!d)
        return NEURIO_ERR_NOMEM;
    free(*dst);
    *dst = d;
    return NEURIO_OK;
}

static int ox_graph_input(ox_ctx *c, const Onnx__ValueInfoProto *vi, int32_t index)
{
    const char *name = vi->name ? vi->name : "";
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !vi->type->tensor_type)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "graph input %d '%s' is not a tensor",
                       (int)index, name);
    const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    neurio_dtype dt = ox_dtype(tt->elem_type);
    if (dt == NEURIO_DT_UNKNOWN || tt->elem_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "graph input %d '%s' has ONNX element type %d (supported: float32, "
                       "int8, uint8, int16, int32, int64, bool)", (int)index, name,
                       (int)tt->elem_type);
    if (!tt->shape)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "graph input %d '%s' has no shape; export the model with static shapes",
                       (int)index, name);
    if (tt->shape->n_dim > NEURIO_MAX_RANK)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "graph input %d '%s' has rank %zu (max %d)",
                       (int)index, name, tt->shape->n_dim, NEURIO_MAX_RANK);
    int32_t rank = (int32_t)tt->shape->n_dim, dims[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value > 0 && d->dim_value <= INT32_MAX) {
            dims[i] = (int32_t)d->dim_value;
        } else if (i == 0) {
            dims[i] = 1; /* symbolic batch: neurio runs one sample at a time */
        } else {
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "graph input %d '%s': dim %d is symbolic or not positive; "
                           "export with a fixed input shape", (int)index, name, (int)i);
        }
    }
    int64_t total = 1;
    for (int32_t i = 0; i < rank; i++) {
        total *= dims[i];
        if (total > INT32_MAX)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                           "graph input %d '%s' has more than 2^31 elements", (int)index, name);
    }
    int nhwc = rank == 4;
    int32_t ir[NEURIO_MAX_RANK];
    for (int32_t i = 0; i < rank; i++)
        ir[i] = nhwc ? dims[ox_to_nhwc_perm[i]] : dims[i];
    int32_t t = neurio_model_add_tensor(c->m, name, dt, rank, ir);
    if (t < 0)
        return neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory");
    return ox_bind(c, name, t, nhwc);
}

static int ox_is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && strcmp(g->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

static int ox_import(ox_ctx *c, const Onnx__ModelProto *mp)
{
    int rc;
    c->opset = -1;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        if (o && (!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0))
            c->opset = o->has_version ? o->version : 1;
    }
    if (c->opset < 0 && mp->n_opset_import > 0 && mp->opset_import[0] &&
        mp->opset_import[0]->domain)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "model uses only the operator domain '%s' (neurio reads the default "
                       "ai.onnx domain)", mp->opset_import[0]->domain);
    if (c->opset < 0)
        return ox_fail(c, NEURIO_ERR_FORMAT, "model has no default-domain opset_import");
    if (c->opset < ox_min_opset || c->opset > ox_max_opset)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                       "opset %lld is not supported (neurio reads %lld..%lld; convert with "
                       "onnx.version_converter)", (long long)c->opset,
                       (long long)ox_min_opset, (long long)ox_max_opset);
    const Onnx__GraphProto *g = mp->graph;
    if (!g)
        return ox_fail(c, NEURIO_ERR_FORMAT, "model has no graph");
    c->graph = g;

    int32_t n_in = 0;
    int32_t *ins = calloc(g->n_input + 1, sizeof *ins);
    int32_t *outs = calloc(g->n_output + 1, sizeof *outs);
    if (!ins || !outs) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__ValueInfoProto *vi = g->input[i];
        if (!vi || !vi->name || ox_is_initializer(g, vi->name))
            continue;
        if ((rc = ox_graph_input(c, vi, (int32_t)i)) != NEURIO_OK)
            goto fail;
        ins[n_in++] = c->vals[c->n_vals - 1]->t;
    }
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        const char *name = tp->name ? tp->name : "";
        int32_t t = ox_tensor_from_proto(c, tp, name);
        if (t == -2)
            continue;
        if (t < 0) {
            rc = NEURIO_ERR_FORMAT;
            goto fail;
        }
        if ((rc = ox_bind(c, name, t, 0)) != NEURIO_OK)
            goto fail;
    }
    for (size_t i = 0; i < g->n_node; i++) {
        c->node = g->node[i];
        c->node_index = (int32_t)i;
        if (!c->node->op_type) {
            rc = ox_fail(c, NEURIO_ERR_FORMAT, "node has no op_type");
            goto fail;
        }
        for (size_t k = 0; k < c->node->n_input; k++) {
            const char *in = c->node->input[k];
            if (in && *in && !ox_find(c, in) && !ox_is_initializer(g, in)) {
                rc = ox_fail(c, NEURIO_ERR_FORMAT,
                             "input %zu '%s' is not produced by any earlier node, graph input "
                             "or initializer (graph not topologically sorted?)", k, in);
                goto fail;
            }
        }
        if ((rc = ox_convert_node(c)) != NEURIO_OK)
            goto fail;
    }
    c->node = NULL;
    if (g->n_output == 0) {
        rc = ox_fail(c, NEURIO_ERR_FORMAT, "graph has no outputs");
        goto fail;
    }
    for (size_t i = 0; i < g->n_output; i++) {
        const char *name = g->output[i] && g->output[i]->name ? g->output[i]->name : "";
        const ox_value *v = ox_find(c, name);
        if (!v) {
            rc = ox_fail(c, NEURIO_ERR_FORMAT, "graph output %zu '%s' is never produced", i, name);
            goto fail;
        }
        const neurio_tensor *t = &c->m->tensors[v->t];
        if (t->data || t->producer < 0) {
            rc = ox_fail(c, NEURIO_ERR_UNSUPPORTED,
                         "graph output %zu '%s' is a constant or a graph input, not computed "
                         "by any op", i, name);
            goto fail;
        }
        /* contract: rank-4 graph outputs are NHWC in the IR */
        outs[i] = t->rank == 4 && !v->nhwc ? ox_nhwc(c, v) : v->t;
        if (outs[i] < 0) {
            rc = NEURIO_ERR_UNSUPPORTED;
            goto fail;
        }
    }
    if ((rc = neurio_model_set_io(c->m, n_in, ins, (int32_t)g->n_output, outs)) != NEURIO_OK) {
        neurio_fail(c->err, rc, "out of memory");
        goto fail;
    }
    if (ox_set_str(&c->m->format, "onnx") != NEURIO_OK ||
        ox_set_str(&c->m->description, mp->producer_name) != NEURIO_OK) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = neurio_model_compact(c->m, c->err)) != NEURIO_OK)
        goto fail;
    rc = neurio_model_validate(c->m, c->err);
fail:
    free(ins);
    free(outs);
    return rc;
}

int neurio_onnx_parse(const void *buf, size_t len, const char *name,
                      neurio_model **out, neurio_errbuf *err)
{
    *out = NULL;
    if (!buf || len == 0)
        return neurio_fail(err, NEURIO_ERR_FORMAT, "%s: empty ONNX file", name ? name : "model");
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, buf);
    if (!mp)
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: not a valid ONNX protobuf (ModelProto did not decode; "
                           "is this an .onnx file?)", name ? name : "model");
    ox_ctx c = { .err = err };
    int rc;
    c.m = neurio_model_new(name ? name : "model");
    if (!c.m) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    rc = ox_import(&c, mp);
fail:
    for (int32_t i = 0; i < c.n_vals; i++) {
        free(c.vals[i]->name);
        free(c.vals[i]);
    }
    free(c.vals);
    onnx__model_proto__free_unpacked(mp, NULL);
    if (rc != NEURIO_OK) {
        neurio_model_free(c.m);
        return rc;
    }
    *out = c.m;
    return NEURIO_OK;
}

int neurio_onnx_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = NEURIO_OK;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: read error", path);
        goto fail;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[256];
    snprintf(name, sizeof name, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    rc = neurio_onnx_parse(buf, len, name, out, err);
    if (rc != NEURIO_OK) {
        char msg[sizeof err->msg];
        if (err) {
            snprintf(msg, sizeof msg, "%s", err->msg);
            neurio_fail(err, rc, "%s: %s", path, msg);
        }
    } else {
        ox_set_str(&(*out)->source, path);
    }
fail:
    fclose(f);
    free(buf);
    return rc;
}
