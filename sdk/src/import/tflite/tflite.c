/* sdk/src/import/tflite/tflite.c — TFLite flatbuffer → neurio graph IR (see neurio/tflite.h).
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
#include "tflite_internal.h"

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
/* TensorType values neurio maps specially. */
enum { TFL_TYPE_INT4 = 17 };
/* Operator */
enum { F_OP_OPCODE = 0, F_OP_INPUTS = 1, F_OP_OUTPUTS = 2, F_OP_OPTIONS_TYPE = 3,
       F_OP_OPTIONS = 4, F_OP_CUSTOM_OPTIONS = 5 };

static int tfl_fail(tfl *t, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tfl_fail(tfl *t, int status, const char *fmt, ...)
{
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (status == NEURIO_ERR_FORMAT && t->at)
        return neurio_fail(t->err, status, "%s (table at byte %zu)", msg, t->at);
    return neurio_fail(t->err, status, "%s", msg);
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
    case 12: *dt = NEURIO_DT_UINT64; return 1;
    case 15: *dt = NEURIO_DT_UINT32; return 1;
    case TFL_TYPE_INT4: *dt = NEURIO_DT_INT8; return 1; /* constants, unpacked (read_data) */
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
    t->at = q.pos;
    if ((rc = nfb_u8(&t->b, &q, F_Q_DETAILS_TYPE, "details_type", 0, &details)) ||
        (rc = nfb_i32(&t->b, &q, F_Q_DIM, "quantized_dimension", 0, &dim)) ||
        (rc = nfb_vector(&t->b, &q, F_Q_SCALE, "scale", 4, &sc)) ||
        (rc = nfb_vector(&t->b, &q, F_Q_ZERO_POINT, "zero_point", 8, &zp)))
        return rc;
    if (details != 0)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%.60s' uses custom quantization "
                        "details (type %u); neurio supports affine (scale/zero_point) "
                        "quantization only", idx, name, details);
    neurio_tensor *ir = &t->m->tensors[idx];
    if (sc.n == 0 || ir->dtype == NEURIO_DT_FLOAT32)
        return NEURIO_OK; /* min/max only, or float: nothing to dequantize */
    if (zp.n != 0 && zp.n != sc.n)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' has %u "
                        "scales but %u zero points", idx, name, sc.n, zp.n);
    /* A rank-1 tensor (a conv's per-channel bias) may carry its filter's
     * quantized_dimension (3 for DEPTHWISE_CONV_2D): TFLite Micro reads its
     * scales by position, so one scale per element is what matters. */
    if (sc.n > 1 && ir->rank == 1 && ir->dims[0] == (int32_t)sc.n)
        dim = 0;
    if (sc.n > 1 && (dim < 0 || dim >= ir->rank || ir->dims[dim] != (int32_t)sc.n))
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' has %u "
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
                rc = tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' "
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

/* TFLite's INT4: two values per byte, low nibble first, sign-extended;
 * the IR holds them unpacked as int8 (as TFLite Micro unpacks int4 weights
 * before its kernels run). */
static int set_int4_data(tfl *t, int32_t idx, const uint8_t *src, size_t n)
{
    int8_t *v = malloc(n ? n : 1);
    if (!v)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory unpacking tensor %d", idx);
    for (size_t i = 0; i < n; i++) {
        uint8_t nib = (uint8_t)(i % 2 ? src[i / 2] >> 4 : src[i / 2] & 15u);
        v[i] = (int8_t)(nib >= 8 ? (int)nib - 16 : (int)nib);
    }
    int rc = neurio_tensor_set_data(t->m, idx, v, n);
    free(v);
    return rc ? tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory unpacking tensor %d", idx)
              : NEURIO_OK;
}

