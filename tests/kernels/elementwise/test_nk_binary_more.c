/* tests/kernels/elementwise/test_nk_binary_more.c — the element-wise binary kernels with
 * simple arithmetic, on random broadcasts against their definitions:
 * int32 ADD/SUB/MUL (wrapping, clamped), int32 and float DIV, MAXIMUM and
 * MINIMUM, SQUARED_DIFFERENCE (int8/int16 re-derived from TFLM's formula,
 * int32, float), comparisons (int8/int16 with TFLM's rescaling, int32,
 * float, bool) and LOGICAL_AND/OR/NOT. */
#include <string.h>

#include "binary_ref.h"
#include "test_util.h"

static uint32_t seed = 1234u;
static int32_t A[256], B[256], O[256];
static int8_t a8[256], b8[256], o8[256];
static int16_t a16[256], b16[256], o16[256];
static float af[256], bf[256], of[256];
static uint8_t ob[256], ab[256], bb[256];

static void fill(void)
{
    for (int i = 0; i < 256; ++i) {
        A[i] = (int32_t)ref_rand(&seed) >> (ref_rand(&seed) % 31);
        B[i] = (int32_t)ref_rand(&seed) >> (ref_rand(&seed) % 31);
        a8[i] = ref_rand_s8(&seed);
        b8[i] = ref_rand_s8(&seed);
        a16[i] = (int16_t)ref_rand(&seed);
        b16[i] = (int16_t)ref_rand(&seed);
        af[i] = (float)((int32_t)(ref_rand(&seed) % 2001) - 1000) / 37.0f;
        bf[i] = (float)((int32_t)(ref_rand(&seed) % 2001) - 1000) / 41.0f;
        ab[i] = (uint8_t)(ref_rand(&seed) & 1);
        bb[i] = (uint8_t)(ref_rand(&seed) & 1);
    }
    a8[0] = b8[0]; /* an equal pair for the comparisons */
}

#define EACH(p, d1, d2, n, ...)                                                               \
    for (int32_t i = 0; i < (n); ++i) {                                                       \
        int64_t x, y;                                                                         \
        ref_bcast_offsets(&(p), d1, d2, i, &x, &y);                                           \
        __VA_ARGS__;                                                                          \
    }

