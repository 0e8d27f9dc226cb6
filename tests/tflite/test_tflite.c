/* tests/tflite/test_tflite.c — the TFLite reader on small hand-built
 * flatbuffers: valid models of every supported op, and broken ones
 * (truncated, offsets past the end, bad vtables, absurd vector lengths,
 * shared/overlapping tables, zero-sized tensors, unsupported ops). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/tflite.h"
#include "test_util.h"
#include "tfl_builder.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int parse(const uint8_t *buf, size_t len, neurio_model **m, neurio_errbuf *e)
{
    e->msg[0] = '\0';
    return neurio_tflite_parse(buf, len, "t", m, e);
}

static void test_fc_model(void)
{
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    int rc = parse(buf, len, &m, &e);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(m->format, "tflite");
    CU_ASSERT_STRING_EQUAL(m->description, "neurio test model");
    CU_ASSERT_EQUAL(m->n_ops, 2);
    CU_ASSERT_EQUAL(m->ops[0].kind, NEURIO_OP_FULLY_CONNECTED);
    CU_ASSERT_EQUAL(m->ops[0].attr.fc.activation, NEURIO_ACT_RELU);
    CU_ASSERT_EQUAL(m->ops[1].kind, NEURIO_OP_SOFTMAX);
    CU_ASSERT_DOUBLE_EQUAL(m->ops[1].attr.softmax.beta, 1.0, 1e-9);
    CU_ASSERT_EQUAL(neurio_op_macs(m, &m->ops[0]), 12);
    const neurio_tensor *w = &m->tensors[m->ops[0].inputs[1]];
    CU_ASSERT_STRING_EQUAL(w->name, "fc/w");
    CU_ASSERT_EQUAL(w->data_bytes, 48);
    CU_ASSERT_DOUBLE_EQUAL(((const float *)w->data)[3], 0.4, 1e-6);
    CU_ASSERT_STRING_EQUAL(m->tensors[m->inputs[0]].name, "input");
    neurio_model_free(m);
    free(buf);
}

static void test_conv_model_all_ops(void)
{
    size_t len;
    uint8_t *buf = tfl_build_conv_model(&len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    int rc = parse(buf, len, &m, &e);
    if (rc)
        fprintf(stderr, "parse: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    rc = neurio_model_validate(m, &e);
    if (rc)
        fprintf(stderr, "validate: %s\n", e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    static const neurio_op_kind want[] = {
        NEURIO_OP_QUANTIZE, NEURIO_OP_CONV_2D, NEURIO_OP_DEPTHWISE_CONV_2D, NEURIO_OP_PAD,
        NEURIO_OP_MAX_POOL_2D, NEURIO_OP_ADD, NEURIO_OP_CONCATENATION, NEURIO_OP_MEAN,
        NEURIO_OP_TRANSPOSE, NEURIO_OP_RESHAPE, NEURIO_OP_FULLY_CONNECTED,
        NEURIO_OP_LOGISTIC, NEURIO_OP_DEQUANTIZE };
    CU_ASSERT_EQUAL_FATAL(m->n_ops, 13);
    for (int i = 0; i < 13; i++)
        CU_ASSERT_EQUAL(m->ops[i].kind, want[i]);
    const neurio_conv_attr *c = &m->ops[1].attr.conv;
    CU_ASSERT_EQUAL(c->padding, NEURIO_PAD_SAME);
    CU_ASSERT_EQUAL(c->stride_h, 2);
    CU_ASSERT_EQUAL(c->activation, NEURIO_ACT_RELU);
    /* SAME, 8 -> 4 with a 3x3 window, stride 2: total pad 1 (0 top, 1 bottom). */
    CU_ASSERT_EQUAL(c->pad[0], 0);
    CU_ASSERT_EQUAL(c->pad[2], 1);
    const neurio_tensor *cw = &m->tensors[m->ops[1].inputs[1]];
    CU_ASSERT_EQUAL(cw->quant.count, 4);
    CU_ASSERT_EQUAL(cw->quant.axis, 0);
    CU_ASSERT_DOUBLE_EQUAL(cw->quant.scale[3], 0.04, 1e-7);
    CU_ASSERT_EQUAL(m->ops[2].attr.conv.padding, NEURIO_PAD_VALID);
    CU_ASSERT_EQUAL(m->ops[2].attr.conv.activation, NEURIO_ACT_RELU6);
    CU_ASSERT_EQUAL(m->ops[2].attr.conv.depth_multiplier, 1);
    CU_ASSERT_EQUAL(m->ops[4].attr.pool.filter_h, 2);
    CU_ASSERT_EQUAL(m->ops[6].attr.concat.axis, 3); /* -1 normalized */
    CU_ASSERT_EQUAL(m->ops[7].attr.mean.n_axes, 2);
    CU_ASSERT_EQUAL(m->ops[7].attr.mean.axes[1], 2);
    CU_ASSERT_EQUAL(m->ops[7].attr.mean.keep_dims, 0);
    CU_ASSERT_EQUAL(m->ops[8].attr.transpose.perm[0], 1);
    uint64_t macs = 0;
    for (int i = 0; i < m->n_ops; i++)
        macs += neurio_op_macs(m, &m->ops[i]);
    CU_ASSERT_EQUAL(macs, 64 * 18 + 16 * 9 + 3 * 8);
    const neurio_tensor *in = &m->tensors[m->inputs[0]];
    CU_ASSERT_STRING_EQUAL(in->name, "x");
    CU_ASSERT_EQUAL(in->dtype, NEURIO_DT_FLOAT32);
    neurio_model_free(m);
    free(buf);
}

