/* sdk/src/tflite.c — TFLite flatbuffer → neurio graph IR (see neurio/tflite.h).
 *
 * Field numbers are those of the public TFLite schema (schema.fbs, schema
 * version 3).  A union field takes two slots: its type (ubyte) then its value.
 * All reads go through the bounds-checked reader in flatbuf.c; this file adds
 * the semantic checks (indices, sizes, types) and the op conversion. */
#include "neurio/tflite.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuf.h"

/* Model */
enum { F_MODEL_VERSION = 0, F_MODEL_OPCODES = 1, F_MODEL_SUBGRAPHS = 2,
       F_MODEL_DESCRIPTION = 3, F_MODEL_BUFFERS = 4 };
/* OperatorCode */
enum { F_OC_DEPRECATED = 0, F_OC_CUSTOM = 1, F_OC_VERSION = 2, F_OC_BUILTIN = 3 };
/* SubGraph */
enum { F_SG_TENSORS = 0, F_SG_INPUTS = 1, F_SG_OUTPUTS = 2, F_SG_OPERATORS = 3, F_SG_NAME = 4 };
/* Tensor */
enum { F_T_SHAPE = 0, F_T_TYPE = 1, F_T_BUFFER = 2, F_T_NAME = 3, F_T_QUANT = 4,
       F_T_VARIABLE = 5, F_T_SPARSITY = 6 };
/* QuantizationParameters */
enum { F_Q_SCALE = 2, F_Q_ZERO_POINT = 3, F_Q_DETAILS_TYPE = 4, F_Q_DIM = 6 };
/* Buffer */
enum { F_B_DATA = 0, F_B_OFFSET = 1, F_B_SIZE = 2 };
/* Operator */
enum { F_OP_OPCODE = 0, F_OP_INPUTS = 1, F_OP_OUTPUTS = 2, F_OP_OPTIONS_TYPE = 3,
       F_OP_OPTIONS = 4 };

/* BuiltinOperator codes neurio imports. */
enum {
    TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4, TFL_DEQUANTIZE = 6, TFL_FULLY_CONNECTED = 9,
    TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17, TFL_MUL = 18, TFL_RELU = 19,
    TFL_RELU_N1_TO_1 = 20, TFL_RELU6 = 21, TFL_RESHAPE = 22, TFL_SOFTMAX = 25,
    TFL_TANH = 28, TFL_CUSTOM = 32, TFL_PAD = 34, TFL_TRANSPOSE = 39, TFL_MEAN = 40,
    TFL_SUB = 41, TFL_QUANTIZE = 114
};

/* BuiltinOptions union type ids (position in the union, NONE = 0). */
enum {
    OPT_CONV = 1, OPT_DEPTHWISE = 2, OPT_POOL = 5, OPT_FC = 8, OPT_SOFTMAX = 9,
    OPT_CONCAT = 10, OPT_ADD = 11, OPT_MUL = 21, OPT_REDUCER = 27, OPT_SUB = 28
};

static const char supported_list[] =
    "ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, "
    "FULLY_CONNECTED, LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, QUANTIZE, RELU, "
    "RELU_N1_TO_1, RELU6, RESHAPE, SOFTMAX, SUB, TANH, TRANSPOSE";

typedef struct tfl_code {
    int32_t builtin;
    const char *custom;
} tfl_code;

typedef struct tfl {
    nfb_buf b;
    neurio_errbuf *err;
    neurio_model *m;
    tfl_code *codes;
    uint32_t n_codes;
    nfb_vec buffers;
    int32_t n_tensors;
    uint64_t copied;       /* constant bytes copied so far (bounded) */
} tfl;

