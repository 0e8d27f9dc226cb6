/* tests/kernels/elementwise/test_nk_mul.c — MUL int8 ((q1 - zp1)(q2 - zp2) rescaled)
 * and float32, with broadcasting. */
#include <string.h>

#include "binary_ref.h"
#include "test_util.h"

static void test_pairs(void)
{
    static int8_t a[256 * 256], b[256 * 256], out[256 * 256];
    for (int i = 0; i < 256 * 256; ++i) {
        a[i] = (int8_t)((i >> 8) - 128);
        b[i] = (int8_t)((i & 255) - 128);
    }
    const double s1 = 0.02, s2 = 0.013, so = 0.05;
    nk_binary_params p = {.flat_size = 256 * 256, .in1_zp = -128, .in2_zp = 127, .out_zp = 4,
                          .act_min = -128, .act_max = 127};
    ref_multiplier(s1 * s2 / so, &p.out_mult, &p.out_shift);
    CU_ASSERT_EQUAL_FATAL(nk_mul_s8(&p, a, b, out), NK_OK);
    int bad = 0, far = 0;
    for (int i = 0; i < 256 * 256; ++i) {
        int64_t prod = (int64_t)(a[i] + 128) * (b[i] - 127);
        int8_t want = (int8_t)ref_clamp(ref_requant(prod, p.out_mult, p.out_shift) + 4, -128, 127);
        bad += out[i] != want;
        double real = s1 * (a[i] + 128) * s2 * (b[i] - 127) / so + 4;
        real = real < -128 ? -128 : (real > 127 ? 127 : real);
        far += fabs(out[i] - real) > 0.51;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(far, 0);
}

static void test_broadcast_and_float(void)
{
    /* [3] * [1]: scalar broadcast; unit scales: 2*3 = 6, -40*4 = -160 -> -128 */
    const int d1[1] = {3}, d2[1] = {1};
    int8_t a[3] = {2, -40, 0}, b[1] = {3}, out[3];
    nk_binary_params p = {.act_min = -128, .act_max = 127};
    ref_multiplier(1.0, &p.out_mult, &p.out_shift);
    ref_broadcast(&p, 1, d1, d2);
    CU_ASSERT_EQUAL_FATAL(nk_mul_s8(&p, a, b, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 6);
    CU_ASSERT_EQUAL(out[1], -120);
    CU_ASSERT_EQUAL(out[2], 0);
    b[0] = 4;
    CU_ASSERT_EQUAL_FATAL(nk_mul_s8(&p, a, b, out), NK_OK);
    CU_ASSERT_EQUAL(out[1], -128);
    const float fa[3] = {1.5f, -2.f, 4.f}, fb[1] = {2.f};
    float fo[3];
    p.act_min_f = -3.f;
    p.act_max_f = 5.f;
    CU_ASSERT_EQUAL_FATAL(nk_mul_f32(&p, fa, fb, fo), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(fo[0], 3.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(fo[1], -3.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(fo[2], 5.0, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_mul", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "all int8 pairs vs reference and real arithmetic", test_pairs);
    CU_add_test(s, "scalar broadcast, saturation, float32", test_broadcast_and_float);
    return 0;
}
