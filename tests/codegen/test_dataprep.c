/* tests/codegen/test_dataprep.c — user arrays to model inputs: TFLite's
 * rounding (half away from zero) and saturation, dtype pass-through and
 * conversions, shapes with/without the leading 1, refusals naming both
 * shapes, output dequantization. */
#include <stdlib.h>
#include <string.h>

#include "neurio/dataprep.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "test_util.h"

/* Model with one input [1, 2, 2] of dtype dt (scale 0.5, zp 10 if int8)
 * and output = RELU(input). */
static neurio_model *mk(neurio_dtype dt)
{
    neurio_model *m = neurio_model_new("dp");
    int32_t d[3] = {1, 2, 2};
    int32_t x = neurio_model_add_tensor(m, "in", dt, 3, d);
    int32_t y = neurio_model_add_tensor(m, "out", dt, 3, d);
    if (dt == NEURIO_DT_INT8) {
        float s = 0.5f;
        int32_t z = 10;
        neurio_tensor_set_quant(m, x, 1, 0, &s, &z);
        neurio_tensor_set_quant(m, y, 1, 0, &s, &z);
    }
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static neurio_npy arr(neurio_dtype dt, int32_t rank, const int64_t *dims, void *data)
{
    neurio_npy a = {.dtype = dt, .rank = rank, .data = data};
    size_t n = 1;
    for (int32_t i = 0; i < rank; i++) {
        a.dims[i] = dims[i];
        n *= (size_t)dims[i];
    }
    a.bytes = n * neurio_dtype_size(dt);
    return a;
}

static void test_quantize_rounding(void)
{
    /* scale 0.5, zp 10: q = round(x / 0.5) + 10 */
    CU_ASSERT_EQUAL(neurio_quantize_value(0.25f, 0.5f, 10, -128, 127), 11);  /* 0.5 -> 1 */
    CU_ASSERT_EQUAL(neurio_quantize_value(-0.25f, 0.5f, 10, -128, 127), 9);  /* -0.5 -> -1 */
    CU_ASSERT_EQUAL(neurio_quantize_value(0.74f, 0.5f, 10, -128, 127), 11);
    CU_ASSERT_EQUAL(neurio_quantize_value(0.75f, 0.5f, 10, -128, 127), 12); /* 1.5 -> 2 */
    CU_ASSERT_EQUAL(neurio_quantize_value(1000.0f, 0.5f, 10, -128, 127), 127);
    CU_ASSERT_EQUAL(neurio_quantize_value(-1000.0f, 0.5f, 10, -128, 127), -128);
    CU_ASSERT_EQUAL(neurio_quantize_value(1e30f, 1e-30f, 0, -128, 127), 127);
}

static void test_float_to_int8(void)
{
    neurio_model *m = mk(NEURIO_DT_INT8);
    float v[8] = {0.25f, -0.25f, 0.0f, 100.0f, -100.0f, 1.0f, -1.0f, 0.75f};
    int64_t dims[4] = {2, 1, 2, 2};
    neurio_npy a = arr(NEURIO_DT_FLOAT32, 4, dims, v);
    void *out = NULL;
    size_t n = 0;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(n, 2);
    const int8_t want[8] = {11, 9, 10, 127, -128, 12, 8, 12};
    CU_ASSERT_EQUAL(memcmp(out, want, 8), 0);
    /* Dequantize back: (q - 10) * 0.5 */
    float back[8];
    CU_ASSERT_EQUAL(neurio_dataprep_dequantize(m, 0, out, 2, back), NEURIO_OK);
    CU_ASSERT_DOUBLE_EQUAL(back[0], 0.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(back[3], 58.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(back[4], -69.0, 1e-7);
    free(out);
    neurio_model_free(m);
}

static void test_passthrough_and_shapes(void)
{
    neurio_model *m = mk(NEURIO_DT_INT8);
    int8_t v[12] = {-128, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int64_t d_without[3] = {3, 2, 2};
    neurio_npy a = arr(NEURIO_DT_INT8, 3, d_without, v);
    void *out = NULL;
    size_t n = 0;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(memcmp(out, v, 12), 0);
    free(out);

    int64_t d_bad[3] = {3, 4, 1};
    a = arr(NEURIO_DT_INT8, 3, d_bad, v);
    CU_ASSERT_EQUAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[3, 4, 1]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[1, 2, 2]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'in'"));

    int64_t d0[4] = {0, 1, 2, 2};
    a = arr(NEURIO_DT_INT8, 4, d0, v);
    CU_ASSERT_EQUAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no samples"));

    CU_ASSERT_EQUAL(neurio_dataprep_input(m, 1, &a, &out, &n, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no input 1"));
    neurio_model_free(m);
}

static void test_int_ranges(void)
{
    neurio_model *m = mk(NEURIO_DT_INT8);
    int64_t v[4] = {-128, 127, 0, 5};
    int64_t dims[3] = {1, 2, 2};
    neurio_npy a = arr(NEURIO_DT_INT64, 3, dims, v);
    void *out = NULL;
    size_t n = 0;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(((int8_t *)out)[1], 127);
    free(out);
    v[3] = 300;
    CU_ASSERT_EQUAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "300"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "element 3"));
    neurio_model_free(m);

    /* float64 -> float32 model; int8 data -> float32 model (values). */
    m = mk(NEURIO_DT_FLOAT32);
    double dv[4] = {0.5, -1.25, 3.0, 1e-3};
    a = arr(NEURIO_DT_FLOAT64, 3, dims, dv);
    CU_ASSERT_EQUAL_FATAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_OK);
    CU_ASSERT_DOUBLE_EQUAL(((float *)out)[1], -1.25, 1e-7);
    free(out);
    neurio_model_free(m);

    /* float data into an int8 input without quantization parameters */
    m = neurio_model_new("noq");
    int32_t d[1] = {2};
    int32_t x = neurio_model_add_tensor(m, "raw", NEURIO_DT_INT8, 1, d);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_INT8, 1, d);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    float fv[2] = {1, 2};
    int64_t fd[2] = {1, 2};
    a = arr(NEURIO_DT_FLOAT32, 2, fd, fv);
    CU_ASSERT_EQUAL(neurio_dataprep_input(m, 0, &a, &out, &n, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "without quantization parameters"));
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("dataprep", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "quantize_rounding", test_quantize_rounding);
    CU_add_test(s, "float_to_int8", test_float_to_int8);
    CU_add_test(s, "passthrough_and_shapes", test_passthrough_and_shapes);
    CU_add_test(s, "int_ranges", test_int_ranges);
    return 0;
}
