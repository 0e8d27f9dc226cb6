/* sdk/src/ir/model.c — neurio's graph IR: construction, queries, compact,
 * clone, MACs.  Compaction (topological order, renumbering) lives in
 * model_compact.c, validation in model_validate.c, hashing in
 * model_sha256.c, the format-dispatching loader in model_load.c. */
#include "neurio/model.h"

#include "model_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>


/* Internal bookkeeping behind neurio_model.priv: array capacities. */
typedef struct model_priv {
    int32_t cap_tensors;
    int32_t cap_ops;
} model_priv;

/* --- dtypes and names ----------------------------------------------------- */

size_t neurio_dtype_size(neurio_dtype dt)
{
    switch (dt) {
    case NEURIO_DT_FLOAT32: return 4;
    case NEURIO_DT_INT8: return 1;
    case NEURIO_DT_UINT8: return 1;
    case NEURIO_DT_INT16: return 2;
    case NEURIO_DT_INT32: return 4;
    case NEURIO_DT_INT64: return 8;
    case NEURIO_DT_BOOL: return 1;
    case NEURIO_DT_FLOAT64: return 8;
    case NEURIO_DT_UINT32: return 4;
    case NEURIO_DT_UINT64: return 8;
    case NEURIO_DT_UNKNOWN: break;
    }
    return 0;
}

const char *neurio_dtype_name(neurio_dtype dt)
{
    switch (dt) {
    case NEURIO_DT_FLOAT32: return "float32";
    case NEURIO_DT_INT8: return "int8";
    case NEURIO_DT_UINT8: return "uint8";
    case NEURIO_DT_INT16: return "int16";
    case NEURIO_DT_INT32: return "int32";
    case NEURIO_DT_INT64: return "int64";
    case NEURIO_DT_BOOL: return "bool";
    case NEURIO_DT_FLOAT64: return "float64";
    case NEURIO_DT_UINT32: return "uint32";
    case NEURIO_DT_UINT64: return "uint64";
    case NEURIO_DT_UNKNOWN: break;
    }
    return "unknown";
}