static int read_data(tfl *t, int32_t idx, const char *name, uint32_t bi, int int4)
{
    int rc;
    if (bi == 0)
        return NEURIO_OK; /* buffer 0 is the empty sentinel */
    if (bi >= t->buffers.n)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' refers "
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
    t->at = bt.pos;
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
                            "%d '%.60s') claims %llu bytes at byte %llu, past the end of the "
                            "%zu-byte file", bi, idx, name, (unsigned long long)size,
                            (unsigned long long)off, t->b.len);
        src = t->b.p + off;
        n = size;
    }
    if (n == 0)
        return NEURIO_OK; /* activation */
    neurio_tensor *ir = &t->m->tensors[idx];
    size_t need = int4 ? (neurio_tensor_elements(ir) + 1) / 2 : neurio_tensor_bytes(ir);
    if (n != need)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' is %s "
                        "with %zu elements (%zu bytes) but buffer %u holds %llu bytes", idx,
                        name, int4 ? "int4" : neurio_dtype_name(ir->dtype),
                        neurio_tensor_elements(ir), need, bi, (unsigned long long)n);
    t->copied += n;
    if (t->copied > 4 * (uint64_t)t->b.len + (1u << 20))
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensors share buffers "
                        "so often that their constants would exceed 4x the file size");
    if (int4)
        return set_int4_data(t, idx, src, neurio_tensor_elements(ir));
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
    t->at = tt.pos;
    nfb_ctx(&t->b, "tensor %d '%.48s'", idx, name);
    neurio_dtype dt;
    if (!map_type((int8_t)type, &dt))
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%.60s' has type %s (%d); neurio "
                        "supports FLOAT32, INT8, UINT8, INT16, INT32, INT64, UINT32, UINT64, "
                        "BOOL and INT4 (constant) tensors, the types TFLite Micro's kernels "
                        "compute with", idx, name, tfl_type_name((int8_t)type), (int8_t)type);
    if (shape.n > NEURIO_MAX_RANK)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%.60s' has rank %u; neurio "
                        "supports up to %d dimensions", idx, name, shape.n, NEURIO_MAX_RANK);
    if (nfb_has(&t->b, &tt, F_T_SPARSITY))
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%.60s' is sparse; neurio needs "
                        "dense tensors (convert without sparsification)", idx, name);
    int32_t dims[NEURIO_MAX_RANK];
    for (uint32_t d = 0; d < shape.n; d++) {
        dims[d] = nfb_vec_i32(&t->b, &shape, d);
        if (dims[d] < 0)
            return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' "
                            "dimension %u is %d (shape vector at byte %zu)", idx, name, d,
                            dims[d], shape.pos - 4);
    }
    int32_t k = neurio_model_add_tensor(t->m, name, dt, (int32_t)shape.n, dims);
    if (k != idx)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory adding tensor %d", idx);
    if (neurio_tensor_bytes(&t->m->tensors[k]) == SIZE_MAX)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: tensor %d '%.60s' shape "
                        "overflows the address space", idx, name);
    if ((rc = read_quant(t, &tt, idx, name)))
        return rc;
    t->at = tt.pos;
    if (var) {
        /* State kept between inferences: its contents start from zero (the
         * zero point) whatever its buffer holds, as in TFLite Micro. */
        t->m->tensors[k].is_variable = 1;
        return NEURIO_OK;
    }
    int int4 = (int8_t)type == TFL_TYPE_INT4;
    if ((rc = read_data(t, idx, name, bi, int4)))
        return rc;
    if (int4 && !t->m->tensors[k].data)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "tensor %d '%.60s' is an int4 activation; "
                        "TFLite Micro (and neurio) take int4 only as constant weights", idx,
                        name);
    return NEURIO_OK;
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
        if (c->builtin != TFL_CUSTOM && ntfl_map_kind(c->builtin, &k, &ot_type))
            continue;
        if (c->builtin == TFL_CUSTOM && ntfl_map_custom(c->custom, &k))
            continue;
        if (bad++ < 6 && o < sizeof list) {
            if (c->builtin == TFL_CUSTOM)
                o += (size_t)snprintf(list + o, sizeof list - o, "%soperator %u is custom op "
                                      "'%.40s'", o ? "; " : "", i, c->custom);
            else
                o += (size_t)snprintf(list + o, sizeof list - o, "%soperator %u is %s "
                                      "(builtin %d)", o ? "; " : "", i, ntfl_code_name(c->builtin),
                                      c->builtin);
        }
    }
    if (bad)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "%d unsupported operator%s: %s%s. neurio "
                        "imports these builtins: %s", bad, bad > 1 ? "s" : "",
                        list, bad > 6 ? "; ..." : "", ntfl_supported_list);
    return NEURIO_OK;
}

