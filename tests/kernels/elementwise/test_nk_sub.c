/* tests/kernels/elementwise/test_nk_sub.c — SUB int8 (TFLite's ADD scheme with a
 * difference) and float32. */
#include <string.h>

#include "binary_ref.h"
#include "test_util.h"

static int8_t ref_sub(const nk_binary_params *p, int a, int b)
{
    int64_t x1 = ref_requant((int64_t)(a - p->in1_zp) * (1 << 20), p->in1_mult, p->in1_shift);
    int64_t x2 = ref_requant((int64_t)(b - p->in2_zp) * (1 << 20), p->in2_mult, p->in2_shift);
    return (int8_t)ref_clamp(ref_requant(x1 - x2, p->out_mult, p->out_shift) + p->out_zp,
                             p->act_min, p->act_max);
}

static void test_pairs(void)
{
    static int8_t a[256 * 256], b[256 * 256], out[256 * 256];
    for (int i = 0; i < 256 * 256; ++i) {
        a[i] = (int8_t)((i >> 8) - 128);
        b[i] = (int8_t)((i & 255) - 128);
    }
    nk_binary_params p = {.flat_size = 256 * 256};
    ref_addsub_params(&p, 0.02, 127, 0.05, -128, 0.06, 0);
    CU_ASSERT_EQUAL_FATAL(nk_sub_s8(&p, a, b, out), NK_OK);
    int bad = 0;
    for (int i = 0; i < 256 * 256; ++i)
        bad += out[i] != ref_sub(&p, a[i], b[i]);
    CU_ASSERT_EQUAL(bad, 0);
    /* hand: equal unit scales -> saturating integer difference */
    nk_binary_params q = {.flat_size = 3};
    ref_addsub_params(&q, 1.0, 0, 1.0, 0, 1.0, 0);
    int8_t x[3] = {5, -100, 100}, y[3] = {7, 100, -100}, r[3];
    CU_ASSERT_EQUAL_FATAL(nk_sub_s8(&q, x, y, r), NK_OK);
    CU_ASSERT_EQUAL(r[0], -2);
    CU_ASSERT_EQUAL(r[1], -128);
    CU_ASSERT_EQUAL(r[2], 127);
}

static void test_float(void)
{
    const float a[3] = {1.f, 2.f, 3.f}, b[3] = {0.5f, 4.f, -1.f};
    float out[3];
    nk_binary_params p = {.flat_size = 3, .act_min_f = -1.f, .act_max_f = 3.f};
    CU_ASSERT_EQUAL_FATAL(nk_sub_f32(&p, a, b, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], -1.0, 0); /* -2 clamped */
    CU_ASSERT_DOUBLE_EQUAL(out[2], 3.0, 0);  /* 4 clamped */
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_sub", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "all int8 pairs vs reference; saturation", test_pairs);
    CU_add_test(s, "float32", test_float);
    return 0;
}