static int tfl_fail(tfl *t, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tfl_fail(tfl *t, int status, const char *fmt, ...)
{
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return neurio_fail(t->err, status, "%s", msg);
}

static const char *code_name(int32_t code)
{
    const char *n = neurio_tflite_builtin_name(code);
    return n ? n : "an unknown builtin";
}

/* --- operator codes ---------------------------------------------------------- */

static int read_codes(tfl *t, const nfb_table *root)
{
    nfb_vec v;
    nfb_ctx(&t->b, "model");
    int rc = nfb_vector(&t->b, root, F_MODEL_OPCODES, "operator_codes", 4, &v);
    if (rc)
        return rc;
    t->n_codes = v.n;
    t->codes = calloc(v.n ? v.n : 1, sizeof *t->codes);
    if (!t->codes)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory reading %u operator codes", v.n);
    for (uint32_t i = 0; i < v.n; i++) {
        nfb_table oc;
        nfb_ctx(&t->b, "operator code %u", i);
        uint8_t dep = 0;
        int32_t bc = 0;
        uint32_t len;
        if ((rc = nfb_vec_table(&t->b, &v, i, "OperatorCode", &oc)) ||
            (rc = nfb_u8(&t->b, &oc, F_OC_DEPRECATED, "deprecated_builtin_code", 0, &dep)) ||
            (rc = nfb_i32(&t->b, &oc, F_OC_BUILTIN, "builtin_code", 0, &bc)) ||
            (rc = nfb_string(&t->b, &oc, F_OC_CUSTOM, "custom_code", &t->codes[i].custom, &len)))
            return rc;
        /* Old files only set the byte field; new ones set both, with the
         * byte saturated at 127 for codes above it: the larger one wins. */
        int32_t d = (int32_t)(int8_t)dep;
        t->codes[i].builtin = bc > d ? bc : d;
    }
    return NEURIO_OK;
}

/* --- tensors ------------------------------------------------------------------- */

static int map_type(int8_t tt, neurio_dtype *dt)
{
    switch (tt) {
    case 0: *dt = NEURIO_DT_FLOAT32; return 1;
    case 2: *dt = NEURIO_DT_INT32; return 1;
    case 3: *dt = NEURIO_DT_UINT8; return 1;
    case 4: *dt = NEURIO_DT_INT64; return 1;
    case 6: *dt = NEURIO_DT_BOOL; return 1;
    case 7: *dt = NEURIO_DT_INT16; return 1;
    case 9: *dt = NEURIO_DT_INT8; return 1;
    default: return 0;
    }
}

static const char *tfl_type_name(int8_t tt)
{
    static const char *const n[] = { "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64",
                                     "STRING", "BOOL", "INT16", "COMPLEX64", "INT8",
                                     "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE",
                                     "VARIANT", "UINT32", "UINT16", "INT4" };
    return tt >= 0 && tt < (int8_t)(sizeof n / sizeof n[0]) ? n[tt] : "unknown";
}

static int read_quant(tfl *t, const nfb_table *tt, int32_t idx, const char *name)
{
    nfb_table q;
    int present = 0, rc;
    if ((rc = nfb_table_field(&t->b, tt, F_T_QUANT, "quantization", &q, &present)) || !present)
        return rc;
    uint8_t details = 0;
    int32_t dim = 0;
    nfb_vec sc, zp;
    if ((rc = nfb_u8(&t->b, &q, F_Q_DETAILS_TYPE, "details_type", 0, &details)) ||
        (rc = nfb_i32(&t->b, &q, F_Q_DIM, "quantized_dimension", 0, &dim)) ||
        (rc = nfb_vector(&t->b, &q, F_Q_SCALE, "scale", 4, &sc)) ||
        (rc = nfb_vector(&t->b, &q, F_Q_ZERO_POINT, "zero_point", 8, &zp)))
        return rc;
    if (details != 0)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' uses custom quantization "
                        "details (type %u); neurio supports affine (scale/zero_point) "
                        "quantization only", idx, name, details);
    neurio_tensor *ir = &t->m->tensors[idx];
    if (sc.n == 0 || ir->dtype == NEURIO_DT_FLOAT32)
        return NEURIO_OK; /* min/max only, or float: nothing to dequantize */
    if (zp.n != 0 && zp.n != sc.n)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' has %u "
                        "scales but %u zero points", idx, name, sc.n, zp.n);
    if (sc.n > 1 && (dim < 0 || dim >= ir->rank || ir->dims[dim] != (int32_t)sc.n))
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' has %u "
                        "per-channel scales along dimension %d, which does not match its "
                        "rank-%d shape", idx, name, sc.n, dim, ir->rank);
    float *s = malloc(sc.n * sizeof *s);
    int32_t *z = calloc(sc.n, sizeof *z);
    rc = NEURIO_OK;
    if (!s || !z) {
        rc = tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory reading tensor %d quantization", idx);
        goto done;
    }
    for (uint32_t k = 0; k < sc.n; k++) {
        s[k] = nfb_vec_f32(&t->b, &sc, k);
        if (zp.n) {
            int64_t v = nfb_vec_i64(&t->b, &zp, k);
            if (v < INT32_MIN || v > INT32_MAX) {
                rc = tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' "
                              "zero_point[%u] = %lld does not fit 32 bits", idx, name, k,
                              (long long)v);
                goto done;
            }
            z[k] = (int32_t)v;
        }
    }
    if (neurio_tensor_set_quant(t->m, idx, (int32_t)sc.n, sc.n > 1 ? dim : 0, s, z))
        rc = tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory reading tensor %d quantization", idx);
done:
    free(s);
    free(z);
    return rc;
}

static int read_data(tfl *t, int32_t idx, const char *name, uint32_t bi)
{
    int rc;
    if (bi == 0)
        return NEURIO_OK; /* buffer 0 is the empty sentinel */
    if (bi >= t->buffers.n)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' refers "
                        "to buffer %u, but the model has %u buffers", idx, name, bi,
                        t->buffers.n);
    nfb_table bt;
    nfb_vec data;
    uint64_t off = 0, size = 0;
    nfb_ctx(&t->b, "buffer %u (tensor %d '%.40s')", bi, idx, name);
    if ((rc = nfb_vec_table(&t->b, &t->buffers, bi, "Buffer", &bt)) ||
        (rc = nfb_vector(&t->b, &bt, F_B_DATA, "data", 1, &data)) ||
        (rc = nfb_u64(&t->b, &bt, F_B_OFFSET, "offset", 0, &off)) ||
        (rc = nfb_u64(&t->b, &bt, F_B_SIZE, "size", 0, &size)))
        return rc;
    const uint8_t *src = NULL;
    uint64_t n = 0;
    if (data.n > 0) {
        src = t->b.p + data.pos;
        n = data.n;
    } else if (off > 1) {
        /* Large-model form: bytes stored after the flatbuffer, offset from
         * the start of the file. */
        if (off > t->b.len || size > t->b.len - off)
            return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: buffer %u (tensor "
                            "%d '%s') claims %llu bytes at byte %llu, past the end of the "
                            "%zu-byte file", bi, idx, name, (unsigned long long)size,
                            (unsigned long long)off, t->b.len);
        src = t->b.p + off;
        n = size;
    }
    if (n == 0)
        return NEURIO_OK; /* activation */
    neurio_tensor *ir = &t->m->tensors[idx];
    size_t need = neurio_tensor_bytes(ir);
    if (n != need)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' is %s "
                        "with %zu elements (%zu bytes) but buffer %u holds %llu bytes", idx,
                        name, neurio_dtype_name(ir->dtype), neurio_tensor_elements(ir), need,
                        bi, (unsigned long long)n);
    t->copied += n;
    if (t->copied > 4 * (uint64_t)t->b.len + (1u << 20))
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensors share buffers "
                        "so often that their constants would exceed 4x the file size");
    if (neurio_tensor_set_data(t->m, idx, src, (size_t)n))
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory copying %llu bytes for tensor %d",
                        (unsigned long long)n, idx);
    return NEURIO_OK;
}