static void test_opcode_fields(void)
{
    /* The same model with only the deprecated byte, and only the int32. */
    for (int variant = 0; variant < 2; variant++) {
        float w[4] = { 1, 2, 3, 4 };
        tspec t[3] = {
            { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
            { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
              .data_len = sizeof w },
            { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
        };
        ospec o[1] = { { .code = 9, .n_in = 3, .in = { 0, 1, -1 }, .n_out = 1, .out = { 2 } } };
        int32_t gi[1] = { 0 }, go[1] = { 2 };
        tfl_build_opts opt = { .only_deprecated_code = variant == 0,
                               .only_builtin_code = variant == 1 };
        size_t len;
        uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, &opt, &len);
        neurio_model *m = NULL;
        neurio_errbuf e;
        CU_ASSERT_EQUAL_FATAL(parse(buf, len, &m, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(m->ops[0].kind, NEURIO_OP_FULLY_CONNECTED);
        CU_ASSERT_EQUAL(m->ops[0].inputs[2], -1); /* optional bias absent */
        CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
        neurio_model_free(m);
        free(buf);
    }
}

static void test_external_buffers(void)
{
    float w[4] = { 1, 2, 3, 4 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    tfl_build_opts opt = { .external_buffers = 1 };
    size_t len;
    uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, &opt, &len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(parse(buf, len, &m, &e), NEURIO_OK);
    const neurio_tensor *wt = &m->tensors[m->ops[0].inputs[1]];
    CU_ASSERT_PTR_NOT_NULL_FATAL(wt->data);
    CU_ASSERT_DOUBLE_EQUAL(((const float *)wt->data)[2], 3.0, 1e-9);
    neurio_model_free(m);
    /* The data lives in the last 16 bytes: cutting them must be refused
     * with the buffer's offset named. */
    CU_ASSERT_EQUAL(parse(buf, len - 8, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "past the end"));
    free(buf);
}

static void test_truncated_everywhere(void)
{
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    int failures = 0;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        neurio_model *m = NULL;
        neurio_errbuf e;
        int rc = parse(copy, cut, &m, &e);
        if (rc == NEURIO_OK) {
            failures++;
            neurio_model_free(m);
        } else {
            /* a message that says what and where */
            CU_ASSERT(strlen(e.msg) > 10);
            CU_ASSERT_PTR_NULL(m);
        }
        free(copy);
    }
    CU_ASSERT_EQUAL(failures, 0);
    free(buf);
}

static void test_not_tflite(void)
{
    neurio_model *m = NULL;
    neurio_errbuf e;
    const uint8_t junk[16] = "hello, world!!!";
    CU_ASSERT_EQUAL(parse(junk, sizeof junk, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TFL3"));
    CU_ASSERT_EQUAL(parse(NULL, 0, &m, &e), NEURIO_ERR_FORMAT);
}

static void test_root_offset_past_end(void)
{
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    wr32(buf, (uint32_t)len + 100);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "past the end"));
    /* An offset that would wrap a 32-bit position back into the file (a
     * "cycle" to the start) is past the end in 64-bit arithmetic. */
    wr32(buf, 0xFFFFFFF8u);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NULL(m);
    free(buf);
}

static void test_bad_vtable(void)
{
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    uint32_t root = rd32(buf);
    wr32(buf + root, 0x80000000u); /* vtable far before the file */
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "vtable"));
    wr32(buf + root, (uint32_t)-(int32_t)(len)); /* vtable past the end */
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "vtable"));
    free(buf);
}

