/* tests/kernels/elementwise/test_nk_unary_more.c — the element-wise unary kernels:
 * ABS int8/int16 (TFLM's arithmetic, with and without rescaling), NEG
 * int8 (the same, sign flipped) and int32, the int8 lookup table, the float functions (against libm, ROUND
 * ties to even), HARD_SWISH float and CAST between every pair of types. */
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static uint32_t seed = 55u;

static void test_abs(void)
{
    int8_t in8[256], out8[256];
    int16_t in16[512], out16[512];
    for (int i = 0; i < 256; ++i)
        in8[i] = (int8_t)(i - 128);
    for (int i = 0; i < 512; ++i)
        in16[i] = (int16_t)ref_rand(&seed);
    in16[0] = -32768;
    int bad = 0;
    for (int t = 0; t < 40; ++t) {
        nk_requant_params p = {.size = 256, .in_zp = (int32_t)(ref_rand(&seed) % 256) - 128,
                               .out_zp = (int32_t)(ref_rand(&seed) % 256) - 128};
        if (t % 2)
            ref_multiplier(0.05 + (ref_rand(&seed) % 300) / 100.0, &p.mult, &p.shift);
        CU_ASSERT_EQUAL_FATAL(nk_abs_s8(&p, in8, out8), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t v = abs(in8[i] - p.in_zp);
            if (p.mult)
                v = ref_requant(v, p.mult, p.shift);
            bad += out8[i] != ref_clamp(v + p.out_zp, -128, 127);
        }
        nk_requant_params q = {.size = 512};
        if (t % 2)
            ref_multiplier(0.5 + (ref_rand(&seed) % 100) / 100.0, &q.mult, &q.shift);
        CU_ASSERT_EQUAL_FATAL(nk_abs_s16(&q, in16, out16), NK_OK);
        for (int i = 0; i < 512; ++i) {
            int32_t v = abs((int32_t)in16[i]);
            if (q.mult)
                v = ref_requant(v, q.mult, q.shift);
            bad += out16[i] != ref_clamp(v, -32768, 32767);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (int t = 0; t < 20; ++t) { /* NEG int8: ABS's arithmetic, sign flipped */
        nk_requant_params p = {.size = 256, .in_zp = (int32_t)(ref_rand(&seed) % 256) - 128,
                               .out_zp = (int32_t)(ref_rand(&seed) % 256) - 128};
        if (t % 2)
            ref_multiplier(0.05 + (ref_rand(&seed) % 300) / 100.0, &p.mult, &p.shift);
        CU_ASSERT_EQUAL_FATAL(nk_neg_s8(&p, in8, out8), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t v = p.in_zp - in8[i];
            if (p.mult)
                v = ref_requant(v, p.mult, p.shift);
            bad += out8[i] != ref_clamp(v + p.out_zp, -128, 127);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    int32_t a[3] = {5, -7, INT32_MIN}, o[3];
    CU_ASSERT_EQUAL_FATAL(nk_neg_s32(3, a, o), NK_OK);
    CU_ASSERT(o[0] == -5 && o[1] == 7 && o[2] == INT32_MIN);
}

static void test_lut(void)
{
    int8_t lut[256], in[256], out[256];
    for (int i = 0; i < 256; ++i) {
        lut[i] = (int8_t)(255 - i);
        in[i] = (int8_t)(i - 128);
    }
    CU_ASSERT_EQUAL_FATAL(nk_lut_s8(256, lut, in, out), NK_OK);
    int bad = 0;
    for (int i = 0; i < 256; ++i)
        bad += out[i] != lut[(uint8_t)in[i]];
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(nk_lut_s8(4, NULL, in, out), NK_ERR_PARAMS);
}

static void test_float_functions(void)
{
    float in[64], out[64];
    for (int i = 0; i < 64; ++i)
        in[i] = (float)(i - 32) * 0.37f + 0.01f;
    int bad = 0;
    for (int32_t k = NK_UNARY_ABS; k <= NK_UNARY_COS; ++k) {
        CU_ASSERT_EQUAL_FATAL(nk_unary_f32(k, 64, in, out), NK_OK);
        for (int i = 0; i < 64; ++i) {
            float x = in[i], w;
            switch (k) {
            case NK_UNARY_ABS: w = fabsf(x); break;
            case NK_UNARY_NEG: w = -x; break;
            case NK_UNARY_SQRT: w = sqrtf(x); break;
            case NK_UNARY_RSQRT: w = 1.0f / sqrtf(x); break;
            case NK_UNARY_EXP: w = expf(x); break;
            case NK_UNARY_LOG: w = logf(x); break;
            case NK_UNARY_FLOOR: w = floorf(x); break;
            case NK_UNARY_CEIL: w = ceilf(x); break;
            case NK_UNARY_ROUND: w = rintf(x); break; /* default mode: ties to even */
            case NK_UNARY_SQUARE: w = x * x; break;
            case NK_UNARY_SIN: w = sinf(x); break;
            default: w = cosf(x); break;
            }
            bad += !(out[i] == w || (isnan(out[i]) && isnan(w)));
        }
    }
    const float ties[4] = {0.5f, 1.5f, 2.5f, -2.5f};
    CU_ASSERT_EQUAL_FATAL(nk_unary_f32(NK_UNARY_ROUND, 4, ties, out), NK_OK);
    bad += out[0] != 0.0f || out[1] != 2.0f || out[2] != 2.0f || out[3] != -2.0f;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(nk_unary_f32(12, 1, in, out), NK_ERR_PARAMS);
}

static void test_hard_swish_float(void)
{
    const float in[5] = {-4.0f, -1.5f, 0.0f, 1.0f, 5.0f};
    float out[5];
    CU_ASSERT_EQUAL_FATAL(nk_hard_swish_f32(5, in, out), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(out[0], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[1], -1.5 * 1.5 / 6.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[2], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(out[3], 4.0 / 6.0, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(out[4], 5.0, 1e-6);
}

static void test_cast(void)
{
    const int32_t s32[6] = {-129, 127, 300, -1, 65537, INT32_MIN};
    int8_t o8[6];
    nk_cast_params p = {.size = 6, .from = NK_DT_S32, .to = NK_DT_S8};
    CU_ASSERT_EQUAL_FATAL(nk_cast(&p, s32, o8), NK_OK);
    for (int i = 0; i < 6; ++i)
        CU_ASSERT_EQUAL(o8[i], (int8_t)(uint8_t)(uint32_t)s32[i]); /* modulo 256 */
    uint32_t u32[6];
    p.to = NK_DT_U32;
    CU_ASSERT_EQUAL_FATAL(nk_cast(&p, s32, u32), NK_OK);
    CU_ASSERT_EQUAL(u32[3], 0xffffffffu);
    int32_t back[6];
    nk_cast_params q = {.size = 6, .from = NK_DT_U32, .to = NK_DT_S32};
    CU_ASSERT_EQUAL_FATAL(nk_cast(&q, u32, back), NK_OK);
    CU_ASSERT_EQUAL(memcmp(back, s32, sizeof back), 0);
    const int16_t s16[3] = {-32768, 5, 32767};
    int32_t w32[3];
    nk_cast_params r = {.size = 3, .from = NK_DT_S16, .to = NK_DT_S32};
    CU_ASSERT_EQUAL_FATAL(nk_cast(&r, s16, w32), NK_OK);
    CU_ASSERT(w32[0] == -32768 && w32[1] == 5 && w32[2] == 32767);
    const float f[6] = {-1.7f, 2.9f, 1e10f, -1e10f, NAN, 0.0f};
    int32_t fi[6];
    uint8_t fb[6];
    float ff[3];
    nk_cast_params s = {.size = 6, .from = NK_DT_F32, .to = NK_DT_S32};
    CU_ASSERT_EQUAL_FATAL(nk_cast(&s, f, fi), NK_OK);
    CU_ASSERT(fi[0] == -1 && fi[1] == 2 && fi[2] == INT32_MAX && fi[3] == INT32_MIN &&
              fi[4] == 0 && fi[5] == 0);
    s.to = NK_DT_BOOL;
    CU_ASSERT_EQUAL_FATAL(nk_cast(&s, f, fb), NK_OK);
    CU_ASSERT(fb[0] == 1 && fb[4] == 1 && fb[5] == 0);
    nk_cast_params t = {.size = 3, .from = NK_DT_S16, .to = NK_DT_F32};
    CU_ASSERT_EQUAL_FATAL(nk_cast(&t, s16, ff), NK_OK);
    CU_ASSERT(ff[0] == -32768.0f && ff[2] == 32767.0f);
    t.to = 42;
    CU_ASSERT_EQUAL(nk_cast(&t, s16, ff), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_unary_more", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "ABS int8/int16, NEG int8/int32", test_abs);
    CU_add_test(s, "int8 lookup table", test_lut);
    CU_add_test(s, "float functions against libm", test_float_functions);
    CU_add_test(s, "HARD_SWISH float", test_hard_swish_float);
    CU_add_test(s, "CAST integer, float and bool conversions", test_cast);
    return 0;
}