static int read_tensor(tfl *t, const nfb_vec *tv, int32_t idx)
{
    nfb_table tt;
    nfb_vec shape;
    uint8_t type = 0, var = 0;
    uint32_t bi = 0, nlen;
    const char *name;
    int rc;
    nfb_ctx(&t->b, "tensor %d", idx);
    if ((rc = nfb_vec_table(&t->b, tv, (uint32_t)idx, "Tensor", &tt)) ||
        (rc = nfb_string(&t->b, &tt, F_T_NAME, "name", &name, &nlen)) ||
        (rc = nfb_vector(&t->b, &tt, F_T_SHAPE, "shape", 4, &shape)) ||
        (rc = nfb_u8(&t->b, &tt, F_T_TYPE, "type", 0, &type)) ||
        (rc = nfb_u32(&t->b, &tt, F_T_BUFFER, "buffer", 0, &bi)) ||
        (rc = nfb_u8(&t->b, &tt, F_T_VARIABLE, "is_variable", 0, &var)))
        return rc;
    nfb_ctx(&t->b, "tensor %d '%.48s'", idx, name);
    neurio_dtype dt;
    if (!map_type((int8_t)type, &dt))
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' has type %s (%d); neurio "
                        "supports FLOAT32, INT8, UINT8, INT16, INT32, INT64 and BOOL tensors",
                        idx, name, tfl_type_name((int8_t)type), (int8_t)type);
    if (shape.n > NEURIO_MAX_RANK)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' has rank %u; neurio "
                        "supports up to %d dimensions", idx, name, shape.n, NEURIO_MAX_RANK);
    if (var)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' is a variable (state "
                        "kept between inferences); neurio supports stateless models only",
                        idx, name);
    if (nfb_has(&t->b, &tt, F_T_SPARSITY))
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%s' is sparse; neurio needs "
                        "dense tensors (convert without sparsification)", idx, name);
    int32_t dims[NEURIO_MAX_RANK];
    for (uint32_t d = 0; d < shape.n; d++) {
        dims[d] = nfb_vec_i32(&t->b, &shape, d);
        if (dims[d] < 0)
            return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' "
                            "dimension %u is %d (shape vector at byte %zu)", idx, name, d,
                            dims[d], shape.pos - 4);
    }
    int32_t k = neurio_model_add_tensor(t->m, name, dt, (int32_t)shape.n, dims);
    if (k != idx)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory adding tensor %d", idx);
    if (neurio_tensor_bytes(&t->m->tensors[k]) == SIZE_MAX)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%s' shape "
                        "overflows the address space", idx, name);
    if ((rc = read_quant(t, &tt, idx, name)))
        return rc;
    return read_data(t, idx, name, bi);
}

/* --- operators ----------------------------------------------------------------- */

typedef struct opctx {
    tfl *t;
    int32_t index;          /* TFLite operator index                 */
    int32_t code;
    nfb_table opt;          /* builtin options table, if present     */
    int has_opt;
} opctx;

static int op_fail(opctx *o, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int op_fail(opctx *o, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return neurio_fail(o->t->err, status, "%soperator %d (%s): %s",
                       status == NEURIO_ERR_FORMAT ? "malformed TFLite file: " : "",
                       o->index, code_name(o->code), msg);
}

static int map_act(opctx *o, uint8_t a, neurio_activation *out)
{
    switch (a) {
    case 0: *out = NEURIO_ACT_NONE; return NEURIO_OK;
    case 1: *out = NEURIO_ACT_RELU; return NEURIO_OK;
    case 2: *out = NEURIO_ACT_RELU_N1_TO_1; return NEURIO_OK;
    case 3: *out = NEURIO_ACT_RELU6; return NEURIO_OK;
    case 4: return op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused TANH activation is not "
                           "supported; neurio fuses NONE, RELU, RELU_N1_TO_1 and RELU6");
    case 5: return op_fail(o, NEURIO_ERR_UNSUPPORTED, "fused SIGN_BIT activation is not "
                           "supported; neurio fuses NONE, RELU, RELU_N1_TO_1 and RELU6");
    default: return op_fail(o, NEURIO_ERR_FORMAT, "unknown fused activation %u", a);
    }
}