static const char *const op_names[NEURIO_OP_COUNT] = {
    [NEURIO_OP_CONV_2D] = "CONV_2D",
    [NEURIO_OP_DEPTHWISE_CONV_2D] = "DEPTHWISE_CONV_2D",
    [NEURIO_OP_FULLY_CONNECTED] = "FULLY_CONNECTED",
    [NEURIO_OP_AVERAGE_POOL_2D] = "AVERAGE_POOL_2D",
    [NEURIO_OP_MAX_POOL_2D] = "MAX_POOL_2D",
    [NEURIO_OP_ADD] = "ADD",
    [NEURIO_OP_SUB] = "SUB",
    [NEURIO_OP_MUL] = "MUL",
    [NEURIO_OP_SOFTMAX] = "SOFTMAX",
    [NEURIO_OP_RESHAPE] = "RESHAPE",
    [NEURIO_OP_PAD] = "PAD",
    [NEURIO_OP_CONCATENATION] = "CONCATENATION",
    [NEURIO_OP_MEAN] = "MEAN",
    [NEURIO_OP_QUANTIZE] = "QUANTIZE",
    [NEURIO_OP_DEQUANTIZE] = "DEQUANTIZE",
    [NEURIO_OP_LOGISTIC] = "LOGISTIC",
    [NEURIO_OP_TANH] = "TANH",
    [NEURIO_OP_RELU] = "RELU",
    [NEURIO_OP_RELU6] = "RELU6",
    [NEURIO_OP_CLIP] = "CLIP",
    [NEURIO_OP_TRANSPOSE] = "TRANSPOSE",
    [NEURIO_OP_BATCH_NORM] = "BATCH_NORM",
    [NEURIO_OP_MATMUL] = "MATMUL",
    [NEURIO_OP_SVDF] = "SVDF",
    [NEURIO_OP_LSTM] = "UNIDIRECTIONAL_SEQUENCE_LSTM",
    [NEURIO_OP_SIGNAL_WINDOW] = "SignalWindow",
    [NEURIO_OP_SIGNAL_RFFT] = "SignalRfft",
    [NEURIO_OP_SIGNAL_FFT_AUTO_SCALE] = "SignalFftAutoScale",
    [NEURIO_OP_SIGNAL_ENERGY] = "SignalEnergy",
    [NEURIO_OP_SIGNAL_FILTER_BANK] = "SignalFilterBank",
    [NEURIO_OP_SIGNAL_FILTER_BANK_SQRT] = "SignalFilterBankSquareRoot",
    [NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION] = "SignalFilterBankSpectralSubtraction",
    [NEURIO_OP_SIGNAL_FILTER_BANK_LOG] = "SignalFilterBankLog",
    [NEURIO_OP_SIGNAL_PCAN] = "SignalPCAN",
    [NEURIO_OP_TRANSPOSE_CONV] = "TRANSPOSE_CONV",
    [NEURIO_OP_LEAKY_RELU] = "LEAKY_RELU",
    [NEURIO_OP_STRIDED_SLICE] = "STRIDED_SLICE",
    [NEURIO_OP_SLICE] = "SLICE",
    [NEURIO_OP_SPLIT] = "SPLIT",
    [NEURIO_OP_SPLIT_V] = "SPLIT_V",
    [NEURIO_OP_UNPACK] = "UNPACK",
    [NEURIO_OP_PACK] = "PACK",
    [NEURIO_OP_GATHER] = "GATHER",
    [NEURIO_OP_DEPTH_TO_SPACE] = "DEPTH_TO_SPACE",
    [NEURIO_OP_SPACE_TO_DEPTH] = "SPACE_TO_DEPTH",
    [NEURIO_OP_SELECT] = "SELECT",
    [NEURIO_OP_RESIZE_NEAREST] = "RESIZE_NEAREST_NEIGHBOR",
    [NEURIO_OP_RESIZE_BILINEAR] = "RESIZE_BILINEAR",
    [NEURIO_OP_HARD_SWISH] = "HARD_SWISH",
    [NEURIO_OP_PRELU] = "PRELU",
    [NEURIO_OP_LOG_SOFTMAX] = "LOG_SOFTMAX",
    [NEURIO_OP_L2_NORMALIZATION] = "L2_NORMALIZATION",
    [NEURIO_OP_DIV] = "DIV",
    [NEURIO_OP_SQUARED_DIFFERENCE] = "SQUARED_DIFFERENCE",
    [NEURIO_OP_MAXIMUM] = "MAXIMUM",
    [NEURIO_OP_MINIMUM] = "MINIMUM",
    [NEURIO_OP_EQUAL] = "EQUAL",
    [NEURIO_OP_NOT_EQUAL] = "NOT_EQUAL",
    [NEURIO_OP_LESS] = "LESS",
    [NEURIO_OP_LESS_EQUAL] = "LESS_EQUAL",
    [NEURIO_OP_GREATER] = "GREATER",
    [NEURIO_OP_GREATER_EQUAL] = "GREATER_EQUAL",
    [NEURIO_OP_LOGICAL_AND] = "LOGICAL_AND",
    [NEURIO_OP_LOGICAL_OR] = "LOGICAL_OR",
    [NEURIO_OP_LOGICAL_NOT] = "LOGICAL_NOT",
    [NEURIO_OP_ABS] = "ABS",
    [NEURIO_OP_NEG] = "NEG",
    [NEURIO_OP_RSQRT] = "RSQRT",
    [NEURIO_OP_SQRT] = "SQRT",
    [NEURIO_OP_EXP] = "EXP",
    [NEURIO_OP_LOG] = "LOG",
    [NEURIO_OP_CAST] = "CAST",
    [NEURIO_OP_SUM] = "SUM",
    [NEURIO_OP_REDUCE_MAX] = "REDUCE_MAX",
    [NEURIO_OP_REDUCE_MIN] = "REDUCE_MIN",
    [NEURIO_OP_BATCH_MATMUL] = "BATCH_MATMUL",
    [NEURIO_OP_SQUEEZE] = "SQUEEZE",
    [NEURIO_OP_EXPAND_DIMS] = "EXPAND_DIMS",
};

