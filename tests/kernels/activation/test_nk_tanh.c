/* tests/kernels/activation/test_nk_tanh.c — TANH int8 (all inputs, several
 * quantizations, within one step of tanh, exact at 0, odd symmetry,
 * saturation) and float32. */
#include "nk_fixedpoint.h"
#include "sigmoid_ref.h"
#include "test_util.h"

static void test_fixed_point_core(void)
{
    double worst = 0;
    for (int32_t raw = -(15 << 27); raw < (15 << 27); raw += 65537) {
        double x = raw / (double)(1 << 27);
        worst = fmax(worst, fabs(nk_tanh_q4(raw) / 2147483648.0 - tanh(x)));
    }
    CU_ASSERT(worst < 2e-6);
    CU_ASSERT_EQUAL(nk_tanh_q4(0), 0);
    CU_ASSERT_EQUAL(nk_tanh_q4(12345678), -nk_tanh_q4(-12345678));
}

static void test_all_inputs(void)
{
    const double scales[3] = {0.01, 0.03125, 0.2};
    const int zps[3] = {0, -128, 127};
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    int far = 0;
    for (int k = 0; k < 3; ++k) {
        nk_sigmoid_params p;
        ref_sigmoid_params(&p, scales[k], zps[k], 256);
        CU_ASSERT_EQUAL_FATAL(nk_tanh_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            double q = fmin(127, fmax(-128, round(128.0 * tanh(scales[k] * (in[i] - zps[k])))));
            far += fabs(out[i] - q) > 1;
        }
    }
    CU_ASSERT_EQUAL(far, 0);
    nk_sigmoid_params p;
    ref_sigmoid_params(&p, 0.1, 0, 5);
    int8_t a[5] = {0, 10, -10, 127, -128}, b[5];
    CU_ASSERT_EQUAL_FATAL(nk_tanh_s8(&p, a, b), NK_OK);
    CU_ASSERT_EQUAL(b[0], 0);
    CU_ASSERT_EQUAL(b[1], -b[2]);
    CU_ASSERT_EQUAL(b[3], 127);
    CU_ASSERT_EQUAL(b[4], -128);
}

static void test_float(void)
{
    const float in[3] = {0.0f, 0.5f, -3.0f};
    float out[3];
    CU_ASSERT_EQUAL_FATAL(nk_tanh_f32(3, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], tanh(0.5), 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(out[2], tanh(-3.0), 1e-6);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_tanh", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "fixed-point tanh vs tanh()", test_fixed_point_core);
    CU_add_test(s, "all int8 inputs, 3 quantizations", test_all_inputs);
    CU_add_test(s, "float32", test_float);
    return 0;
}