static int map_pad(opctx *o, uint8_t p, neurio_padding *out)
{
    if (p == 0) { *out = NEURIO_PAD_SAME; return NEURIO_OK; }
    if (p == 1) { *out = NEURIO_PAD_VALID; return NEURIO_OK; }
    return op_fail(o, NEURIO_ERR_FORMAT, "unknown padding %u (SAME=0, VALID=1)", p);
}

static int need_opt(opctx *o, const char *table)
{
    if (!o->has_opt)
        return op_fail(o, NEURIO_ERR_FORMAT, "has no %s (strides and window sizes are "
                       "required)", table);
    return NEURIO_OK;
}

/* TFLite's SAME padding split (more at the bottom/right), recorded in
 * attr.pad so that codegen need not recompute it. */
static void same_pads(int32_t in, int32_t out, int32_t k, int32_t stride, int32_t dil,
                      int32_t *lo, int32_t *hi)
{
    int64_t eff = ((int64_t)k - 1) * dil + 1;
    int64_t total = ((int64_t)out - 1) * stride + eff - in;
    if (total < 0)
        total = 0;
    *lo = (int32_t)(total / 2);
    *hi = (int32_t)(total - total / 2);
}

static const neurio_tensor *ir_in(const neurio_model *m, const neurio_op *op, int k)
{
    if (k >= op->n_inputs || op->inputs[k] < 0)
        return NULL;
    return &m->tensors[op->inputs[k]];
}

static int conv_options(opctx *o, neurio_op *op, int depthwise)
{
    nfb_buf *b = &o->t->b;
    neurio_conv_attr *a = &op->attr.conv;
    uint8_t pad = 0, act = 0;
    int32_t sw = 0, sh = 0, dw = 1, dh = 1, dm = 1;
    int rc = need_opt(o, depthwise ? "DepthwiseConv2DOptions" : "Conv2DOptions");
    if (rc)
        return rc;
    /* Conv2DOptions: padding, stride_w, stride_h, act, dil_w, dil_h.
     * DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier,
     * act, dil_w, dil_h. */
    int base = depthwise ? 1 : 0;
    if ((rc = nfb_u8(b, &o->opt, 0, "padding", 0, &pad)) ||
        (rc = nfb_i32(b, &o->opt, 1, "stride_w", 0, &sw)) ||
        (rc = nfb_i32(b, &o->opt, 2, "stride_h", 0, &sh)) ||
        (depthwise && (rc = nfb_i32(b, &o->opt, 3, "depth_multiplier", 1, &dm))) ||
        (rc = nfb_u8(b, &o->opt, 3 + base, "fused_activation_function", 0, &act)) ||
        (rc = nfb_i32(b, &o->opt, 4 + base, "dilation_w_factor", 1, &dw)) ||
        (rc = nfb_i32(b, &o->opt, 5 + base, "dilation_h_factor", 1, &dh)))
        return rc;
    if ((rc = map_pad(o, pad, &a->padding)) || (rc = map_act(o, act, &a->activation)))
        return rc;
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1)
        return op_fail(o, NEURIO_ERR_FORMAT, "stride %dx%d and dilation %dx%d must be >= 1",
                       sh, sw, dh, dw);
    a->stride_h = sh;
    a->stride_w = sw;
    a->dilation_h = dh;
    a->dilation_w = dw;
    a->depth_multiplier = 1;
    const neurio_model *m = o->t->m;
    const neurio_tensor *x = ir_in(m, op, 0), *w = ir_in(m, op, 1);
    const neurio_tensor *y = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
    if (depthwise) {
        /* depth_multiplier in the options is stale in newer converters; the
         * weights' shape is authoritative. */
        a->depth_multiplier = dm > 0 ? dm : 1;
        if (x && w && x->rank == 4 && w->rank == 4 && x->dims[3] > 0 &&
            w->dims[3] % x->dims[3] == 0 && w->dims[3] > 0)
            a->depth_multiplier = w->dims[3] / x->dims[3];
    }
    if (a->padding == NEURIO_PAD_SAME && x && w && y && x->rank == 4 && w->rank == 4 &&
        y->rank == 4) {
        same_pads(x->dims[1], y->dims[1], w->dims[1], sh, dh, &a->pad[0], &a->pad[2]);
        same_pads(x->dims[2], y->dims[2], w->dims[2], sw, dw, &a->pad[1], &a->pad[3]);
    }
    return NEURIO_OK;
}

