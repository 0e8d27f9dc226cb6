/* tests/kernels/activation/test_nk_activation_more.c — the float forms of LOG_SOFTMAX
 * and L2_NORMALIZATION against double-precision references (1e-6
 * relative), their int8 corner cases (a constant row, an all-zero row),
 * and the parameter checks. */
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_log_softmax_float(void)
{
    uint32_t seed = 11u;
    float in[60], out[60];
    for (int i = 0; i < 60; ++i)
        in[i] = (float)((int32_t)(ref_rand(&seed) % 2001) - 1000) / 100.0f;
    nk_log_softmax_params p = {.rows = 5, .depth = 12};
    CU_ASSERT_EQUAL_FATAL(nk_log_softmax_f32(&p, in, out), NK_OK);
    int bad = 0;
    for (int r = 0; r < 5; ++r) {
        double mx = -1e30, sum = 0.0;
        for (int c = 0; c < 12; ++c)
            mx = fmax(mx, in[r * 12 + c]);
        for (int c = 0; c < 12; ++c)
            sum += exp(in[r * 12 + c] - mx);
        for (int c = 0; c < 12; ++c) {
            double w = in[r * 12 + c] - mx - log(sum);
            bad += fabs(out[r * 12 + c] - w) > 1e-5 * fmax(1.0, fabs(w));
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    p.depth = 0;
    CU_ASSERT_EQUAL(nk_log_softmax_f32(&p, in, out), NK_ERR_PARAMS);
}

static void test_log_softmax_int8_constant_row(void)
{
    /* a row of equal values: every output is log(1/depth) on scale 1/16 */
    int8_t in[8], out[8];
    memset(in, 5, sizeof in);
    nk_log_softmax_params p = {.rows = 1, .depth = 8};
    ref_multiplier(0.05 * (double)(1 << 26), &p.input_multiplier, &p.input_left_shift);
    ref_multiplier((double)(1LL << (31 - p.input_left_shift)) / p.input_multiplier,
                   &p.reverse_scaling_divisor, &p.reverse_scaling_shift);
    p.diff_min = -(int32_t)floor(31.0 * (double)(1 << 26) / (double)(1LL << p.input_left_shift));
    CU_ASSERT_EQUAL_FATAL(nk_log_softmax_s8(&p, in, out), NK_OK);
    int want = (int)lround(log(1.0 / 8.0) * 16.0) + 127; /* -33.3 + 127 */
    for (int i = 0; i < 8; ++i)
        CU_ASSERT(abs(out[i] - want) <= 1);
}

static void test_l2norm(void)
{
    const float in[6] = {3.0f, 4.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    float out[6];
    nk_l2norm_params p = {.rows = 2, .depth = 3};
    CU_ASSERT_EQUAL_FATAL(nk_l2norm_f32(&p, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.6, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 0.8, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 0.0, 0); /* zero row: divided by epsilon */
    /* int8 [3,4] with zp 0 on output scale 1/128 -> 0.6, 0.8 */
    const int8_t q[4] = {30, 40, 0, 0};
    int8_t o[4];
    nk_l2norm_params r = {.rows = 2, .depth = 2};
    CU_ASSERT_EQUAL_FATAL(nk_l2norm_s8(&r, q, o), NK_OK);
    CU_ASSERT(abs(o[0] - 77) <= 1 && abs(o[1] - 102) <= 1);
    CU_ASSERT(o[2] == 0 && o[3] == 0);
    r.rows = 0;
    CU_ASSERT_EQUAL(nk_l2norm_s8(&r, q, o), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_activation_more", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "LOG_SOFTMAX float against double", test_log_softmax_float);
    CU_add_test(s, "LOG_SOFTMAX int8 on a constant row", test_log_softmax_int8_constant_row);
    CU_add_test(s, "L2_NORMALIZATION float and int8", test_l2norm);
    return 0;
}
