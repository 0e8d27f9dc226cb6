/* tests/tflite/test_tflite_tconv.c — TRANSPOSE_CONV through the TFLite
 * importer, on hand-built files (tfl_builder): TFLite's operand order
 * (output_shape, weights, input[, bias]) becomes the IR's (input, weights,
 * bias or -1, output_shape); TransposeConvOptions (padding, strides, fused
 * activation) become attr.conv; malformed operand lists and options are
 * refused naming the operator. */
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/tflite.h"
#include "test_util.h"
#include "tfl_builder.h"

enum { TFL_TRANSPOSE_CONV_CODE = 67, OPT_TRANSPOSE_CONV_TYPE = 49 };

/* x [1,2,2,1] float, weights [2,3,3,1], bias [2] (optional), output_shape
 * [4] = {1,5,5,2}, y [1,5,5,2]; VALID, stride 2x2, fused RELU. */
static uint8_t *tconv_model(int n_in, int with_options, int32_t stride, size_t *len)
{
    static const int32_t shape[4] = {1, 5, 5, 2};
    static float w[18], b[2] = {0.5f, -0.5f};
    for (int i = 0; i < 18; i++)
        w[i] = (float)(i % 5) - 2.0f;
    tspec t[5] = {
        {.name = "output_shape", .type = TT_INT32, .rank = 1, .dims = {4}, .data = shape,
         .data_len = sizeof shape},
        {.name = "w", .type = TT_FLOAT32, .rank = 4, .dims = {2, 3, 3, 1}, .data = w,
         .data_len = sizeof w},
        {.name = "x", .type = TT_FLOAT32, .rank = 4, .dims = {1, 2, 2, 1}},
        {.name = "b", .type = TT_FLOAT32, .rank = 1, .dims = {2}, .data = b,
         .data_len = sizeof b},
        {.name = "y", .type = TT_FLOAT32, .rank = 4, .dims = {1, 5, 5, 2}},
    };
    fbn *opt = NULL;
    if (with_options) {
        opt = fbt_table();
        fbt_u8(opt, 0, 1);      /* padding VALID */
        fbt_i32(opt, 1, stride); /* stride_w */
        fbt_i32(opt, 2, stride); /* stride_h */
        fbt_u8(opt, 3, 1);      /* fused RELU */
    }
    ospec o = {.code = TFL_TRANSPOSE_CONV_CODE, .opt_type = with_options ? OPT_TRANSPOSE_CONV_TYPE : 0,
               .opt = opt, .n_in = n_in, .n_out = 1, .in = {0, 1, 2, 3}, .out = {4}};
    int32_t gin[1] = {2}, gout[1] = {4};
    return tfl_build(t, 5, &o, 1, gin, 1, gout, 1, NULL, len);
}

static void test_operands_and_options(void)
{
    size_t len;
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    uint8_t *buf = tconv_model(4, 1, 2, &len);
    int rc = neurio_tflite_parse(buf, len, "t", &m, &e);
    if (rc)
        fprintf(stderr, "parse: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    CU_ASSERT_EQUAL_FATAL(m->n_ops, 1);
    const neurio_op *op = &m->ops[0];
    CU_ASSERT_EQUAL(op->kind, NEURIO_OP_TRANSPOSE_CONV);
    CU_ASSERT_STRING_EQUAL(neurio_op_name(op->kind), "TRANSPOSE_CONV");
    CU_ASSERT_EQUAL_FATAL(op->n_inputs, 4);
    CU_ASSERT_STRING_EQUAL(m->tensors[op->inputs[0]].name, "x");
    CU_ASSERT_STRING_EQUAL(m->tensors[op->inputs[1]].name, "w");
    CU_ASSERT_STRING_EQUAL(m->tensors[op->inputs[2]].name, "b");
    CU_ASSERT_STRING_EQUAL(m->tensors[op->inputs[3]].name, "output_shape");
    CU_ASSERT_EQUAL(op->attr.conv.padding, NEURIO_PAD_VALID);
    CU_ASSERT_EQUAL(op->attr.conv.stride_h, 2);
    CU_ASSERT_EQUAL(op->attr.conv.stride_w, 2);
    CU_ASSERT_EQUAL(op->attr.conv.activation, NEURIO_ACT_RELU);
    rc = neurio_model_validate(m, &e);
    if (rc)
        fprintf(stderr, "validate: %s\n", e.msg);
    CU_ASSERT_EQUAL(rc, NEURIO_OK);
    neurio_model_free(m);
    free(buf);
    /* Without bias: input 2 is absent (-1), output_shape stays last. */
    buf = tconv_model(3, 1, 2, &len);
    CU_ASSERT_EQUAL_FATAL(neurio_tflite_parse(buf, len, "t", &m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(m->ops[0].inputs[2], -1);
    CU_ASSERT_STRING_EQUAL(m->tensors[m->ops[0].inputs[3]].name, "output_shape");
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    neurio_model_free(m);
    free(buf);
}

static void test_refusals(void)
{
    size_t len;
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    uint8_t *buf = tconv_model(2, 1, 2, &len); /* no input tensor */
    CU_ASSERT_EQUAL(neurio_tflite_parse(buf, len, "t", &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TRANSPOSE_CONV"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "expected 3"));
    free(buf);
    buf = tconv_model(4, 0, 2, &len); /* no TransposeConvOptions */
    CU_ASSERT_EQUAL(neurio_tflite_parse(buf, len, "t", &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TransposeConvOptions"));
    free(buf);
    buf = tconv_model(4, 1, 0, &len); /* stride 0 */
    CU_ASSERT_EQUAL(neurio_tflite_parse(buf, len, "t", &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "stride"));
    free(buf);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("tflite_tconv", NULL, NULL);
    if (!s || !CU_add_test(s, "operands reordered, options read", test_operands_and_options) ||
        !CU_add_test(s, "malformed transpose convs refused", test_refusals))
        return -1;
    return 0;
}