static int pool_options(opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    neurio_pool_attr *a = &op->attr.pool;
    uint8_t pad = 0, act = 0;
    int32_t sw = 0, sh = 0, fw = 0, fh = 0;
    int rc = need_opt(o, "Pool2DOptions");
    if (rc)
        return rc;
    if ((rc = nfb_u8(b, &o->opt, 0, "padding", 0, &pad)) ||
        (rc = nfb_i32(b, &o->opt, 1, "stride_w", 0, &sw)) ||
        (rc = nfb_i32(b, &o->opt, 2, "stride_h", 0, &sh)) ||
        (rc = nfb_i32(b, &o->opt, 3, "filter_width", 0, &fw)) ||
        (rc = nfb_i32(b, &o->opt, 4, "filter_height", 0, &fh)) ||
        (rc = nfb_u8(b, &o->opt, 5, "fused_activation_function", 0, &act)))
        return rc;
    if ((rc = map_pad(o, pad, &a->padding)) || (rc = map_act(o, act, &a->activation)))
        return rc;
    if (sw < 1 || sh < 1 || fw < 1 || fh < 1)
        return op_fail(o, NEURIO_ERR_FORMAT, "stride %dx%d and filter %dx%d must be >= 1",
                       sh, sw, fh, fw);
    a->stride_h = sh;
    a->stride_w = sw;
    a->filter_h = fh;
    a->filter_w = fw;
    const neurio_model *m = o->t->m;
    const neurio_tensor *x = ir_in(m, op, 0);
    const neurio_tensor *y = op->n_outputs > 0 ? &m->tensors[op->outputs[0]] : NULL;
    if (a->padding == NEURIO_PAD_SAME && x && y && x->rank == 4 && y->rank == 4) {
        same_pads(x->dims[1], y->dims[1], fh, sh, 1, &a->pad[0], &a->pad[2]);
        same_pads(x->dims[2], y->dims[2], fw, sw, 1, &a->pad[1], &a->pad[3]);
    }
    return NEURIO_OK;
}

/* Constant int32/int64 vector input k of the op (axes, perm); *n values
 * written to out (at most max). */
static int const_ints(opctx *o, neurio_op *op, int k, const char *what, int32_t *out,
                      int32_t max, int32_t *n)
{
    const neurio_tensor *c = ir_in(o->t->m, op, k);
    if (!c || !c->data || (c->dtype != NEURIO_DT_INT32 && c->dtype != NEURIO_DT_INT64))
        return op_fail(o, NEURIO_ERR_UNSUPPORTED, "%s (input %d) must be a constant int32 "
                       "tensor; computed %s are not supported", what, k, what);
    size_t cnt = neurio_tensor_elements(c);
    if (cnt > (size_t)max)
        return op_fail(o, NEURIO_ERR_UNSUPPORTED, "%s has %zu values; at most %d are "
                       "supported", what, cnt, max);
    for (size_t i = 0; i < cnt; i++)
        out[i] = c->dtype == NEURIO_DT_INT32 ? ((const int32_t *)c->data)[i]
                                             : (int32_t)((const int64_t *)c->data)[i];
    *n = (int32_t)cnt;
    return NEURIO_OK;
}

static int in_rank(opctx *o, neurio_op *op, int32_t *rank)
{
    const neurio_tensor *x = ir_in(o->t->m, op, 0);
    if (!x)
        return op_fail(o, NEURIO_ERR_FORMAT, "input 0 is absent");
    *rank = x->rank;
    return NEURIO_OK;
}

static int convert_options(opctx *o, neurio_op *op)
{
    nfb_buf *b = &o->t->b;
    uint8_t act = 0;
    int rc = NEURIO_OK;
    int32_t rank = 0, vals[NEURIO_MAX_RANK], n = 0;
    switch (o->code) {
    case TFL_CONV_2D: return conv_options(o, op, 0);
    case TFL_DEPTHWISE_CONV_2D: return conv_options(o, op, 1);
    case TFL_AVERAGE_POOL_2D:
    case TFL_MAX_POOL_2D: return pool_options(o, op);
    case TFL_FULLY_CONNECTED: {
        uint8_t fmt = 0, keep = 0;
        if (o->has_opt &&
            ((rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &act)) ||
             (rc = nfb_u8(b, &o->opt, 1, "weights_format", 0, &fmt)) ||
             (rc = nfb_u8(b, &o->opt, 2, "keep_num_dims", 0, &keep))))
            return rc;
        if (fmt != 0)
            return op_fail(o, NEURIO_ERR_UNSUPPORTED, "weights_format %u (shuffled) is not "
                           "supported; neurio reads DEFAULT weights", fmt);
        op->attr.fc.keep_num_dims = keep != 0;
        return map_act(o, act, &op->attr.fc.activation);
    }
    case TFL_ADD:
    case TFL_SUB:
    case TFL_MUL:
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "fused_activation_function", 0, &act)))
            return rc;
        return map_act(o, act, &op->attr.eltwise.activation);
    case TFL_CONCATENATION: {
        int32_t axis = 0;
        if (o->has_opt && ((rc = nfb_i32(b, &o->opt, 0, "axis", 0, &axis)) ||
                           (rc = nfb_u8(b, &o->opt, 1, "fused_activation_function", 0, &act))))
            return rc;
        if ((rc = in_rank(o, op, &rank)))
            return rc;
        if (axis < -rank || axis >= rank)
            return op_fail(o, NEURIO_ERR_FORMAT, "axis %d is outside -%d..%d", axis, rank,
                           rank - 1);
        op->attr.concat.axis = axis < 0 ? axis + rank : axis;
        return map_act(o, act, &op->attr.concat.activation);
    }
    case TFL_SOFTMAX: {
        float beta = 1.0f;
        if (o->has_opt && (rc = nfb_f32(b, &o->opt, 0, "beta", 0.0f, &beta)))
            return rc;
        if (!(isfinite(beta) && beta > 0))
            return op_fail(o, NEURIO_ERR_FORMAT, "beta %g must be a positive number",
                           (double)beta);
        op->attr.softmax.beta = beta;
        return NEURIO_OK;
    }
    case TFL_MEAN: {
        uint8_t keep = 0;
        if (o->has_opt && (rc = nfb_u8(b, &o->opt, 0, "keep_dims", 0, &keep)))
            return rc;
        if ((rc = in_rank(o, op, &rank)) ||
            (rc = const_ints(o, op, 1, "axes", vals, NEURIO_MAX_RANK, &n)))
            return rc;
        op->attr.mean.keep_dims = keep != 0;
        op->attr.mean.n_axes = n;
        for (int32_t i = 0; i < n; i++) {
            if (vals[i] < -rank || vals[i] >= rank)
                return op_fail(o, NEURIO_ERR_FORMAT, "axis %d is outside -%d..%d", vals[i],
                               rank, rank - 1);
            op->attr.mean.axes[i] = vals[i] < 0 ? vals[i] + rank : vals[i];
        }
        return NEURIO_OK;
    }
    case TFL_TRANSPOSE:
        if ((rc = in_rank(o, op, &rank)) ||
            (rc = const_ints(o, op, 1, "perm", vals, NEURIO_MAX_RANK, &n)))
            return rc;
        if (n != rank)
            return op_fail(o, NEURIO_ERR_FORMAT, "perm has %d entries for a rank-%d input",
                           n, rank);
        for (int32_t i = 0; i < n; i++)
            op->attr.transpose.perm[i] = vals[i];
        return NEURIO_OK;
    case TFL_RELU_N1_TO_1:
        op->attr.clip.min = -1.0f;
        op->attr.clip.max = 1.0f;
        return NEURIO_OK;
    default:
        return NEURIO_OK; /* PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, TANH, RELU, RELU6 */
    }
}