const char *neurio_op_name(neurio_op_kind kind)
{
    if ((int)kind < 0 || kind >= NEURIO_OP_COUNT || !op_names[kind])
        return "UNKNOWN";
    return op_names[kind];
}

/* --- construction ---------------------------------------------------------- */

static char *dup_str(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* A C identifier from a file name: basename without extension, non
 * alphanumerics replaced by '_', leading digit prefixed with 'm_'. */
static char *sanitize_name(const char *name)
{
    if (!name || !*name)
        name = "model";
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    if (n == 0) {
        base = "model";
        n = 5;
    }
    char *out = malloc(n + 3);
    if (!out)
        return NULL;
    size_t o = 0;
    if (isdigit((unsigned char)base[0])) {
        out[o++] = 'm';
        out[o++] = '_';
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)base[i];
        out[o++] = (char)((isalnum(c) || c == '_') && c < 128 ? c : '_');
    }
    out[o] = '\0';
    return out;
}

neurio_model *neurio_model_new(const char *name)
{
    neurio_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->priv = calloc(1, sizeof(model_priv));
    m->name = sanitize_name(name);
    m->source = dup_str("");
    m->format = dup_str("");
    m->description = dup_str("");
    if (!m->priv || !m->name || !m->source || !m->format || !m->description) {
        neurio_model_free(m);
        return NULL;
    }
    return m;
}

void nir_tensor_release(neurio_tensor *t)
{
    free(t->name);
    free(t->quant.scale);
    free(t->quant.zero_point);
    free(t->data);
    memset(t, 0, sizeof *t);
}

void nir_op_release(neurio_op *op)
{
    free(op->inputs);
    free(op->outputs);
    free(op->name);
    memset(op, 0, sizeof *op);
}

void neurio_model_free(neurio_model *m)
{
    if (!m)
        return;
    for (int32_t i = 0; i < m->n_tensors; i++)
        nir_tensor_release(&m->tensors[i]);
    for (int32_t i = 0; i < m->n_ops; i++)
        nir_op_release(&m->ops[i]);
    free(m->tensors);
    free(m->ops);
    free(m->inputs);
    free(m->outputs);
    free(m->name);
    free(m->source);
    free(m->format);
    free(m->description);
    free(m->priv);
    free(m);
}