/* Find the first occurrence of a 4-byte little-endian value after `from`. */
static size_t find_u32(const uint8_t *buf, size_t len, size_t from, uint32_t v)
{
    for (size_t i = from; i + 4 <= len; i++)
        if (rd32(buf + i) == v)
            return i;
    return 0;
}

static void test_absurd_vector_length(void)
{
    /* A tensor with shape [1, 4] -> make the shape vector claim 2^30 dims. */
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    /* shape vectors are [u32 2][u32 1][u32 4]: locate "2,1,4". */
    size_t at = 0;
    for (size_t i = 8; i + 12 <= len; i++)
        if (rd32(buf + i) == 2 && rd32(buf + i + 4) == 1 && rd32(buf + i + 8) == 4) {
            at = i;
            break;
        }
    CU_ASSERT_FATAL(at != 0);
    wr32(buf + at, 0x40000000u);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "claims"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tensor"));
    /* A moderately long shape (7 dims fit in the file?) is refused as rank. */
    wr32(buf + at, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    free(buf);
}

static void test_string_not_terminated(void)
{
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    const char *d = "neurio test model";
    uint8_t *p = NULL;
    for (size_t i = 0; i + strlen(d) < len; i++)
        if (!memcmp(buf + i, d, strlen(d))) {
            p = buf + i;
            break;
        }
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[strlen(d)] = 'X'; /* overwrite the NUL */
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "NUL"));
    free(buf);
}

static void test_overlapping_tables(void)
{
    /* Both operators are the same table (shared by the builder): the second
     * writes the tensor the first already produced -> a clear error. */
    float w[4] = { 1, 2, 3, 4 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[2] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } },
                   { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    size_t len;
    uint8_t *buf = tfl_build(t, 3, o, 2, gi, 1, go, 1, NULL, &len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "produced by both"));
    free(buf);

    /* An operator whose output feeds its own input: a cycle. */
    ospec c[1] = { { .code = 0, .n_in = 2, .in = { 0, 2 }, .n_out = 1, .out = { 2 } } };
    tspec t2[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "unused", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
    };
    buf = tfl_build(t2, 3, c, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cycle"));
    free(buf);
}

static void test_zero_sized_tensors(void)
{
    /* Input [1, 0]: imports (the file is well-formed) but does not validate. */
    float w[1] = { 0 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 0 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 0 }, .data = w,
          .data_len = 0 },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    size_t len;
    uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, NULL, &len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(parse(buf, len, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(neurio_tensor_elements(&m->tensors[m->inputs[0]]), 0);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "zero elements"));
    CU_ASSERT_EQUAL(neurio_op_macs(m, &m->ops[0]), 0);
    neurio_model_free(m);
    free(buf);

    /* A buffer whose size disagrees with the tensor shape. */
    tspec t3[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = 4 },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    buf = tfl_build(t3, 3, o, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "holds 4 bytes"));
    free(buf);
}

