/* tests/kernels/elementwise/test_nk_add.c — ADD int8 (TFLite's left shift 20 scheme,
 * different input scales, zero points at the extremes, saturation,
 * broadcasting, in-place) and float32. */
#include <string.h>

#include "binary_ref.h"
#include "test_util.h"

static int8_t ref_add(const nk_binary_params *p, int a, int b)
{
    int64_t x1 = ref_requant((int64_t)(a - p->in1_zp) * (1 << 20), p->in1_mult, p->in1_shift);
    int64_t x2 = ref_requant((int64_t)(b - p->in2_zp) * (1 << 20), p->in2_mult, p->in2_shift);
    return (int8_t)ref_clamp(ref_requant(x1 + x2, p->out_mult, p->out_shift) + p->out_zp,
                             p->act_min, p->act_max);
}

static void test_exhaustive_pairs(void)
{
    /* every (a, b) pair for two scale/zero-point configurations */
    static int8_t a[256 * 256], b[256 * 256], out[256 * 256];
    for (int i = 0; i < 256 * 256; ++i) {
        a[i] = (int8_t)((i >> 8) - 128);
        b[i] = (int8_t)((i & 255) - 128);
    }
    const double cfg[2][6] = {{0.05, -128, 0.02, 127, 0.07, 3}, {0.1, 0, 0.1, 0, 0.2, -128}};
    for (int k = 0; k < 2; ++k) {
        nk_binary_params p = {.flat_size = 256 * 256};
        ref_addsub_params(&p, cfg[k][0], (int)cfg[k][1], cfg[k][2], (int)cfg[k][3], cfg[k][4],
                          (int)cfg[k][5]);
        CU_ASSERT_EQUAL_FATAL(nk_add_s8(&p, a, b, out), NK_OK);
        int bad = 0, far = 0;
        for (int i = 0; i < 256 * 256; ++i) {
            bad += out[i] != ref_add(&p, a[i], b[i]);
            /* sanity against real arithmetic: within one step */
            double real = (cfg[k][0] * (a[i] - cfg[k][1]) + cfg[k][2] * (b[i] - cfg[k][3])) /
                              cfg[k][4] + cfg[k][5];
            real = real < -128 ? -128 : (real > 127 ? 127 : real);
            far += fabs(out[i] - real) > 1.0;
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(far, 0);
    }
}

static void test_hand_and_inplace(void)
{
    /* equal scales 1.0, zp 0: plain saturating integer addition */
    nk_binary_params p = {.flat_size = 4};
    ref_addsub_params(&p, 1.0, 0, 1.0, 0, 1.0, 0);
    int8_t a[4] = {1, 100, -100, 5}, b[4] = {2, 100, -100, -7};
    CU_ASSERT_EQUAL_FATAL(nk_add_s8(&p, a, b, a), NK_OK); /* in place */
    CU_ASSERT_EQUAL(a[0], 3);
    CU_ASSERT_EQUAL(a[1], 127);
    CU_ASSERT_EQUAL(a[2], -128);
    CU_ASSERT_EQUAL(a[3], -2);
    p.act_min = 0; /* fused relu */
    CU_ASSERT_EQUAL_FATAL(nk_add_s8(&p, a, b, a), NK_OK);
    CU_ASSERT_EQUAL(a[0], 5);
    CU_ASSERT_EQUAL(a[3], 0);
}

static void test_broadcast(void)
{
    /* [2,1,3] + [1,4,1] -> [2,4,3] */
    const int d1[3] = {2, 1, 3}, d2[3] = {1, 4, 1};
    int8_t a[6] = {-128, -1, 0, 1, 50, 127}, b[4] = {-128, 0, 10, 127}, out[24];
    nk_binary_params p = {0};
    ref_addsub_params(&p, 0.03, 5, 0.011, -9, 0.04, -1);
    ref_broadcast(&p, 3, d1, d2);
    CU_ASSERT_EQUAL_FATAL(nk_add_s8(&p, a, b, out), NK_OK);
    int bad = 0;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 3; ++k)
                bad += out[(i * 4 + j) * 3 + k] != ref_add(&p, a[i * 3 + k], b[j]);
    CU_ASSERT_EQUAL(bad, 0);
    p.rank = 0;
    CU_ASSERT_EQUAL(nk_add_s8(&p, a, b, out), NK_ERR_PARAMS);
}

static void test_float(void)
{
    const int d1[2] = {2, 2}, d2[2] = {1, 2};
    const float a[4] = {1.f, 2.f, 3.f, 4.f}, b[2] = {10.f, -10.f};
    float out[4];
    nk_binary_params p = {.act_min_f = -7.f, .act_max_f = 12.f};
    ref_broadcast(&p, 2, d1, d2);
    CU_ASSERT_EQUAL_FATAL(nk_add_f32(&p, a, b, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 11.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], -7.0, 0); /* -8 clamped */
    CU_ASSERT_DOUBLE_EQUAL(out[2], 12.0, 0); /* 13 clamped */
    CU_ASSERT_DOUBLE_EQUAL(out[3], -6.0, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_add", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "all int8 pairs vs reference and real arithmetic", test_exhaustive_pairs);
    CU_add_test(s, "hand-computed saturation, relu, in place", test_hand_and_inplace);
    CU_add_test(s, "broadcast [2,1,3]+[1,4,1]", test_broadcast);
    CU_add_test(s, "float32 broadcast and clamp", test_float);
    return 0;
}