static void test_int32_arith(void)
{
    int bad = 0;
    for (int t = 0; t < 100; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4], n = ref_random_bcast(&p, &seed, d1, d2);
        fill();
        p.act_min = t % 2 ? 0 : INT32_MIN; /* RELU or none */
        p.act_max = INT32_MAX;
        CU_ASSERT_EQUAL_FATAL(nk_add_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, bad += O[i] != ref_clamp((int32_t)((uint32_t)A[x] + (uint32_t)B[y]),
                                                    p.act_min, p.act_max));
        CU_ASSERT_EQUAL_FATAL(nk_sub_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, bad += O[i] != ref_clamp((int32_t)((uint32_t)A[x] - (uint32_t)B[y]),
                                                    p.act_min, p.act_max));
        CU_ASSERT_EQUAL_FATAL(nk_mul_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, bad += O[i] != ref_clamp((int32_t)((uint32_t)A[x] * (uint32_t)B[y]),
                                                    p.act_min, p.act_max));
        for (int i = 0; i < 256; ++i)
            B[i] = B[i] ? B[i] : 7;
        CU_ASSERT_EQUAL_FATAL(nk_div_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, bad += O[i] != ref_clamp(A[x] / B[y], p.act_min, p.act_max));
        p.act_min_f = -5.0f;
        p.act_max_f = 5.0f;
        for (int i = 0; i < 256; ++i)
            bf[i] = bf[i] != 0.0f ? bf[i] : 1.0f;
        CU_ASSERT_EQUAL_FATAL(nk_div_f32(&p, af, bf, of), NK_OK);
        EACH(p, d1, d2, n, {
            float q = af[x] / bf[y];
            bad += of[i] != (q < -5.0f ? -5.0f : q > 5.0f ? 5.0f : q);
        });
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* a zero divisor is refused before anything is written */
    nk_binary_params p = {.flat_size = 2, .act_min = INT32_MIN, .act_max = INT32_MAX};
    int32_t num[2] = {4, 5}, den[2] = {2, 0}, out[2] = {-9, -9};
    CU_ASSERT_EQUAL(nk_div_s32(&p, num, den, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(out[0], -9);
    den[1] = -1;
    num[1] = INT32_MIN;
    CU_ASSERT_EQUAL(nk_div_s32(&p, num, den, out), NK_OK);
    CU_ASSERT_EQUAL(out[1], INT32_MIN);
}

static void test_minmax(void)
{
    int bad = 0;
    for (int t = 0; t < 100; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4], n = ref_random_bcast(&p, &seed, d1, d2);
        fill();
        CU_ASSERT_EQUAL_FATAL(nk_maximum_s8(&p, a8, b8, o8), NK_OK);
        EACH(p, d1, d2, n, bad += o8[i] != (a8[x] > b8[y] ? a8[x] : b8[y]));
        CU_ASSERT_EQUAL_FATAL(nk_minimum_s16(&p, a16, b16, o16), NK_OK);
        EACH(p, d1, d2, n, bad += o16[i] != (a16[x] < b16[y] ? a16[x] : b16[y]));
        CU_ASSERT_EQUAL_FATAL(nk_maximum_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, bad += O[i] != (A[x] > B[y] ? A[x] : B[y]));
        CU_ASSERT_EQUAL_FATAL(nk_minimum_f32(&p, af, bf, of), NK_OK);
        EACH(p, d1, d2, n, bad += of[i] != (af[x] < bf[y] ? af[x] : bf[y]));
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* TFLM squared difference, re-derived: exact requantization steps. */
static int32_t ref_sqdiff(const nk_binary_params *p, int32_t a, int32_t b, int lo, int hi)
{
    int32_t s1 = ref_requant((int64_t)(a - p->in1_zp) * (1 << p->left_shift), p->in1_mult, p->in1_shift);
    int32_t s2 = ref_requant((int64_t)(b - p->in2_zp) * (1 << p->left_shift), p->in2_mult, p->in2_shift);
    int64_t d = (int64_t)s1 - s2;
    return ref_clamp(ref_requant(d * d, p->out_mult, p->out_shift) + p->out_zp, lo, hi);
}

static void sqdiff_params(nk_binary_params *p, int wide)
{
    double s1 = 0.01 + (ref_rand(&seed) % 100) / 1000.0, s2 = 0.01 + (ref_rand(&seed) % 100) / 1000.0;
    double so = 0.01 + (ref_rand(&seed) % 100) / 100.0, tm = 2.0 * (s1 > s2 ? s1 : s2);
    p->left_shift = wide ? 0 : 7;
    p->in1_zp = wide ? 0 : (int32_t)(ref_rand(&seed) % 256) - 128;
    p->in2_zp = wide ? 0 : (int32_t)(ref_rand(&seed) % 256) - 128;
    p->out_zp = wide ? 0 : (int32_t)(ref_rand(&seed) % 256) - 128;
    ref_multiplier(s1 / tm, &p->in1_mult, &p->in1_shift);
    ref_multiplier(s2 / tm, &p->in2_mult, &p->in2_shift);
    ref_multiplier(tm * tm / ((double)(1 << (2 * p->left_shift)) * so), &p->out_mult,
                   &p->out_shift);
    p->act_min = wide ? -32768 : -128;
    p->act_max = wide ? 32767 : 127;
}

static void test_squared_difference(void)
{
    int bad = 0;
    for (int t = 0; t < 200; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4], n = ref_random_bcast(&p, &seed, d1, d2);
        fill();
        sqdiff_params(&p, 0);
        CU_ASSERT_EQUAL_FATAL(nk_squared_difference_s8(&p, a8, b8, o8), NK_OK);
        EACH(p, d1, d2, n, bad += o8[i] != ref_sqdiff(&p, a8[x], b8[y], -128, 127));
        sqdiff_params(&p, 1);
        for (int i = 0; i < 256; ++i) { /* TFLM's range: |s1 - s2| < 2^16 */
            a16[i] = (int16_t)(a16[i] / 2);
            b16[i] = (int16_t)(b16[i] / 2);
        }
        CU_ASSERT_EQUAL_FATAL(nk_squared_difference_s16(&p, a16, b16, o16), NK_OK);
        EACH(p, d1, d2, n, bad += o16[i] != ref_sqdiff(&p, a16[x], b16[y], -32768, 32767));
        CU_ASSERT_EQUAL_FATAL(nk_squared_difference_s32(&p, A, B, O), NK_OK);
        EACH(p, d1, d2, n, {
            uint32_t d = (uint32_t)A[x] - (uint32_t)B[y];
            bad += O[i] != (int32_t)(d * d);
        });
        CU_ASSERT_EQUAL_FATAL(nk_squared_difference_f32(&p, af, bf, of), NK_OK);
        EACH(p, d1, d2, n, bad += of[i] != (af[x] - bf[y]) * (af[x] - bf[y]));
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static int ref_cmp(int op, int64_t a, int64_t b)
{
    switch (op) {
    case NK_CMP_EQUAL: return a == b;
    case NK_CMP_NOT_EQUAL: return a != b;
    case NK_CMP_LESS: return a < b;
    case NK_CMP_LESS_EQUAL: return a <= b;
    case NK_CMP_GREATER: return a > b;
    default: return a >= b;
    }
}

static void test_compare(void)
{
    int bad = 0;
    for (int t = 0; t < 120; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4], n = ref_random_bcast(&p, &seed, d1, d2);
        fill();
        int op = t % 6;
        /* TFLM: left shift 8, each input scale (< 1) as the multiplier */
        p.left_shift = 8;
        p.in1_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        p.in2_zp = (int32_t)(ref_rand(&seed) % 256) - 128;
        ref_multiplier(0.001 + (ref_rand(&seed) % 999) / 1000.0, &p.in1_mult, &p.in1_shift);
        ref_multiplier(t % 3 ? 0.001 + (ref_rand(&seed) % 999) / 1000.0 : 0.5, &p.in2_mult,
                       &p.in2_shift);
        CU_ASSERT_EQUAL_FATAL(nk_compare_s8(&p, op, a8, b8, ob), NK_OK);
        EACH(p, d1, d2, n, {
            int64_t u = ref_requant((int64_t)(a8[x] - p.in1_zp) * 256, p.in1_mult, p.in1_shift);
            int64_t v = ref_requant((int64_t)(b8[y] - p.in2_zp) * 256, p.in2_mult, p.in2_shift);
            bad += ob[i] != ref_cmp(op, u, v);
        });
        p.in1_zp = p.in2_zp = 0;
        CU_ASSERT_EQUAL_FATAL(nk_compare_s16(&p, op, a16, b16, ob), NK_OK);
        EACH(p, d1, d2, n, {
            int64_t u = ref_requant((int64_t)a16[x] * 256, p.in1_mult, p.in1_shift);
            int64_t v = ref_requant((int64_t)b16[y] * 256, p.in2_mult, p.in2_shift);
            bad += ob[i] != ref_cmp(op, u, v);
        });
        CU_ASSERT_EQUAL_FATAL(nk_compare_s32(&p, op, A, B, ob), NK_OK);
        EACH(p, d1, d2, n, bad += ob[i] != ref_cmp(op, A[x], B[y]));
        CU_ASSERT_EQUAL_FATAL(nk_compare_f32(&p, op, af, bf, ob), NK_OK);
        EACH(p, d1, d2, n, bad += ob[i] != ref_cmp(op, af[x] < bf[y] ? -1 : af[x] > bf[y], 0));
        CU_ASSERT_EQUAL_FATAL(nk_compare_b(&p, op, ab, bb, ob), NK_OK);
        EACH(p, d1, d2, n, bad += ob[i] != ref_cmp(op, ab[x], bb[y]));
    }
    CU_ASSERT_EQUAL(bad, 0);
    nk_binary_params p = {.flat_size = 1};
    CU_ASSERT_EQUAL(nk_compare_s32(&p, 6, A, B, ob), NK_ERR_PARAMS);
}

static void test_logical(void)
{
    int bad = 0;
    for (int t = 0; t < 50; ++t) {
        nk_binary_params p;
        memset(&p, 0, sizeof p);
        int32_t d1[4], d2[4], n = ref_random_bcast(&p, &seed, d1, d2);
        fill();
        CU_ASSERT_EQUAL_FATAL(nk_logical_and(&p, ab, bb, ob), NK_OK);
        EACH(p, d1, d2, n, bad += ob[i] != (ab[x] && bb[y]));
        CU_ASSERT_EQUAL_FATAL(nk_logical_or(&p, ab, bb, ob), NK_OK);
        EACH(p, d1, d2, n, bad += ob[i] != (ab[x] || bb[y]));
    }
    const uint8_t in[3] = {0, 1, 7};
    uint8_t out[3];
    CU_ASSERT_EQUAL_FATAL(nk_logical_not(3, in, out), NK_OK);
    bad += out[0] != 1 || out[1] != 0 || out[2] != 0;
    CU_ASSERT_EQUAL(bad, 0);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_binary_more", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int32 ADD/SUB/MUL/DIV and float DIV", test_int32_arith);
    CU_add_test(s, "MAXIMUM/MINIMUM", test_minmax);
    CU_add_test(s, "SQUARED_DIFFERENCE int8/int16/int32/float", test_squared_difference);
    CU_add_test(s, "comparisons int8/int16/int32/float/bool", test_compare);
    CU_add_test(s, "LOGICAL_AND/OR/NOT", test_logical);
    return 0;
}