static uint8_t *one_op_model(int32_t code, const char *custom, size_t *len)
{
    tspec t[2] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
    };
    ospec o[2] = { { .code = 19, .n_in = 1, .in = { 0 }, .n_out = 1, .out = { 1 } },
                   { .code = code, .custom = custom, .n_in = 1, .in = { 1 }, .n_out = 1,
                     .out = { 0 } } };
    int32_t gi[1] = { 0 }, go[1] = { 1 };
    return tfl_build(t, 2, o, 2, gi, 1, go, 1, NULL, len);
}

static void test_unsupported_ops(void)
{
    size_t len;
    neurio_model *m = NULL;
    neurio_errbuf e;
    uint8_t *buf = one_op_model(32, "TFLite_Detection_PostProcess", &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "operator 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TFLite_Detection_PostProcess"));
    free(buf);
    buf = one_op_model(48, NULL, &len); /* TOPK_V2 */
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "operator 1 is TOPK_V2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "CONV_2D")); /* the supported list */
    free(buf);
    buf = one_op_model(150, NULL, &len); /* GELU: only in builtin_code */
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "GELU"));
    free(buf);
}

static void test_model_level_refusals(void)
{
    tspec t[2] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
    };
    ospec o[1] = { { .code = 19, .n_in = 1, .in = { 0 }, .n_out = 1, .out = { 1 } } };
    int32_t gi[1] = { 0 }, go[1] = { 1 }, bad[1] = { 7 };
    size_t len;
    neurio_model *m = NULL;
    neurio_errbuf e;
    tfl_build_opts v2 = { .version = 2 };
    uint8_t *buf;
    buf = tfl_build(t, 2, o, 1, gi, 1, go, 1, &v2, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "version 2"));
    free(buf);
    buf = tfl_build(t, 2, o, 1, gi, 1, bad, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tensor 7"));
    free(buf);
    tspec f16 = { .name = "h", .type = TT_FLOAT16, .rank = 1, .dims = { 4 } };
    tspec t3[2] = { t[0], f16 };
    buf = tfl_build(t3, 2, o, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "FLOAT16"));
    free(buf);
}

/* What TFLite Micro accepts, neurio imports: subgraphs nobody calls,
 * metadata buffers, a rank-1 per-channel bias that carries its filter's
 * quantized_dimension, int4 weights (unpacked to int8). */
static void test_tflm_tolerance(void)
{
    int8_t w[12] = { 1, -2, 3, -4, 5, -6, 7, -8, 0, 1, 2, 3 };
    uint8_t w4[6];
    for (int i = 0; i < 6; i++)
        w4[i] = (uint8_t)((w[2 * i] & 15) | ((w[2 * i + 1] & 15) << 4));
    int32_t b[3] = { 10, -20, 30 };
    tspec t[4] = {
        { .name = "x", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, .n_quant = 1,
          .scale = { 0.5f } },
        { .name = "w", .type = TT_INT4, .rank = 2, .dims = { 3, 4 }, .data = w4,
          .data_len = sizeof w4, .n_quant = 3, .scale = { 0.1f, 0.2f, 0.3f } },
        { .name = "b", .type = TT_INT32, .rank = 1, .dims = { 3 }, .data = b,
          .data_len = sizeof b, .n_quant = 3, .scale = { 0.05f, 0.1f, 0.15f }, .quant_dim = 3 },
        { .name = "y", .type = TT_INT8, .rank = 2, .dims = { 1, 3 }, .n_quant = 1,
          .scale = { 0.25f } },
    };
    ospec o[1] = { { .code = 9, .n_in = 3, .in = { 0, 1, 2 }, .n_out = 1, .out = { 3 } } };
    int32_t gi[1] = { 0 }, go[1] = { 3 };
    size_t len;
    neurio_model *m = NULL;
    neurio_errbuf e;
    tfl_build_opts opts = { .n_subgraphs = 2, .metadata = 1 };
    uint8_t *buf = tfl_build(t, 4, o, 1, gi, 1, go, 1, &opts, &len);
    int rc = parse(buf, len, &m, &e);
    if (rc)
        fprintf(stderr, "tolerance: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 1);
    const neurio_tensor *tw = &m->tensors[m->ops[0].inputs[1]];
    const neurio_tensor *tb = &m->tensors[m->ops[0].inputs[2]];
    CU_ASSERT_EQUAL(tw->dtype, NEURIO_DT_INT8);
    CU_ASSERT_EQUAL(tw->data_bytes, 12);
    CU_ASSERT_EQUAL(memcmp(tw->data, w, 12), 0);
    CU_ASSERT_EQUAL(tw->quant.axis, 0);
    CU_ASSERT_EQUAL(tb->quant.count, 3);
    CU_ASSERT_EQUAL(tb->quant.axis, 0);
    neurio_model_free(m);
    free(buf);
    /* int4 only as constants (TFLite Micro unpacks weights, nothing else). */
    tspec t2[4] = { t[0], t[1], t[2], t[3] };
    t2[0].type = TT_INT4;
    buf = tfl_build(t2, 4, o, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "int4 activation"));
    free(buf);
    /* A packed buffer of the wrong size is malformed, named as int4. */
    t2[0] = t[0];
    t2[1].data_len = 5;
    buf = tfl_build(t2, 4, o, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "int4 with 12 elements (6 bytes)"));
    free(buf);
    /* A per-channel count matching neither its dimension nor a rank-1
     * tensor stays malformed. */
    t2[1] = t[1];
    t2[2].n_quant = 2;
    buf = tfl_build(t2, 4, o, 1, gi, 1, go, 1, NULL, &len);
    CU_ASSERT_EQUAL(parse(buf, len, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "2 per-channel scales"));
    free(buf);
}

