/* sdk/src/ir/model_sha256.c — SHA-256 over a canonical serialization of the
 * graph IR (neurio_model_sha256, declared in neurio/model.h).
 *
 * Canonical form (all integers little-endian, floats by their IEEE bits):
 *   "neurio-ir-1", n_tensors, per tensor: dtype, rank, dims, quant count,
 *   axis, scales, zero points, has-data flag, data bytes; n_ops, per op:
 *   kind, inputs, outputs, then the attribute fields the kind uses; the
 *   graph inputs and outputs.  Names, the source path and the description
 *   are NOT hashed: two graphs that compute the same thing with the same
 *   constants hash equal whatever their tensors are called. */
#include "neurio/model.h"

#include <openssl/evp.h>
#include <string.h>

static void put_u32(EVP_MD_CTX *c, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
                           (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
    EVP_DigestUpdate(c, b, 4);
}

static void put_i32(EVP_MD_CTX *c, int32_t v) { put_u32(c, (uint32_t)v); }

static void put_u64(EVP_MD_CTX *c, uint64_t v)
{
    put_u32(c, (uint32_t)v);
    put_u32(c, (uint32_t)(v >> 32));
}

static void put_f32(EVP_MD_CTX *c, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(c, u);
}

static void put_conv(EVP_MD_CTX *c, const neurio_conv_attr *a)
{
    put_i32(c, a->stride_h);
    put_i32(c, a->stride_w);
    put_i32(c, a->dilation_h);
    put_i32(c, a->dilation_w);
    put_i32(c, (int32_t)a->padding);
    for (int i = 0; i < 4; i++)
        put_i32(c, a->padding == NEURIO_PAD_EXPLICIT ? a->pad[i] : 0);
    put_i32(c, a->depth_multiplier);
    put_i32(c, (int32_t)a->activation);
    if (a->quantized_bias_type != NEURIO_DT_UNKNOWN) /* absent: the hash as before */
        put_i32(c, (int32_t)a->quantized_bias_type);
}

static void put_attr(EVP_MD_CTX *c, const neurio_op *op)
{
    switch (op->kind) {
    case NEURIO_OP_CONV_2D:
    case NEURIO_OP_DEPTHWISE_CONV_2D:
    case NEURIO_OP_TRANSPOSE_CONV:
        put_conv(c, &op->attr.conv);
        break;
    case NEURIO_OP_AVERAGE_POOL_2D:
    case NEURIO_OP_MAX_POOL_2D: {
        const neurio_pool_attr *a = &op->attr.pool;
        put_i32(c, a->filter_h);
        put_i32(c, a->filter_w);
        put_i32(c, a->stride_h);
        put_i32(c, a->stride_w);
        put_i32(c, (int32_t)a->padding);
        for (int i = 0; i < 4; i++)
            put_i32(c, a->padding == NEURIO_PAD_EXPLICIT ? a->pad[i] : 0);
        put_i32(c, (int32_t)a->activation);
        break;
    }
    case NEURIO_OP_FULLY_CONNECTED:
        put_i32(c, (int32_t)op->attr.fc.activation);
        put_i32(c, op->attr.fc.keep_num_dims);
        if (op->attr.fc.quantized_bias_type != NEURIO_DT_UNKNOWN)
            put_i32(c, (int32_t)op->attr.fc.quantized_bias_type);
        break;
    case NEURIO_OP_ADD:
    case NEURIO_OP_SUB:
    case NEURIO_OP_MUL:
    case NEURIO_OP_DIV:
        put_i32(c, (int32_t)op->attr.eltwise.activation);
        break;
    case NEURIO_OP_CONCATENATION:
        put_i32(c, op->attr.concat.axis);
        put_i32(c, (int32_t)op->attr.concat.activation);
        break;
    case NEURIO_OP_SOFTMAX:
        put_f32(c, op->attr.softmax.beta);
        break;
    case NEURIO_OP_MEAN:
    case NEURIO_OP_SUM:
    case NEURIO_OP_REDUCE_MAX:
    case NEURIO_OP_REDUCE_MIN:
        put_i32(c, op->attr.mean.keep_dims);
        put_i32(c, op->attr.mean.n_axes);
        for (int i = 0; i < op->attr.mean.n_axes && i < NEURIO_MAX_RANK; i++)
            put_i32(c, op->attr.mean.axes[i]);
        break;
    case NEURIO_OP_CLIP:
        put_f32(c, op->attr.clip.min);
        put_f32(c, op->attr.clip.max);
        break;
    case NEURIO_OP_TRANSPOSE:
        for (int i = 0; i < NEURIO_MAX_RANK; i++)
            put_i32(c, op->attr.transpose.perm[i]);
        break;
    case NEURIO_OP_BATCH_NORM:
        put_f32(c, op->attr.batch_norm.epsilon);
        break;
    case NEURIO_OP_SVDF:
        put_i32(c, op->attr.svdf.rank);
        put_i32(c, (int32_t)op->attr.svdf.activation);
        break;
    case NEURIO_OP_LSTM:
        put_i32(c, op->attr.lstm.time_major);
        put_f32(c, op->attr.lstm.cell_clip);
        put_f32(c, op->attr.lstm.proj_clip);
        break;
    case NEURIO_OP_LEAKY_RELU:
        put_f32(c, op->attr.leaky_relu.alpha);
        break;
    case NEURIO_OP_STRIDED_SLICE:
        put_i32(c, op->attr.strided_slice.begin_mask);
        put_i32(c, op->attr.strided_slice.end_mask);
        put_i32(c, op->attr.strided_slice.ellipsis_mask);
        put_i32(c, op->attr.strided_slice.new_axis_mask);
        put_i32(c, op->attr.strided_slice.shrink_axis_mask);
        put_i32(c, op->attr.strided_slice.offset);
        break;
    case NEURIO_OP_SPLIT:
    case NEURIO_OP_SPLIT_V:
    case NEURIO_OP_UNPACK:
    case NEURIO_OP_PACK:
    case NEURIO_OP_GATHER:
    case NEURIO_OP_DEPTH_TO_SPACE:
    case NEURIO_OP_SPACE_TO_DEPTH:
    case NEURIO_OP_RESIZE_NEAREST:
    case NEURIO_OP_RESIZE_BILINEAR:
    case NEURIO_OP_BATCH_MATMUL: {
        const int32_t *v = &op->attr.ext.axis;
        for (size_t k = 0; k < sizeof op->attr.ext / sizeof *v; k++)
            put_i32(c, v[k]);
        break;
    }
    default:
        if (op->kind >= NEURIO_OP_SIGNAL_WINDOW && op->kind <= NEURIO_OP_SIGNAL_PCAN) {
            const int32_t *v = &op->attr.signal.shift;
            for (size_t k = 0; k < sizeof op->attr.signal / sizeof *v; k++)
                put_i32(c, v[k]);
        }
        break;
    }
}

int neurio_model_sha256(const neurio_model *m, uint8_t digest[32])
{
    if (!m || !digest)
        return NEURIO_ERR_INVALID;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return NEURIO_ERR_NOMEM;
    int rc = NEURIO_ERR_INTERNAL;
    if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
        goto fail;
    EVP_DigestUpdate(c, "neurio-ir-1", 11);
    put_i32(c, m->n_tensors);
    for (int32_t i = 0; i < m->n_tensors; i++) {
        const neurio_tensor *t = &m->tensors[i];
        put_i32(c, (int32_t)t->dtype);
        put_i32(c, t->rank);
        for (int32_t d = 0; d < t->rank && d < NEURIO_MAX_RANK; d++)
            put_i32(c, t->dims[d]);
        put_i32(c, t->quant.count);
        put_i32(c, t->quant.count > 1 ? t->quant.axis : 0);
        for (int32_t k = 0; k < t->quant.count; k++) {
            put_f32(c, t->quant.scale[k]);
            put_i32(c, t->quant.zero_point[k]);
        }
        put_i32(c, t->data != NULL);
        if (t->is_variable)
            put_i32(c, 0x5eed); /* only variable tensors add a word: old hashes stand */
        if (t->data) {
            put_u64(c, (uint64_t)t->data_bytes);
            EVP_DigestUpdate(c, t->data, t->data_bytes);
        }
    }
    int32_t live = 0;
    for (int32_t i = 0; i < m->n_ops; i++)
        live += !m->ops[i].removed;
    put_i32(c, live);
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        if (op->removed)
            continue;
        put_i32(c, (int32_t)op->kind);
        put_i32(c, op->n_inputs);
        for (int32_t k = 0; k < op->n_inputs; k++)
            put_i32(c, op->inputs[k]);
        put_i32(c, op->n_outputs);
        for (int32_t k = 0; k < op->n_outputs; k++)
            put_i32(c, op->outputs[k]);
        put_attr(c, op);
    }
    put_i32(c, m->n_inputs);
    for (int32_t i = 0; i < m->n_inputs; i++)
        put_i32(c, m->inputs[i]);
    put_i32(c, m->n_outputs);
    for (int32_t i = 0; i < m->n_outputs; i++)
        put_i32(c, m->outputs[i]);
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(c, digest, &len) != 1 || len != 32)
        goto fail;
    rc = NEURIO_OK;
fail:
    EVP_MD_CTX_free(c);
    return rc;
}

int neurio_model_sha256_hex(const neurio_model *m, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[32];
    if (!hex)
        return NEURIO_ERR_INVALID;
    hex[0] = '\0';
    int rc = neurio_model_sha256(m, d);
    if (rc != NEURIO_OK)
        return rc;
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
    return NEURIO_OK;
}
