/* tests/quantize/test_quantize_tconv.c — the int8 quantizer on a float
 * model with a TRANSPOSE_CONV (bias, RELU, stride 2, SAME): weights become
 * per-channel symmetric int8 along the output-channel axis (0), the bias
 * int32 at input scale x weight scale, the output_shape operand stays
 * int32; the int8 model in the reference interpreter stays close to the
 * float one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "neurio/quantize.h"
#include "quant_eval.h"
#include "test_util.h"

static float frand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f;
}

/* x [1,4,4,3] -> TRANSPOSE_CONV (4 filters 3x3, stride 2, SAME, RELU) ->
 * y [1,8,8,4]. */
static neurio_model *tconv_float(void)
{
    uint32_t st = 31;
    neurio_model *m = neurio_model_new("tconv_q");
    int32_t dx[4] = {1, 4, 4, 3}, dy[4] = {1, 8, 8, 4}, dw[4] = {4, 3, 3, 3}, db[1] = {4},
            ds[1] = {4};
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, dx);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 4, dy);
    int32_t w = neurio_model_add_tensor(m, "w", NEURIO_DT_FLOAT32, 4, dw);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_FLOAT32, 1, db);
    int32_t s = neurio_model_add_tensor(m, "output_shape", NEURIO_DT_INT32, 1, ds);
    float wv[108], bv[4];
    for (int i = 0; i < 108; i++)
        wv[i] = (frand(&st) - 0.5f) * (1.0f + (float)(i / 27)); /* per-filter ranges differ */
    for (int i = 0; i < 4; i++)
        bv[i] = frand(&st) - 0.5f;
    neurio_tensor_set_data(m, w, wv, sizeof wv);
    neurio_tensor_set_data(m, b, bv, sizeof bv);
    neurio_tensor_set_data(m, s, dy, sizeof dy);
    int32_t in[4] = {x, w, b, s};
    int32_t o = neurio_model_add_op(m, NEURIO_OP_TRANSPOSE_CONV, 4, in, 1, &y);
    m->ops[o].attr.conv.padding = NEURIO_PAD_SAME;
    m->ops[o].attr.conv.stride_h = m->ops[o].attr.conv.stride_w = 2;
    m->ops[o].attr.conv.activation = NEURIO_ACT_RELU;
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void test_tconv_int8(void)
{
    neurio_errbuf err = {{0}};
    uint32_t st = 7;
    float data[16 * 48];
    for (int i = 0; i < 16 * 48; i++)
        data[i] = frand(&st) * 2.0f - 1.0f;
    char calib[1100];
    snprintf(calib, sizeof calib, "%s/tconv_calib.npy", neurio_test_tmpdir());
    int64_t dims[5] = {16, 1, 4, 4, 3};
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(calib, NEURIO_DT_FLOAT32, 5, dims, data, &err),
                          NEURIO_OK);
    neurio_model *f = tconv_float(), *q = tconv_float();
    neurio_prepare_args a = {.size = sizeof a, .model_path = "", .quantize = "int8",
                             .calibration = calib, .calibration_method = "minmax"};
    int rc = neurio_quantize(q, &a, &err);
    if (rc)
        fprintf(stderr, "\n    quantize: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    const neurio_op *op = NULL;
    for (int32_t i = 0; i < q->n_ops; i++)
        if (q->ops[i].kind == NEURIO_OP_TRANSPOSE_CONV)
            op = &q->ops[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    const neurio_tensor *w = &q->tensors[op->inputs[1]], *b = &q->tensors[op->inputs[2]];
    CU_ASSERT_EQUAL(q->tensors[op->inputs[0]].dtype, NEURIO_DT_INT8);
    CU_ASSERT_EQUAL(w->dtype, NEURIO_DT_INT8);
    CU_ASSERT_EQUAL(w->quant.count, 4);
    CU_ASSERT_EQUAL(w->quant.axis, 0);
    CU_ASSERT(w->quant.scale[3] > w->quant.scale[0]); /* per-channel, not per-tensor */
    CU_ASSERT_EQUAL(b->dtype, NEURIO_DT_INT32);
    CU_ASSERT_EQUAL(q->tensors[op->inputs[3]].dtype, NEURIO_DT_INT32);
    neurio_npy x = {.dtype = NEURIO_DT_FLOAT32, .rank = 5, .data = data,
                    .bytes = sizeof data};
    memcpy(x.dims, dims, sizeof dims);
    size_t n1, n2, k1, k2;
    float *of = qe_run(f, &x, &n1, &k1), *oq = qe_run(q, &x, &n2, &k2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(of);
    CU_ASSERT_PTR_NOT_NULL_FATAL(oq);
    CU_ASSERT_EQUAL_FATAL(n1 * k1, n2 * k2);
    double l2 = qe_rel_l2(oq, of, n1 * k1);
    printf("\n    TRANSPOSE_CONV int8 vs float: rel L2 %.4f\n", l2);
    CU_ASSERT(l2 < 0.05);
    CU_ASSERT(l2 > 0.0); /* really quantized */
    free(of);
    free(oq);
    neurio_model_free(f);
    neurio_model_free(q);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("quantize_tconv", NULL, NULL);
    if (!s || !CU_add_test(s, "TRANSPOSE_CONV to int8", test_tconv_int8))
        return -1;
    return 0;
}