static void test_hybrid_is_refused_by_validate(void)
{
    int8_t w[4] = { 1, 2, 3, 4 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w, .n_quant = 1, .scale = { 0.5f } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    size_t len;
    uint8_t *buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, NULL, &len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(parse(buf, len, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "hybrid"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 0 (FULLY_CONNECTED"));
    neurio_model_free(m);
    free(buf);
}

static void test_shared_vector_budget(void)
{
    /* 60 operators all reading the same huge input list is refused fast
     * rather than walked (here: a legit-size model passes, the budget only
     * bites on pathological sharing).  Build 60 RELUs in a chain. */
    tspec t[61];
    ospec o[60];
    memset(t, 0, sizeof t);
    memset(o, 0, sizeof o);
    char names[61][8];
    for (int i = 0; i < 61; i++) {
        snprintf(names[i], sizeof names[i], "t%d", i);
        t[i] = (tspec){ .name = names[i], .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } };
    }
    for (int i = 0; i < 60; i++)
        o[i] = (ospec){ .code = 19, .n_in = 1, .in = { i }, .n_out = 1, .out = { i + 1 } };
    int32_t gi[1] = { 0 }, go[1] = { 60 };
    size_t len;
    uint8_t *buf = tfl_build(t, 61, o, 60, gi, 1, go, 1, NULL, &len);
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(parse(buf, len, &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 60);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    neurio_model_free(m);
    /* Now make every operator's input vector claim as many entries as fit in
     * the file: each is in bounds, but together they exceed the budget or
     * refer to tensors out of range; either way a clean error. */
    size_t at = 8;
    int patched = 0;
    while ((at = find_u32(buf, len, at + 1, 1)) != 0 && patched < 200) {
        if (at + 8 <= len && rd32(buf + at + 4) < 61) {
            wr32(buf + at, (uint32_t)((len - at - 4) / 4));
            patched++;
        }
    }
    CU_ASSERT(patched > 0);
    CU_ASSERT_NOT_EQUAL(parse(buf, len, &m, &e), NEURIO_OK);
    CU_ASSERT_PTR_NULL(m);
    free(buf);
}

static void test_inspect_cli(void)
{
    const char *exe = neurio_test_path(NEURIO_BINARY_DIR, "core/neurio");
    const char *dir = neurio_test_tmpdir();
    char path[4200], cmd[9000];
    size_t len;
    uint8_t *buf = one_op_model(48, NULL, &len); /* RELU then TOPK_V2 */
    snprintf(path, sizeof path, "%s/topk.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, buf, len), 0);
    free(buf);
    snprintf(cmd, sizeof cmd, "'%s' inspect '%s'", exe, path);
    char *out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 5);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "TOPK_V2"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "UNSUPPORTED"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "operator 1 is TOPK_V2"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' inspect --json '%s' 2>/dev/null", exe, path);
    out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 5);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"supported\":\tfalse"));
    free(out);

    buf = tfl_build_conv_model(&len);
    snprintf(path, sizeof path, "%s/conv.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, buf, len), 0);
    free(buf);
    snprintf(cmd, sizeof cmd, "'%s' inspect '%s'", exe, path);
    out = NULL;
    int st = neurio_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n", out ? out : "");
    CU_ASSERT_EQUAL(st, 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "1320 MACs"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "status  ok"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "k3x3 s2x2 same relu"));
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' inspect", exe);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, NULL), 2);
    snprintf(cmd, sizeof cmd, "'%s' inspect --help", exe);
    out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "MAC convention"));
    free(out);

    /* Imports and validates, but no kernel runs LOGICAL_NOT on float32:
     * inspect names the op x dtype and exits 5 before anything is built. */
    tspec t[2] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
    };
    ospec o[1] = { { .code = 87, .n_in = 1, .in = { 0 }, .n_out = 1, .out = { 1 } } };
    int32_t gi[1] = { 0 }, go[1] = { 1 };
    buf = tfl_build(t, 2, o, 1, gi, 1, go, 1, NULL, &len);
    snprintf(path, sizeof path, "%s/lnot.tflite", dir);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, buf, len), 0);
    free(buf);
    snprintf(cmd, sizeof cmd, "'%s' inspect '%s'", exe, path);
    out = NULL;
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 5);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "no kernel for: LOGICAL_NOT float32->float32"));
    free(out);
}