static int map_kind(int32_t code, neurio_op_kind *k, uint8_t *opt_type)
{
    *opt_type = 0;
    switch (code) {
    case TFL_ADD: *k = NEURIO_OP_ADD; *opt_type = OPT_ADD; return 1;
    case TFL_AVERAGE_POOL_2D: *k = NEURIO_OP_AVERAGE_POOL_2D; *opt_type = OPT_POOL; return 1;
    case TFL_CONCATENATION: *k = NEURIO_OP_CONCATENATION; *opt_type = OPT_CONCAT; return 1;
    case TFL_CONV_2D: *k = NEURIO_OP_CONV_2D; *opt_type = OPT_CONV; return 1;
    case TFL_DEPTHWISE_CONV_2D: *k = NEURIO_OP_DEPTHWISE_CONV_2D; *opt_type = OPT_DEPTHWISE; return 1;
    case TFL_DEQUANTIZE: *k = NEURIO_OP_DEQUANTIZE; return 1;
    case TFL_FULLY_CONNECTED: *k = NEURIO_OP_FULLY_CONNECTED; *opt_type = OPT_FC; return 1;
    case TFL_LOGISTIC: *k = NEURIO_OP_LOGISTIC; return 1;
    case TFL_MAX_POOL_2D: *k = NEURIO_OP_MAX_POOL_2D; *opt_type = OPT_POOL; return 1;
    case TFL_MUL: *k = NEURIO_OP_MUL; *opt_type = OPT_MUL; return 1;
    case TFL_RELU: *k = NEURIO_OP_RELU; return 1;
    case TFL_RELU_N1_TO_1: *k = NEURIO_OP_CLIP; return 1;
    case TFL_RELU6: *k = NEURIO_OP_RELU6; return 1;
    case TFL_RESHAPE: *k = NEURIO_OP_RESHAPE; return 1;
    case TFL_SOFTMAX: *k = NEURIO_OP_SOFTMAX; *opt_type = OPT_SOFTMAX; return 1;
    case TFL_TANH: *k = NEURIO_OP_TANH; return 1;
    case TFL_PAD: *k = NEURIO_OP_PAD; return 1;
    case TFL_TRANSPOSE: *k = NEURIO_OP_TRANSPOSE; return 1;
    case TFL_MEAN: *k = NEURIO_OP_MEAN; *opt_type = OPT_REDUCER; return 1;
    case TFL_SUB: *k = NEURIO_OP_SUB; *opt_type = OPT_SUB; return 1;
    case TFL_QUANTIZE: *k = NEURIO_OP_QUANTIZE; return 1;
    default: return 0;
    }
}

/* Read the tensor index list of an operator or subgraph. */
static int read_indices(tfl *t, const nfb_vec *v, const char *what, int allow_absent,
                        int32_t *out)
{
    for (uint32_t i = 0; i < v->n; i++) {
        int32_t x = nfb_vec_i32(&t->b, v, i);
        if (x >= t->n_tensors || x < (allow_absent ? -1 : 0))
            return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: %s: entry %u refers "
                            "to tensor %d, but the subgraph has %d tensors (vector at byte "
                            "%zu)", t->b.ctx, i, x, t->n_tensors, v->pos - 4);
        (void)what;
        out[i] = x;
    }
    return NEURIO_OK;
}

/* First pass: name every operator neurio cannot import, so one error lists
 * them all (what `neurio inspect` shows for such a model). */