/* Grow *arr (elements of `size` bytes, *cap of them) to hold `need`. */
static int grow(void **arr, int32_t *cap, int32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    int32_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > INT32_MAX / 2)
            return -1;
        nc *= 2;
    }
    void *p = realloc(*arr, (size_t)nc * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

static model_priv *priv_of(neurio_model *m)
{
    if (!m->priv) {
        model_priv *p = calloc(1, sizeof *p);
        if (!p)
            return NULL;
        p->cap_tensors = m->n_tensors;
        p->cap_ops = m->n_ops;
        m->priv = p;
    }
    return m->priv;
}

void nir_model_set_capacity(neurio_model *m, int32_t cap_tensors, int32_t cap_ops)
{
    model_priv *p = priv_of(m);
    if (p) {
        p->cap_tensors = cap_tensors;
        p->cap_ops = cap_ops;
    }
}

int32_t neurio_model_add_tensor(neurio_model *m, const char *name,
                                neurio_dtype dtype, int32_t rank,
                                const int32_t *dims)
{
    if (!m || rank < 0 || rank > NEURIO_MAX_RANK || (rank > 0 && !dims))
        return -1;
    model_priv *p = priv_of(m);
    if (!p || m->n_tensors == INT32_MAX ||
        grow((void **)&m->tensors, &p->cap_tensors, m->n_tensors + 1,
             sizeof *m->tensors))
        return -1;
    neurio_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = dup_str(name);
    if (!t->name)
        return -1;
    t->dtype = dtype;
    t->rank = rank;
    for (int32_t i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    t->producer = -1;
    return m->n_tensors++;
}

int neurio_tensor_set_data(neurio_model *m, int32_t t, const void *data,
                           size_t bytes)
{
    if (!m || t < 0 || t >= m->n_tensors || (bytes && !data))
        return NEURIO_ERR_INVALID;
    void *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return NEURIO_ERR_NOMEM;
    if (bytes)
        memcpy(copy, data, bytes);
    free(m->tensors[t].data);
    m->tensors[t].data = copy;
    m->tensors[t].data_bytes = bytes;
    return NEURIO_OK;
}

int neurio_tensor_set_quant(neurio_model *m, int32_t t, int32_t count,
                            int32_t axis, const float *scale,
                            const int32_t *zero_point)
{
    if (!m || t < 0 || t >= m->n_tensors || count < 0 ||
        (count > 0 && (!scale || !zero_point)))
        return NEURIO_ERR_INVALID;
    neurio_quant *q = &m->tensors[t].quant;
    float *s = NULL;
    int32_t *z = NULL;
    if (count > 0) {
        s = malloc((size_t)count * sizeof *s);
        z = malloc((size_t)count * sizeof *z);
        if (!s || !z) {
            free(s);
            free(z);
            return NEURIO_ERR_NOMEM;
        }
        memcpy(s, scale, (size_t)count * sizeof *s);
        memcpy(z, zero_point, (size_t)count * sizeof *z);
    }
    free(q->scale);
    free(q->zero_point);
    q->count = count;
    q->axis = count > 0 ? axis : 0;
    q->scale = s;
    q->zero_point = z;
    return NEURIO_OK;
}

static int32_t *dup_i32(const int32_t *a, int32_t n)
{
    int32_t *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    if (d && n > 0)
        memcpy(d, a, (size_t)n * sizeof *d);
    return d;
}

/* Attribute defaults per op kind (the union is zeroed first). */
static void op_defaults(neurio_op *op)
{
    memset(&op->attr, 0, sizeof op->attr);
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D:
    case NEURIO_OP_TRANSPOSE_CONV:
        op->attr.conv.stride_h = op->attr.conv.stride_w = 1;
        op->attr.conv.dilation_h = op->attr.conv.dilation_w = 1;
        op->attr.conv.depth_multiplier = 1;
        break;
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D:
        op->attr.pool.stride_h = op->attr.pool.stride_w = 1;
        op->attr.pool.filter_h = op->attr.pool.filter_w = 1;
        break;
    case NEURIO_OP_SOFTMAX:
        op->attr.softmax.beta = 1.0f;
        break;
    case NEURIO_OP_BATCH_NORM:
        op->attr.batch_norm.epsilon = 1e-5f;
        break;
    case NEURIO_OP_TRANSPOSE:
        for (int i = 0; i < NEURIO_MAX_RANK; i++)
            op->attr.transpose.perm[i] = i;
        break;
    default:
        break;
    }
}

int32_t neurio_model_add_op(neurio_model *m, neurio_op_kind kind,
                            int32_t n_inputs, const int32_t *inputs,
                            int32_t n_outputs, const int32_t *outputs)
{
    if (!m || n_inputs < 0 || n_outputs < 0 || (n_inputs && !inputs) ||
        (n_outputs && !outputs))
        return -1;
    model_priv *p = priv_of(m);
    if (!p || m->n_ops == INT32_MAX ||
        grow((void **)&m->ops, &p->cap_ops, m->n_ops + 1, sizeof *m->ops))
        return -1;
    neurio_op *op = &m->ops[m->n_ops];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->inputs = dup_i32(inputs, n_inputs);
    op->outputs = dup_i32(outputs, n_outputs);
    op->name = dup_str("");
    if (!op->inputs || !op->outputs || !op->name) {
        nir_op_release(op);
        return -1;
    }
    op->n_inputs = n_inputs;
    op->n_outputs = n_outputs;
    op_defaults(op);
    for (int32_t i = 0; i < n_outputs; i++)
        if (outputs[i] >= 0 && outputs[i] < m->n_tensors)
            m->tensors[outputs[i]].producer = m->n_ops;
    return m->n_ops++;
}

int neurio_model_set_io(neurio_model *m, int32_t n_inputs,
                        const int32_t *inputs, int32_t n_outputs,
                        const int32_t *outputs)
{
    if (!m || n_inputs < 0 || n_outputs < 0 || (n_inputs && !inputs) ||
        (n_outputs && !outputs))
        return NEURIO_ERR_INVALID;
    int32_t *in = dup_i32(inputs, n_inputs);
    int32_t *out = dup_i32(outputs, n_outputs);
    if (!in || !out) {
        free(in);
        free(out);
        return NEURIO_ERR_NOMEM;
    }
    free(m->inputs);
    free(m->outputs);
    m->inputs = in;
    m->n_inputs = n_inputs;
    m->outputs = out;
    m->n_outputs = n_outputs;
    return NEURIO_OK;
}

/* --- clone -------------------------------------------------------------------- */

neurio_model *neurio_model_clone(const neurio_model *m)
{
    if (!m)
        return NULL;
    neurio_model *c = neurio_model_new("model");
    if (!c)
        return NULL;
    free(c->name);
    free(c->source);
    free(c->format);
    free(c->description);
    c->name = dup_str(m->name);
    c->source = dup_str(m->source);
    c->format = dup_str(m->format);
    c->description = dup_str(m->description);
    if (!c->name || !c->source || !c->format || !c->description)
        goto fail;
    for (int32_t i = 0; i < m->n_tensors; i++) {
        const neurio_tensor *t = &m->tensors[i];
        int32_t k = neurio_model_add_tensor(c, t->name, t->dtype, t->rank, t->dims);
        if (k < 0)
            goto fail;
        if (t->data && neurio_tensor_set_data(c, k, t->data, t->data_bytes))
            goto fail;
        if (t->quant.count > 0 &&
            neurio_tensor_set_quant(c, k, t->quant.count, t->quant.axis,
                                    t->quant.scale, t->quant.zero_point))
            goto fail;
        c->tensors[k].producer = t->producer;
        c->tensors[k].is_variable = t->is_variable;
    }
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        int32_t k = neurio_model_add_op(c, op->kind, op->n_inputs, op->inputs,
                                        op->n_outputs, op->outputs);
        if (k < 0)
            goto fail;
        neurio_op *d = &c->ops[k];
        d->attr = op->attr;
        d->removed = op->removed;
        free(d->name);
        d->name = dup_str(op->name);
        if (!d->name)
            goto fail;
    }
    /* add_op rewrote producers in op order; restore the source's view. */
    for (int32_t i = 0; i < m->n_tensors; i++)
        c->tensors[i].producer = m->tensors[i].producer;
    if (neurio_model_set_io(c, m->n_inputs, m->inputs, m->n_outputs, m->outputs))
        goto fail;
    return c;
fail:
    neurio_model_free(c);
    return NULL;
}