static void test_list_ops(void)
{
    size_t len;
    uint8_t *buf = one_op_model(32, "MyCustomOp", &len);
    neurio_tflite_op_info *ops = NULL;
    int32_t n = 0;
    neurio_errbuf e;
    CU_ASSERT_EQUAL_FATAL(neurio_tflite_list_ops(buf, len, &ops, &n, &e), NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(ops[0].name, "RELU");
    CU_ASSERT_EQUAL(ops[0].supported, 1);
    CU_ASSERT_STRING_EQUAL(ops[1].name, "MyCustomOp");
    CU_ASSERT_EQUAL(ops[1].supported, 0);
    free(ops);
    CU_ASSERT_EQUAL(neurio_tflite_list_ops(buf, len / 2, &ops, &n, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NULL(ops);
    free(buf);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("tflite", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "fc model", test_fc_model);
    CU_add_test(s, "conv model, all supported ops", test_conv_model_all_ops);
    CU_add_test(s, "builtin_code vs deprecated_builtin_code", test_opcode_fields);
    CU_add_test(s, "buffers by offset/size", test_external_buffers);
    CU_add_test(s, "truncated at every byte", test_truncated_everywhere);
    CU_add_test(s, "not a tflite file", test_not_tflite);
    CU_add_test(s, "root offset past the end", test_root_offset_past_end);
    CU_add_test(s, "bad vtable", test_bad_vtable);
    CU_add_test(s, "absurd vector length", test_absurd_vector_length);
    CU_add_test(s, "string without NUL", test_string_not_terminated);
    CU_add_test(s, "overlapping tables and cycles", test_overlapping_tables);
    CU_add_test(s, "zero-sized tensors", test_zero_sized_tensors);
    CU_add_test(s, "unsupported and custom ops", test_unsupported_ops);
    CU_add_test(s, "subgraphs, version, io, types", test_model_level_refusals);
    CU_add_test(s, "hybrid layer refused by validate", test_hybrid_is_refused_by_validate);
    CU_add_test(s, "what TFLite Micro accepts", test_tflm_tolerance);
    CU_add_test(s, "shared vectors and work budget", test_shared_vector_budget);
    CU_add_test(s, "list operators", test_list_ops);
    CU_add_test(s, "neurio inspect", test_inspect_cli);
    return 0;
}
