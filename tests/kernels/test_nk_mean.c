/* tests/kernels/test_nk_mean.c — MEAN int8 (TFLite's truncating integer
 * mean for shared quantization, rescaled mean otherwise) and float32, over
 * spatial axes and a single axis. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_same_quant_truncates(void)
{
    /* [1,2,2,2] over H,W: ch0 1,2,3,5 -> 11/4 = 2 (trunc), ch1 -1,-2,-3,-5 -> -2 */
    const int8_t in[8] = {1, -1, 2, -2, 3, -3, 5, -5};
    int8_t out[2];
    nk_mean_params p = {.rank = 4, .in_dims = {1, 2, 2, 2}, .reduce = {0, 1, 1, 0}};
    CU_ASSERT_EQUAL_FATAL(nk_mean_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 2);
    CU_ASSERT_EQUAL(out[1], -2);
}

static void test_rescaled(void)
{
    /* in scale 0.1 zp 10, out scale 0.05 zp -5 over 4 elements: the sum of
     * (q - 10) scaled by 2/4, rounding as MultiplyByQuantizedMultiplier. */
    const int8_t in[8] = {11, 20, 13, -128, 10, 127, 15, 0};
    int8_t out[2];
    /* multiplier for 0.1/0.05 = 2 with 1/4 folded in: 0.5 -> (2^30, 0) */
    nk_mean_params p = {.rank = 2, .in_dims = {4, 2}, .reduce = {1, 0}, .in_zp = 10,
                        .out_zp = -5, .mult = 1 << 30, .shift = 0};
    CU_ASSERT_EQUAL_FATAL(nk_mean_s8(&p, in, out), NK_OK);
    /* ch0: 11,13,10,15 -> sum-zp = 9 -> 4.5 -> 5 -> 0; ch1: 20,-128,127,0 -> 19-40 = -21 -> -10.5 -> -10 -> -15 */
    CU_ASSERT_EQUAL(out[0], 5 - 5);
    CU_ASSERT_EQUAL(out[1], ref_requant(-21, 1 << 30, 0) - 5);
    CU_ASSERT_EQUAL(out[1], -15);
}

static void test_float(void)
{
    /* [2,3] mean over axis 1 and over both axes */
    const float in[6] = {1, 2, 3, 4, 5, 9};
    float out[2];
    nk_mean_params p = {.rank = 2, .in_dims = {2, 3}, .reduce = {0, 1}};
    CU_ASSERT_EQUAL_FATAL(nk_mean_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 2.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 6.0, 1e-7);
    p.reduce[0] = 1;
    CU_ASSERT_EQUAL_FATAL(nk_mean_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 4.0, 1e-7);
    p.in_dims[1] = 0;
    CU_ASSERT_EQUAL(nk_mean_f32(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_mean", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "shared quantization: truncating integer mean", test_same_quant_truncates);
    CU_add_test(s, "rescaled quantized mean", test_rescaled);
    CU_add_test(s, "float32 over one and two axes", test_float);
    return 0;
}