/* --- queries ------------------------------------------------------------------ */

size_t neurio_tensor_elements(const neurio_tensor *t)
{
    size_t n = 1;
    if (!t || t->rank < 0 || t->rank > NEURIO_MAX_RANK)
        return 0;
    for (int32_t i = 0; i < t->rank; i++) {
        if (t->dims[i] <= 0)
            return 0;
        if (n > SIZE_MAX / (size_t)t->dims[i])
            return SIZE_MAX;
        n *= (size_t)t->dims[i];
    }
    return n;
}

size_t neurio_tensor_bytes(const neurio_tensor *t)
{
    size_t n = neurio_tensor_elements(t);
    size_t s = t ? neurio_dtype_size(t->dtype) : 0;
    if (s && n > SIZE_MAX / s)
        return SIZE_MAX;
    return n * s;
}

int32_t neurio_model_consumers(const neurio_model *m, int32_t t, int32_t *out,
                               int32_t max)
{
    int32_t n = 0;
    if (!m)
        return 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        for (int32_t k = 0; k < op->n_inputs; k++)
            if (op->inputs[k] == t) {
                if (out && n < max)
                    out[n] = i;
                n++;
                break;
            }
    }
    return n;
}

static const neurio_tensor *op_tensor(const neurio_model *m, const neurio_op *op,
                                      int input, int output)
{
    int32_t t = -1;
    if (input >= 0 && input < op->n_inputs)
        t = op->inputs[input];
    else if (output >= 0 && output < op->n_outputs)
        t = op->outputs[output];
    if (t < 0 || t >= m->n_tensors)
        return NULL;
    return &m->tensors[t];
}

