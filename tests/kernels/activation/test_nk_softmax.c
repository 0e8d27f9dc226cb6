/* tests/kernels/activation/test_nk_softmax.c — SOFTMAX int8: hand-computed exact
 * outputs, large input ranges (diff_min cut-off), agreement with real
 * softmax within one output step, the fixed-point exp against exp(); and
 * float32. */
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "nk_fixedpoint.h"
#include "test_util.h"

/* Parameters as TFLite derives them (beta, input scale -> Q5.26). */
static void make_params(nk_softmax_params *p, double beta, double in_scale)
{
    double real = beta * in_scale * (double)(1 << 26);
    if (real > 2147483647.0)
        real = 2147483647.0;
    ref_multiplier(real, &p->input_multiplier, &p->input_left_shift);
    double radius = 31.0 * (double)(1 << 26) / (double)(1LL << p->input_left_shift);
    p->diff_min = -(int32_t)floor(radius);
    p->beta = (float)beta;
}

static void test_exp_fixed_point(void)
{
    /* exp on Q5.26 inputs in [-31, 0]: error below 1e-6 absolute */
    double worst = 0;
    for (int32_t raw = 0; raw > -(31 << 26); raw -= 99991) {
        double x = raw / (double)(1 << 26);
        double got = nk_exp_on_negative_values(raw, 5) / 2147483648.0;
        double err = fabs(got - exp(x));
        if (err > worst)
            worst = err;
    }
    CU_ASSERT(worst < 1e-6);
    CU_ASSERT_EQUAL(nk_exp_on_negative_values(0, 5), NK_INT32_MAX);
}

static void test_hand_computed(void)
{
    nk_softmax_params p = {.rows = 1};
    make_params(&p, 1.0, 0.1);
    int8_t in[4] = {5, 5, 5, 5}, out[4];
    p.depth = 4; /* four equal values: 0.25 -> 64 - 128 */
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
    for (int i = 0; i < 4; ++i)
        CU_ASSERT_EQUAL(out[i], -64);
    p.depth = 2; /* 0.5 -> 0 */
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 0);
    CU_ASSERT_EQUAL(out[1], 0);
    p.depth = 1; /* 1.0 -> 256 - 128 saturates to 127 */
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 127);
}

static void test_large_range(void)
{
    /* scale 1.0: differences of 255 are far below diff_min -> exactly -128,
     * and the maximum takes everything (1.0 -> 127). */
    nk_softmax_params p = {.rows = 2, .depth = 3};
    make_params(&p, 1.0, 1.0);
    int8_t in[6] = {-128, 127, -100, 127, -128, 127}, out[6];
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], -128);
    CU_ASSERT_EQUAL(out[1], 127);
    CU_ASSERT_EQUAL(out[2], -128);
    /* two maxima share: 0.5 each -> 0 */
    CU_ASSERT_EQUAL(out[3], 0);
    CU_ASSERT_EQUAL(out[4], -128);
    CU_ASSERT_EQUAL(out[5], 0);
    CU_ASSERT(p.diff_min > -255);
}

static void test_vs_real(void)
{
    const double scales[4] = {0.0039, 0.05, 0.1, 0.39};
    const double betas[2] = {1.0, 0.5};
    uint32_t seed = 77u;
    int far = 0;
    for (int si = 0; si < 4; ++si)
        for (int bi = 0; bi < 2; ++bi) {
            nk_softmax_params p = {.rows = 8, .depth = 12};
            make_params(&p, betas[bi], scales[si]);
            int8_t in[96], out[96];
            for (int i = 0; i < 96; ++i)
                in[i] = ref_rand_s8(&seed);
            CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
            for (int r = 0; r < 8; ++r) {
                double mx = -1e9, sum = 0;
                for (int c = 0; c < 12; ++c)
                    mx = fmax(mx, in[r * 12 + c]);
                for (int c = 0; c < 12; ++c)
                    sum += exp(betas[bi] * scales[si] * (in[r * 12 + c] - mx));
                for (int c = 0; c < 12; ++c) {
                    double y = exp(betas[bi] * scales[si] * (in[r * 12 + c] - mx)) / sum;
                    double q = fmin(127, fmax(-128, round(y * 256) - 128));
                    far += fabs(out[r * 12 + c] - q) > 1;
                }
            }
        }
    CU_ASSERT_EQUAL(far, 0);
}

static void test_float(void)
{
    const float in[3] = {1.0f, 2.0f, 3.0f};
    float out[3];
    nk_softmax_params p = {.rows = 1, .depth = 3, .beta = 1.0f};
    CU_ASSERT_EQUAL_FATAL(nk_softmax_f32(&p, in, out), NK_OK);
    const double z = exp(-2.0) + exp(-1.0) + 1.0;
    CU_ASSERT_DOUBLE_EQUAL(out[0], exp(-2.0) / z, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[2], 1.0 / z, 1e-6);
    p.depth = 0;
    CU_ASSERT_EQUAL(nk_softmax_f32(&p, in, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_softmax", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "fixed-point exp vs exp()", test_exp_fixed_point);
    CU_add_test(s, "hand-computed exact outputs", test_hand_computed);
    CU_add_test(s, "large ranges: diff_min cut-off, saturation", test_large_range);
    CU_add_test(s, "random rows within one step of real softmax", test_vs_real);
    CU_add_test(s, "float32", test_float);
    return 0;
}