/* SignalFilterBankSpectralSubtraction keeps its noise estimate in an op
 * buffer in TFLite Micro; in the IR it is a variable tensor shaped like the
 * input, appended as input 1. */
static int add_noise_state(tfl *t, ntfl_opctx *o, int32_t *in, int32_t *n_in)
{
    if (*n_in != 1 || in[0] < 0)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "has %d inputs, expected 1", *n_in);
    const neurio_tensor *x = &t->m->tensors[in[0]];
    char nm[48];
    snprintf(nm, sizeof nm, "noise_state_of_op_%d", o->index);
    int32_t dims[NEURIO_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    int32_t s = neurio_model_add_tensor(t->m, nm, NEURIO_DT_UINT32, x->rank, dims);
    if (s < 0)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory adding a state tensor");
    t->m->tensors[s].is_variable = 1;
    in[1] = s;
    *n_in = 2;
    return NEURIO_OK;
}

/* TRANSPOSE_CONV's TFLite operands (output_shape, weights, x[, bias]) into
 * the IR's order (x, weights, bias or -1, output_shape); see model.h. */
static int tconv_operands(ntfl_opctx *o, int32_t *in, int32_t *n_in)
{
    if (*n_in < 3 || *n_in > 4)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "has %d inputs, expected 3 (output_shape, "
                            "weights, input) or 4 (and bias)", *n_in);
    if (in[1] < 0 || in[2] < 0)
        return ntfl_op_fail(o, NEURIO_ERR_FORMAT, "weights (input 1) and input (input 2) are "
                            "required");
    int32_t shape = in[0], w = in[1], x = in[2], b = *n_in == 4 ? in[3] : -1;
    in[0] = x;
    in[1] = w;
    in[2] = b;
    in[3] = shape;
    *n_in = 4;
    return NEURIO_OK;
}

