/* tests/kernels/quant/test_nk_quantize.c — QUANTIZE float32 -> int8: round half
 * away from zero of x / scale (float), zero point, saturation at the int8
 * extremes, NaN/inf handling. */
#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_rounding_and_saturation(void)
{
    const float in[9] = {0.25f, 0.75f, -0.25f, -0.75f, 0.5f, 1.0f, 1000.0f, -1000.0f, 0.0f};
    int8_t out[9];
    nk_quantize_params p = {.size = 9, .scale = 0.5f, .zp = -3};
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 1 - 3);   /* 0.5 -> 1 (away from zero) */
    CU_ASSERT_EQUAL(out[1], 2 - 3);   /* 1.5 -> 2 */
    CU_ASSERT_EQUAL(out[2], -1 - 3);  /* -0.5 -> -1 */
    CU_ASSERT_EQUAL(out[3], -2 - 3);  /* -1.5 -> -2 */
    CU_ASSERT_EQUAL(out[4], 1 - 3);
    CU_ASSERT_EQUAL(out[5], 2 - 3);
    CU_ASSERT_EQUAL(out[6], 127);
    CU_ASSERT_EQUAL(out[7], -128);
    CU_ASSERT_EQUAL(out[8], -3);
}

static void test_extreme_zero_points(void)
{
    const float in[4] = {0.0f, 1.0f, 2.56f, -0.01f};
    int8_t out[4];
    nk_quantize_params p = {.size = 4, .scale = 0.01f, .zp = -128};
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -128);
    CU_ASSERT_EQUAL(out[1], -28);
    CU_ASSERT_EQUAL(out[2], 127); /* 256 - 128 = 128 saturates */
    CU_ASSERT_EQUAL(out[3], -128);
    p.zp = 127;
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 127);
    CU_ASSERT_EQUAL(out[3], 126);
}

static void test_matches_float_formula(void)
{
    /* the division is done in float: compare with roundf(x / scale) */
    uint32_t seed = 5u;
    const float scale = 0.0173f;
    int bad = 0;
    for (int i = 0; i < 100000; ++i) {
        float x = ((float)(ref_rand(&seed) % 2000001) - 1000000.0f) * 3e-6f;
        int8_t q;
        nk_quantize_params p = {.size = 1, .scale = scale, .zp = 7};
        nk_quantize_f32_s8(&p, &x, &q);
        long r = lroundf(x / scale) + 7;
        r = r < -128 ? -128 : (r > 127 ? 127 : r);
        bad += q != r;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_non_finite_and_bad(void)
{
    const float in[3] = {INFINITY, -INFINITY, NAN};
    int8_t out[3];
    nk_quantize_params p = {.size = 3, .scale = 1.0f, .zp = 5};
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 127);
    CU_ASSERT_EQUAL(out[1], -128);
    CU_ASSERT_EQUAL(out[2], 5);
    p.scale = 0.0f;
    CU_ASSERT_EQUAL(nk_quantize_f32_s8(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_quantize", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "round half away from zero, saturation", test_rounding_and_saturation);
    CU_add_test(s, "zero points -128 and 127", test_extreme_zero_points);
    CU_add_test(s, "100k values vs roundf(x / scale)", test_matches_float_formula);
    CU_add_test(s, "inf/NaN and a zero scale", test_non_finite_and_bad);
    return 0;
}