static int check_ops_supported(tfl *t, const nfb_vec *ops)
{
    char list[320];
    size_t o = 0;
    int bad = 0, rc;
    list[0] = '\0';
    for (uint32_t i = 0; i < ops->n; i++) {
        nfb_table ot;
        uint32_t oci = 0;
        nfb_ctx(&t->b, "operator %u", i);
        if ((rc = nfb_vec_table(&t->b, ops, i, "Operator", &ot)) ||
            (rc = nfb_u32(&t->b, &ot, F_OP_OPCODE, "opcode_index", 0, &oci)))
            return rc;
        if (oci >= t->n_codes)
            return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: operator %u uses "
                            "opcode_index %u, but the model has %u operator codes", i, oci,
                            t->n_codes);
        const tfl_code *c = &t->codes[oci];
        neurio_op_kind k;
        uint8_t ot_type;
        if (c->builtin != TFL_CUSTOM && map_kind(c->builtin, &k, &ot_type))
            continue;
        if (bad++ < 6 && o < sizeof list) {
            if (c->builtin == TFL_CUSTOM)
                o += (size_t)snprintf(list + o, sizeof list - o, "%soperator %u is custom op "
                                      "'%.40s'", o ? "; " : "", i, c->custom);
            else
                o += (size_t)snprintf(list + o, sizeof list - o, "%soperator %u is %s "
                                      "(builtin %d)", o ? "; " : "", i, code_name(c->builtin),
                                      c->builtin);
        }
    }
    if (bad)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "%d unsupported operator%s: %s%s. neurio "
                        "imports no custom ops and these builtins: %s", bad, bad > 1 ? "s" : "",
                        list, bad > 6 ? "; ..." : "", supported_list);
    return NEURIO_OK;
}

static int read_operator(tfl *t, const nfb_vec *ops, int32_t i)
{
    nfb_table ot;
    nfb_vec iv, ov;
    uint32_t oci = 0;
    uint8_t opt_type = 0;
    int rc;
    opctx o = { .t = t, .index = i };
    nfb_ctx(&t->b, "operator %d", i);
    if ((rc = nfb_vec_table(&t->b, ops, (uint32_t)i, "Operator", &ot)) ||
        (rc = nfb_u32(&t->b, &ot, F_OP_OPCODE, "opcode_index", 0, &oci)) ||
        (rc = nfb_vector(&t->b, &ot, F_OP_INPUTS, "inputs", 4, &iv)) ||
        (rc = nfb_vector(&t->b, &ot, F_OP_OUTPUTS, "outputs", 4, &ov)) ||
        (rc = nfb_u8(&t->b, &ot, F_OP_OPTIONS_TYPE, "builtin_options_type", 0, &opt_type)) ||
        (rc = nfb_table_field(&t->b, &ot, F_OP_OPTIONS, "builtin_options", &o.opt, &o.has_opt)))
        return rc;
    o.code = t->codes[oci].builtin; /* oci checked by check_ops_supported */
    neurio_op_kind kind;
    uint8_t want_opt;
    if (!map_kind(o.code, &kind, &want_opt))
        return op_fail(&o, NEURIO_ERR_INTERNAL, "unsupported op slipped through");
    if (o.has_opt && want_opt && opt_type != want_opt)
        return op_fail(&o, NEURIO_ERR_FORMAT, "builtin_options has union type %u, expected "
                       "%u for this op", opt_type, want_opt);
    if (o.has_opt && !want_opt)
        o.has_opt = 0; /* empty options tables (PadOptions, ...) carry nothing */
    if (iv.n > 1024 || ov.n > 64 || ov.n == 0)
        return op_fail(&o, NEURIO_ERR_FORMAT, "has %u inputs and %u outputs", iv.n, ov.n);
    int32_t in[1024], out[64];
    nfb_ctx(&t->b, "operator %d (%s) inputs", i, code_name(o.code));
    if ((rc = read_indices(t, &iv, "inputs", 1, in)))
        return rc;
    nfb_ctx(&t->b, "operator %d (%s) outputs", i, code_name(o.code));
    if ((rc = read_indices(t, &ov, "outputs", 0, out)))
        return rc;
    int32_t k = neurio_model_add_op(t->m, kind, (int32_t)iv.n, in, (int32_t)ov.n, out);
    if (k < 0)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory adding operator %d", i);
    char nm[32];
    snprintf(nm, sizeof nm, "tfl_op_%d", i);
    free(t->m->ops[k].name);
    t->m->ops[k].name = strdup(nm);
    if (!t->m->ops[k].name)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory naming operator %d", i);
    nfb_ctx(&t->b, "operator %d (%s) options", i, code_name(o.code));
    return convert_options(&o, &t->m->ops[k]);
}

/* --- model ----------------------------------------------------------------------- */

static int read_io(tfl *t, const nfb_table *sg)
{
    nfb_vec iv, ov;
    int rc;
    nfb_ctx(&t->b, "subgraph 0");
    if ((rc = nfb_vector(&t->b, sg, F_SG_INPUTS, "inputs", 4, &iv)) ||
        (rc = nfb_vector(&t->b, sg, F_SG_OUTPUTS, "outputs", 4, &ov)))
        return rc;
    int32_t *in = malloc((iv.n ? iv.n : 1) * sizeof *in);
    int32_t *out = malloc((ov.n ? ov.n : 1) * sizeof *out);
    if (!in || !out) {
        rc = tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory reading graph inputs/outputs");
        goto done;
    }
    nfb_ctx(&t->b, "subgraph 0 inputs");
    if ((rc = read_indices(t, &iv, "inputs", 0, in)))
        goto done;
    nfb_ctx(&t->b, "subgraph 0 outputs");
    if ((rc = read_indices(t, &ov, "outputs", 0, out)))
        goto done;
    if (neurio_model_set_io(t->m, (int32_t)iv.n, in, (int32_t)ov.n, out))
        rc = tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory setting graph inputs/outputs");
done:
    free(in);
    free(out);
    return rc;
}