static int read_operator(tfl *t, const nfb_vec *ops, int32_t i)
{
    nfb_table ot;
    nfb_vec iv, ov;
    uint32_t oci = 0;
    uint8_t opt_type = 0;
    int rc;
    ntfl_opctx o = { .t = t, .index = i };
    nfb_ctx(&t->b, "operator %d", i);
    if ((rc = nfb_vec_table(&t->b, ops, (uint32_t)i, "Operator", &ot)) ||
        (rc = nfb_u32(&t->b, &ot, F_OP_OPCODE, "opcode_index", 0, &oci)) ||
        (rc = nfb_vector(&t->b, &ot, F_OP_INPUTS, "inputs", 4, &iv)) ||
        (rc = nfb_vector(&t->b, &ot, F_OP_OUTPUTS, "outputs", 4, &ov)) ||
        (rc = nfb_u8(&t->b, &ot, F_OP_OPTIONS_TYPE, "builtin_options_type", 0, &opt_type)) ||
        (rc = nfb_table_field(&t->b, &ot, F_OP_OPTIONS, "builtin_options", &o.opt, &o.has_opt)))
        return rc;
    t->at = ot.pos;
    o.code = t->codes[oci].builtin; /* oci checked by check_ops_supported */
    neurio_op_kind kind;
    uint8_t want_opt = 0;
    nfb_vec copt = {0};
    if (o.code == TFL_CUSTOM) {
        if (!ntfl_map_custom(t->codes[oci].custom, &kind))
            return ntfl_op_fail(&o, NEURIO_ERR_INTERNAL, "unsupported op slipped through");
        if ((rc = nfb_vector(&t->b, &ot, F_OP_CUSTOM_OPTIONS, "custom_options", 1, &copt)))
            return rc;
    } else if (!ntfl_map_kind(o.code, &kind, &want_opt)) {
        return ntfl_op_fail(&o, NEURIO_ERR_INTERNAL, "unsupported op slipped through");
    }
    if (o.has_opt && want_opt && opt_type != want_opt)
        return ntfl_op_fail(&o, NEURIO_ERR_FORMAT, "builtin_options has union type %u, expected "
                       "%u for this op", opt_type, want_opt);
    if (o.has_opt && !want_opt)
        o.has_opt = 0; /* empty options tables (PadOptions, ...) carry nothing */
    if (iv.n > 1024 || ov.n > 64 || ov.n == 0)
        return ntfl_op_fail(&o, NEURIO_ERR_FORMAT, "has %u inputs and %u outputs", iv.n, ov.n);
    int32_t in[1025], out[64], n_in = (int32_t)iv.n;
    nfb_ctx(&t->b, "operator %d (%s) inputs", i, ntfl_code_name(o.code));
    if ((rc = read_indices(t, &iv, "inputs", 1, in)))
        return rc;
    nfb_ctx(&t->b, "operator %d (%s) outputs", i, ntfl_code_name(o.code));
    if ((rc = read_indices(t, &ov, "outputs", 0, out)))
        return rc;
    if (kind == NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION && (rc = add_noise_state(t, &o, in, &n_in)))
        return rc;
    if (kind == NEURIO_OP_TRANSPOSE_CONV && (rc = tconv_operands(&o, in, &n_in)))
        return rc;
    int32_t k = neurio_model_add_op(t->m, kind, n_in, in, (int32_t)ov.n, out);
    if (k < 0)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory adding operator %d", i);
    char nm[32];
    snprintf(nm, sizeof nm, "tfl_op_%d", i);
    free(t->m->ops[k].name);
    t->m->ops[k].name = strdup(nm);
    if (!t->m->ops[k].name)
        return tfl_fail(t, NEURIO_ERR_NOMEM, "out of memory naming operator %d", i);
    nfb_ctx(&t->b, "operator %d (%s) options", i, ntfl_code_name(o.code));
    if (o.code == TFL_CUSTOM)
        return ntfl_custom_options(&o, &t->m->ops[k], t->b.p + copt.pos, copt.n);
    return ntfl_convert_options(&o, &t->m->ops[k]);
}

static int open_model(tfl *t, nfb_table *root, nfb_vec *sgs);

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
    uint32_t dlen;
    const char *desc;
    int rc;
    if ((rc = open_model(t, &root, &sgs)))
        return rc;
    nfb_ctx(b, "model");
    if ((rc = nfb_vector(b, &root, F_MODEL_BUFFERS, "buffers", 4, &t->buffers)) ||
        (rc = nfb_string(b, &root, F_MODEL_DESCRIPTION, "description", &desc, &dlen)))
        return rc;
    /* Subgraphs other than 0 run only when a control-flow op of subgraph 0
     * (IF, WHILE, CALL_ONCE) calls them; neurio imports no such op (they
     * are refused by name below), so the others are unused, as in TFLite
     * Micro's interpreter, and are not read. */
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
    t->at = 0;
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

/* Header, root table, schema version, operator codes, subgraph 0's
 * operator vector: the common start of parse() and list_ops(). */
