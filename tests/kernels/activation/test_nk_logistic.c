/* tests/kernels/activation/test_nk_logistic.c — LOGISTIC int8 (all 256 inputs for
 * several scales/zero points, within one step of the real sigmoid, exact at
 * 0 and in saturation, monotonic) and float32. */
#include "nk_fixedpoint.h"
#include "sigmoid_ref.h"
#include "test_util.h"

static void test_fixed_point_core(void)
{
    double worst = 0;
    for (int32_t raw = -(15 << 27); raw < (15 << 27); raw += 65537) {
        double x = raw / (double)(1 << 27);
        double got = nk_logistic_q4(raw) / 2147483648.0;
        worst = fmax(worst, fabs(got - 1.0 / (1.0 + exp(-x))));
    }
    CU_ASSERT(worst < 1e-6);
    CU_ASSERT_EQUAL(nk_logistic_q4(0), 1 << 30);
}

static void test_all_inputs(void)
{
    const double scales[4] = {0.01, 0.0625, 0.1, 0.25};
    const int zps[4] = {0, -128, 127, 17};
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    int far = 0, nonmono = 0;
    for (int k = 0; k < 4; ++k) {
        nk_sigmoid_params p;
        ref_sigmoid_params(&p, scales[k], zps[k], 256);
        CU_ASSERT_EQUAL_FATAL(nk_logistic_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            double x = scales[k] * (in[i] - zps[k]);
            double q = fmin(127, fmax(-128, round(256.0 / (1.0 + exp(-x))) - 128));
            far += fabs(out[i] - q) > 1;
            if (i)
                nonmono += out[i] < out[i - 1];
        }
    }
    CU_ASSERT_EQUAL(far, 0);
    CU_ASSERT_EQUAL(nonmono, 0);
    /* exact: x = 0 -> 0.5 -> 0; huge |x| saturates */
    nk_sigmoid_params p;
    ref_sigmoid_params(&p, 0.5, 3, 3);
    int8_t a[3] = {3, 127, -128}, b[3];
    CU_ASSERT_EQUAL_FATAL(nk_logistic_s8(&p, a, b), NK_OK);
    CU_ASSERT_EQUAL(b[0], 0);
    CU_ASSERT_EQUAL(b[1], 127);
    CU_ASSERT_EQUAL(b[2], -128);
}

static void test_float(void)
{
    const float in[4] = {0.0f, 20.0f, -10.0f, 1.0f};
    float out[4];
    CU_ASSERT_EQUAL_FATAL(nk_logistic_f32(4, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.5, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[1], 1.0, 0);            /* above the cut-off */
    CU_ASSERT_DOUBLE_EQUAL(out[2], exp(-10.0), 1e-9);  /* below: exp(x) */
    CU_ASSERT_DOUBLE_EQUAL(out[3], 1.0 / (1.0 + exp(-1.0)), 1e-6);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_logistic", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "fixed-point logistic vs 1/(1+exp(-x))", test_fixed_point_core);
    CU_add_test(s, "all int8 inputs, 4 quantizations", test_all_inputs);
    CU_add_test(s, "float32 with TFLite cut-offs", test_float);
    return 0;
}
