/* tests/kernels/activation/test_nk_prelu.c — PRELU int8, int16 (int8 alpha) and float
 * with broadcast alpha on random shapes and scales, against TFLite's
 * arithmetic re-derived with the exact requantization of kernel_ref.h. */
#include <string.h>

#include "binary_ref.h"
#include "test_util.h"

static uint32_t seed = 2024u;

static void random_quant(nk_binary_params *p, int wide)
{
    double sx = 0.001 + (ref_rand(&seed) % 1000) / 10000.0;
    double sa = 0.001 + (ref_rand(&seed) % 1000) / 20000.0;
    double so = 0.001 + (ref_rand(&seed) % 1000) / 10000.0;
    p->in1_zp = wide ? 0 : (int32_t)(ref_rand(&seed) % 256) - 128;
    p->in2_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
    p->out_zp = wide ? 0 : (int32_t)(ref_rand(&seed) % 256) - 128;
    ref_multiplier(sx / so, &p->in1_mult, &p->in1_shift);
    ref_multiplier(sx * sa / so, &p->out_mult, &p->out_shift);
    p->act_min = wide ? -32768 : -128;
    p->act_max = wide ? 32767 : 127;
}

static int32_t ref_prelu(const nk_binary_params *p, int32_t x, int32_t a)
{
    int32_t v = x - p->in1_zp;
    int32_t r = v >= 0 ? ref_requant(v, p->in1_mult, p->in1_shift)
                       : ref_requant((int64_t)v * (a - p->in2_zp), p->out_mult, p->out_shift);
    return ref_clamp(r + p->out_zp, p->act_min, p->act_max);
}

static void test_quantized(void)
{
    int bad = 0;
    static int8_t x8[256], a8[256], o8[256];
    static int16_t x16[256], o16[256];
    for (int t = 0; t < 300; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4];
        int32_t n = ref_random_bcast(&p, &seed, d1, d2);
        int wide = t & 1;
        random_quant(&p, wide);
        for (int i = 0; i < 256; ++i) {
            x8[i] = ref_rand_s8(&seed);
            a8[i] = ref_rand_s8(&seed);
            x16[i] = (int16_t)ref_rand(&seed);
        }
        int rc = wide ? nk_prelu_s16(&p, x16, a8, o16) : nk_prelu_s8(&p, x8, a8, o8);
        CU_ASSERT_EQUAL_FATAL(rc, NK_OK);
        for (int32_t i = 0; i < n; ++i) {
            int64_t o1, o2;
            ref_bcast_offsets(&p, d1, d2, i, &o1, &o2);
            if (wide)
                bad += o16[i] != ref_prelu(&p, x16[o1], a8[o2]);
            else
                bad += o8[i] != ref_prelu(&p, x8[o1], a8[o2]);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_float(void)
{
    const float x[4] = {-2.0f, -0.5f, 0.0f, 3.0f}, alpha[2] = {0.25f, 2.0f};
    float out[4];
    nk_binary_params p;
    memset(&p, 0, sizeof p);
    int a[2] = {2, 2}, b[2] = {1, 2}; /* alpha broadcast over rows */
    ref_broadcast(&p, 2, a, b);
    CU_ASSERT_EQUAL_FATAL(nk_prelu_f32(&p, x, alpha, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], -0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], -1.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[2], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 3.0, 0);
    nk_binary_params q;
    memset(&q, 0, sizeof q);
    q.act_min = 1;
    q.act_max = 0;
    int8_t xi[1] = {0}, ai[1] = {0}, oi[1];
    CU_ASSERT_EQUAL(nk_prelu_s8(&q, xi, ai, oi), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_prelu", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int8 and int16 on 300 random broadcasts", test_quantized);
    CU_add_test(s, "float with broadcast alpha", test_float);
    return 0;
}
