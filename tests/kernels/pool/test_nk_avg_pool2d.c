/* tests/kernels/pool/test_nk_avg_pool2d.c — AVERAGE_POOL_2D: int8 rounding half
 * away from zero, padding taps excluded from the count, clamping; float. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_rounding(void)
{
    /* one 2x2 window: sums 5 -> 5/4 = 1.25 -> 1; 6 -> 1.5 -> 2; -6 -> -2;
     * -5 -> -1; 4 channels. */
    const int8_t in[16] = {1, 3, -3, -2, 1, 1, -1, -1, 1, 1, -1, -1, 2, 1, -1, -1};
    nk_pool_params p = {.batches = 1, .in_h = 2, .in_w = 2, .channels = 4, .out_h = 1,
                        .out_w = 1, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
                        .act_min = -128, .act_max = 127};
    int8_t out[4];
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 1);  /* 5/4   */
    CU_ASSERT_EQUAL(out[1], 2);  /* 6/4   */
    CU_ASSERT_EQUAL(out[2], -2); /* -6/4  */
    CU_ASSERT_EQUAL(out[3], -1); /* -5/4  */
}

static void test_same_padding_count(void)
{
    /* 3x3 image 1..9, 3x3 filter, SAME stride 1 (pad 1): the corner
     * averages over 4 taps only: (1+2+4+5)/4 = 3; centre 45/9 = 5;
     * edge (1+2+3+4+5+6)/6 = 3.5 -> 4. */
    const int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    nk_pool_params p = {.batches = 1, .in_h = 3, .in_w = 3, .channels = 1, .out_h = 3,
                        .out_w = 3, .filter_h = 3, .filter_w = 3, .stride_h = 1, .stride_w = 1,
                        .pad_top = 1, .pad_left = 1, .act_min = -128, .act_max = 127};
    int8_t out[9];
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 3);
    CU_ASSERT_EQUAL(out[1], 4);
    CU_ASSERT_EQUAL(out[4], 5);
    CU_ASSERT_EQUAL(out[8], 7); /* (5+6+8+9)/4 = 7 */
    /* fused clamp */
    p.act_min = 4;
    p.act_max = 6;
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 4);
    CU_ASSERT_EQUAL(out[8], 6);
    /* a window entirely in the padding is refused (TFLite fails too) */
    p.pad_top = 3;
    memset(out, 9, sizeof out);
    CU_ASSERT_EQUAL(nk_avg_pool2d_s8(&p, in, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(out[0], 9);
}

static void test_random_extremes(void)
{
    /* global average pool over 25x5 (kws-like) with int8 extremes */
    uint32_t seed = 31u;
    int8_t in[25 * 5 * 3], out[3];
    for (int i = 0; i < 25 * 5 * 3; ++i)
        in[i] = (i % 7 == 0) ? -128 : (i % 11 == 0 ? 127 : ref_rand_s8(&seed));
    nk_pool_params p = {.batches = 1, .in_h = 25, .in_w = 5, .channels = 3, .out_h = 1,
                        .out_w = 1, .filter_h = 25, .filter_w = 5, .stride_h = 25,
                        .stride_w = 5, .act_min = -128, .act_max = 127};
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_s8(&p, in, out), NK_OK);
    for (int c = 0; c < 3; ++c) {
        int64_t sum = 0;
        for (int i = 0; i < 125; ++i)
            sum += in[i * 3 + c];
        CU_ASSERT_EQUAL(out[c], (int8_t)ref_div_half_away(sum, 125));
    }
}

static void test_float(void)
{
    const float in[4] = {1.0f, 2.0f, 3.0f, 5.0f};
    float out[1];
    nk_pool_params p = {.batches = 1, .in_h = 2, .in_w = 2, .channels = 1, .out_h = 1,
                        .out_w = 1, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
                        .act_min_f = -100.0f, .act_max_f = 100.0f};
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 2.75, 1e-7);
    p.act_max_f = 2.0f;
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 2.0, 1e-7);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_avg_pool2d", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 rounding half away from zero", test_rounding);
    CU_add_test(s, "SAME padding counts only image taps; clamp", test_same_padding_count);
    CU_add_test(s, "global pool with int8 extremes", test_random_extremes);
    CU_add_test(s, "float32", test_float);
    return 0;
}