static int open_model(tfl *t, nfb_table *root, nfb_vec *sgs)
{
    nfb_buf *b = &t->b;
    uint32_t version = 0;
    int rc;
    if (b->len < 8 || memcmp(b->p + 4, "TFL3", 4) != 0)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "not a TFLite model: no 'TFL3' identifier at "
                        "byte 4 (%zu-byte file); is it truncated or another format?", b->len);
    if ((rc = nfb_root(b, root)) ||
        (rc = nfb_u32(b, root, F_MODEL_VERSION, "version", 0, &version)))
        return rc;
    if (version != 3)
        return tfl_fail(t, NEURIO_ERR_UNSUPPORTED, "TFLite schema version %u; neurio reads "
                        "version 3 files (re-convert the model with a current converter)",
                        version);
    if ((rc = read_codes(t, root)))
        return rc;
    nfb_ctx(b, "model");
    if ((rc = nfb_vector(b, root, F_MODEL_SUBGRAPHS, "subgraphs", 4, sgs)))
        return rc;
    if (sgs->n == 0)
        return tfl_fail(t, NEURIO_ERR_FORMAT, "malformed TFLite file: the model has no "
                        "subgraph");
    return NEURIO_OK;
}

int neurio_tflite_list_ops(const void *buf, size_t len, neurio_tflite_op_info **ops,
                           int32_t *n, neurio_errbuf *err)
{
    if (!ops || !n || (!buf && len))
        return neurio_fail(err, NEURIO_ERR_INVALID, "tflite list_ops: bad arguments");
    *ops = NULL;
    *n = 0;
    tfl t;
    memset(&t, 0, sizeof t);
    t.err = err;
    nfb_init(&t.b, buf, len, err);
    nfb_table root, sg;
    nfb_vec sgs, opv;
    neurio_tflite_op_info *info = NULL;
    int rc;
    if ((rc = open_model(&t, &root, &sgs)))
        goto done;
    nfb_ctx(&t.b, "subgraph 0");
    if ((rc = nfb_vec_table(&t.b, &sgs, 0, "SubGraph", &sg)) ||
        (rc = nfb_vector(&t.b, &sg, F_SG_OPERATORS, "operators", 4, &opv)))
        goto done;
    if (opv.n > (1u << 24)) {
        rc = tfl_fail(&t, NEURIO_ERR_FORMAT, "malformed TFLite file: %u operators", opv.n);
        goto done;
    }
    info = calloc(opv.n ? opv.n : 1, sizeof *info);
    if (!info) {
        rc = tfl_fail(&t, NEURIO_ERR_NOMEM, "out of memory listing %u operators", opv.n);
        goto done;
    }
    for (uint32_t i = 0; i < opv.n; i++) {
        nfb_table ot;
        uint32_t oci = 0;
        nfb_ctx(&t.b, "operator %u", i);
        if ((rc = nfb_vec_table(&t.b, &opv, i, "Operator", &ot)) ||
            (rc = nfb_u32(&t.b, &ot, F_OP_OPCODE, "opcode_index", 0, &oci)))
            goto done;
        if (oci >= t.n_codes) {
            rc = tfl_fail(&t, NEURIO_ERR_FORMAT, "malformed TFLite file: operator %u uses "
                          "opcode_index %u, but the model has %u operator codes", i, oci,
                          t.n_codes);
            goto done;
        }
        const tfl_code *c = &t.codes[oci];
        neurio_op_kind k;
        uint8_t ot_type;
        info[i].index = (int32_t)i;
        info[i].builtin = c->builtin;
        info[i].supported = c->builtin != TFL_CUSTOM ? ntfl_map_kind(c->builtin, &k, &ot_type)
                                                     : ntfl_map_custom(c->custom, &k);
        snprintf(info[i].name, sizeof info[i].name, "%s",
                 c->builtin == TFL_CUSTOM ? c->custom : ntfl_code_name(c->builtin));
    }
    *ops = info;
    *n = (int32_t)opv.n;
    info = NULL;
    rc = NEURIO_OK;
done:
    free(info);
    free(t.codes);
    return rc;
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