static int parse(tfl *t, const char *name)
{
    nfb_buf *b = &t->b;
    nfb_table root, sg;
    nfb_vec sgs, tensors, ops;
    uint32_t version = 0, dlen;
    const char *desc;
    int rc;
    if (b->len < 8 || memcmp(b->p + 4, "TFL3", 4) != 0)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "not a TFLite model: no 'TFL3' identifier at "
                        "byte 4 (%zu-byte file); is it truncated or another format?", b->len);
    if ((rc = nfb_root(b, &root)) ||
        (rc = nfb_u32(b, &root, F_MODEL_VERSION, "version", 0, &version)))
        return rc;
    if (version != 3)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "TFLite schema version %u; neurio reads "
                        "version 3 files (re-convert the model with a current converter)",
                        version);
    if ((rc = read_codes(t, &root)))
        return rc;
    nfb_ctx(b, "model");
    if ((rc = nfb_vector(b, &root, F_MODEL_SUBGRAPHS, "subgraphs", 4, &sgs)) ||
        (rc = nfb_vector(b, &root, F_MODEL_BUFFERS, "buffers", 4, &t->buffers)) ||
        (rc = nfb_string(b, &root, F_MODEL_DESCRIPTION, "description", &desc, &dlen)))
        return rc;
    if (sgs.n == 0)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: the model has no "
                        "subgraph");
    if (sgs.n > 1)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "the model has %u subgraphs; neurio "
                        "imports single-subgraph models only (control flow such as IF, "
                        "WHILE or CALL_ONCE is not supported)", sgs.n);
    t->m = neurio_model_new(name);
    if (!t->m)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory");
    free(t->m->format);
    free(t->m->description);
    t->m->format = strdup("tflite");
    t->m->description = strdup(desc);
    if (!t->m->format || !t->m->description)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory");

    nfb_ctx(b, "subgraph 0");
    if ((rc = nfb_vec_table(b, &sgs, 0, "SubGraph", &sg)) ||
        (rc = nfb_vector(b, &sg, F_SG_TENSORS, "tensors", 4, &tensors)) ||
        (rc = nfb_vector(b, &sg, F_SG_OPERATORS, "operators", 4, &ops)))
        return rc;
    if (tensors.n > (1u << 24) || ops.n > (1u << 24))
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: %u tensors and %u "
                        "operators is beyond any model neurio can run", tensors.n, ops.n);
    t->n_tensors = (int32_t)tensors.n;
    if ((rc = check_ops_supported(t, &ops)))
        return rc;
    for (int32_t i = 0; i < t->n_tensors; i++)
        if ((rc = read_tensor(t, &tensors, i)))
            return rc;
    for (int32_t i = 0; i < (int32_t)ops.n; i++)
        if ((rc = read_operator(t, &ops, i)))
            return rc;
    if ((rc = read_io(t, &sg)))
        return rc;
    neurio_errbuf cerr;
    if ((rc = neurio_model_compact(t->m, &cerr)))
        return tfl_fail(t, rc == NEURIO_ERR_NOMEM ? rc : NEURIO_ERR_FORMAT,
                        "malformed TFLite file: %s", cerr.msg);
    return NEURIO_OK;
}

int neurio_tflite_parse(const void *buf, size_t len, const char *name,
                        neurio_model **out, neurio_errbuf *err)
{
    if (out)
        *out = NULL;
    if (!out || (!buf && len))
        return neurio_fail(err, NEURIO_ERR_INVALID, "tflite parse: no buffer or output");
    tfl t;
    memset(&t, 0, sizeof t);
    t.err = err;
    nfb_init(&t.b, buf, len, err);
    int rc = parse(&t, name ? name : "model");
    free(t.codes);
    if (rc != NEURIO_OK) {
        neurio_model_free(t.m);
        return rc;
    }
    *out = t.m;
    return NEURIO_OK;
}

int neurio_tflite_load(const char *path, neurio_model **out, neurio_errbuf *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return neurio_fail(err, NEURIO_ERR_INVALID, "tflite load: no path given");
    int rc = NEURIO_OK;
    uint8_t *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: cannot seek: %s", path, strerror(errno));
        goto done;
    }
    long sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: cannot size the file: %s", path,
                         strerror(errno));
        goto done;
    }
    buf = malloc(sz ? (size_t)sz : 1);
    if (!buf) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory for %ld bytes", path, sz);
        goto done;
    }
    if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: short read", path);
        goto done;
    }
    neurio_errbuf e;
    e.msg[0] = '\0';
    rc = neurio_tflite_parse(buf, (size_t)sz, path, out, &e);
    if (rc != NEURIO_OK) {
        neurio_fail(err, rc, "%s: %s", path, e.msg);
        goto done;
    }
    free((*out)->source);
    (*out)->source = strdup(path);
    if (!(*out)->source) {
        neurio_model_free(*out);
        *out = NULL;
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
    }
done:
    free(buf);
    fclose(f);
    return rc;
}
