/* tests/kernels/pool/test_nk_max_pool2d.c — MAX_POOL_2D int8 and float32. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_int8(void)
{
    /* 4x4 image, 2x2 stride 2 VALID */
    const int8_t in[16] = {-128, -100, 5, 6, -120, -128, 7, 127, 0, 0, -1, -2, 0, 1, -3, -4};
    nk_pool_params p = {.batches = 1, .in_h = 4, .in_w = 4, .channels = 1, .out_h = 2,
                        .out_w = 2, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
                        .act_min = -128, .act_max = 127};
    int8_t out[4];
    CU_ASSERT_EQUAL_FATAL(nk_max_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -100);
    CU_ASSERT_EQUAL(out[1], 127);
    CU_ASSERT_EQUAL(out[2], 1);
    CU_ASSERT_EQUAL(out[3], -1);
    p.act_min = -50;
    p.act_max = 100;
    CU_ASSERT_EQUAL_FATAL(nk_max_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -50);
    CU_ASSERT_EQUAL(out[1], 100);
}

static void test_same_padding(void)
{
    /* 3x3, filter 3x3 SAME stride 2 (out 2x2, pad 1): padding never wins
     * even when every image value is -128. */
    int8_t in[9];
    memset(in, -128, sizeof in);
    in[8] = -127;
    nk_pool_params p = {.batches = 1, .in_h = 3, .in_w = 3, .channels = 1, .out_h = 2,
                        .out_w = 2, .filter_h = 3, .filter_w = 3, .stride_h = 2, .stride_w = 2,
                        .pad_top = 1, .pad_left = 1, .act_min = -128, .act_max = 127};
    int8_t out[4];
    CU_ASSERT_EQUAL_FATAL(nk_max_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -128);
    CU_ASSERT_EQUAL(out[3], -127);
}

static void test_float(void)
{
    const float in[8] = {-5.f, -7.f, 1.f, 2.f, -9.f, -6.f, 3.f, 0.5f}; /* 2x2x2 */
    float out[2];
    nk_pool_params p = {.batches = 1, .in_h = 2, .in_w = 2, .channels = 2, .out_h = 1,
                        .out_w = 1, .filter_h = 2, .filter_w = 2, .stride_h = 1, .stride_w = 1,
                        .act_min_f = -1e30f, .act_max_f = 1e30f};
    CU_ASSERT_EQUAL_FATAL(nk_max_pool2d_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 3.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 2.0, 0);
    p.filter_h = 0;
    CU_ASSERT_EQUAL(nk_max_pool2d_f32(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_max_pool2d", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 VALID stride 2 and clamp", test_int8);
    CU_add_test(s, "SAME padding taps are ignored", test_same_padding);
    CU_add_test(s, "float32", test_float);
    return 0;
}