uint64_t neurio_op_macs(const neurio_model *m, const neurio_op *op)
{
    if (!m || !op)
        return 0;
    const neurio_tensor *w = NULL, *o = NULL, *a = NULL;
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
        /* out elements x (kh * kw * in_c) */
        w = op_tensor(m, op, 1, -1);
        o = op_tensor(m, op, -1, 0);
        if (!w || !o || w->rank != 4 || w->dims[0] <= 0)
            return 0;
        return (uint64_t)neurio_tensor_elements(o) *
               ((uint64_t)neurio_tensor_elements(w) / (uint64_t)w->dims[0]);
    case NEURIO_OP_DEPTHWISE_CONV_2D:
        /* out elements x (kh * kw) */
        w = op_tensor(m, op, 1, -1);
        o = op_tensor(m, op, -1, 0);
        if (!w || !o || w->rank != 4)
            return 0;
        return (uint64_t)neurio_tensor_elements(o) *
               (uint64_t)((int64_t)w->dims[1] * w->dims[2] > 0
                              ? (int64_t)w->dims[1] * w->dims[2] : 0);
    case NEURIO_OP_FULLY_CONNECTED:
        /* out elements x in features (weights [out, in]) */
        w = op_tensor(m, op, 1, -1);
        o = op_tensor(m, op, -1, 0);
        if (!w || !o || w->rank != 2 || w->dims[1] <= 0)
            return 0;
        return (uint64_t)neurio_tensor_elements(o) * (uint64_t)w->dims[1];
    case NEURIO_OP_MATMUL:
        /* out elements x K (A is [..., M, K]) */
        a = op_tensor(m, op, 0, -1);
        o = op_tensor(m, op, -1, 0);
        if (!a || !o || a->rank < 1 || a->dims[a->rank - 1] <= 0)
            return 0;
        return (uint64_t)neurio_tensor_elements(o) * (uint64_t)a->dims[a->rank - 1];
    default:
        return 0;
    }
}

/* Replace *s by a copy with its control characters written as "\xNN"
 * (only when it has any).  0, or -1 when out of memory. */
static int escape_string(char **s)
{
    int any = 0;
    for (const unsigned char *p = (const unsigned char *)*s; p && *p; p++)
        any |= *p < 0x20 || *p == 0x7f;
    if (!any)
        return 0;
    size_t cap = strlen(*s) * 4 + 1;
    char *e = malloc(cap);
    if (!e)
        return -1;
    neurio_escape_controls(e, cap, *s);
    free(*s);
    *s = e;
    return 0;
}

int neurio_model_escape_strings(neurio_model *m)
{
    int bad = escape_string(&m->name) | escape_string(&m->description);
    for (int32_t i = 0; i < m->n_tensors; i++)
        bad |= escape_string(&m->tensors[i].name);
    for (int32_t i = 0; i < m->n_ops; i++)
        bad |= escape_string(&m->ops[i].name);
    return bad ? NEURIO_ERR_NOMEM : NEURIO_OK;
}
