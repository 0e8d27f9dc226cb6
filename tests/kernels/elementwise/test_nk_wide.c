/* tests/kernels/elementwise/test_nk_wide.c — the int16-activation kernels (nk_wide.h)
 * and LEAKY_RELU against references written from the definitions
 * (kernel_ref.h: exact integer division with explicit rounding):
 * ADD/SUB int16 (left shift 15, every scale ratio, saturation, fused
 * range, broadcasting), LEAKY_RELU int8/int16/float, PAD int16, QUANTIZE
 * between int8/int16/int32 and float, DEQUANTIZE int16, and the strided
 * window (nk_slice) STRIDED_SLICE lowers to, with negative steps; int16
 * LOGISTIC, TANH, SOFTMAX and pooling (act_s16_cases.h). */
#include <string.h>

#include "act_s16_cases.h"
#include "binary_ref.h"
#include "test_util.h"

static int16_t ref_rand_s16(uint32_t *s)
{
    return (int16_t)(int32_t)((ref_rand(s) & 0xffff) - 32768);
}

/* TFLM CalculateOpDataAdd with left shift 15 (ratios in double). */
static void ref_addsub16_params(nk_binary_params *p, double s1, double s2, double so)
{
    const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    *p = (nk_binary_params){.left_shift = 15, .act_min = -32768, .act_max = 32767};
    ref_multiplier(s1 / twice_max, &p->in1_mult, &p->in1_shift);
    ref_multiplier(s2 / twice_max, &p->in2_mult, &p->in2_shift);
    ref_multiplier(twice_max / (32768.0 * so), &p->out_mult, &p->out_shift);
}

static int16_t ref_addsub16(const nk_binary_params *p, int a, int b, int sub)
{
    int64_t x1 = ref_requant((int64_t)(a - p->in1_zp) * 32768, p->in1_mult, p->in1_shift);
    int64_t x2 = ref_requant((int64_t)(b - p->in2_zp) * 32768, p->in2_mult, p->in2_shift);
    int64_t acc = sub ? x1 - x2 : x1 + x2;
    return (int16_t)ref_clamp(ref_requant(acc, p->out_mult, p->out_shift) + p->out_zp,
                              p->act_min, p->act_max);
}

static void test_addsub_s16_random(void)
{
    enum { N = 4096 };
    static int16_t a[N], b[N], out[N];
    uint32_t seed = 0x5eed1601u;
    const double cfg[4][3] = {{1.0 / 4096, 1.0 / 4096, 1.0 / 2048},   /* power-of-two scales */
                              {0.00049, 0.00031, 0.0007},
                              {0.002, 0.0001, 0.00003},               /* saturates */
                              {3.1e-5, 4.4e-4, 4.5e-4}};
    for (int k = 0; k < 4; ++k)
        for (int sub = 0; sub < 2; ++sub) {
            nk_binary_params p;
            ref_addsub16_params(&p, cfg[k][0], cfg[k][1], cfg[k][2]);
            p.flat_size = N;
            for (int i = 0; i < N; ++i) {
                a[i] = ref_rand_s16(&seed);
                b[i] = ref_rand_s16(&seed);
            }
            a[0] = b[1] = -32768; /* the extremes */
            a[1] = b[0] = 32767;
            int rc = sub ? nk_sub_s16(&p, a, b, out) : nk_add_s16(&p, a, b, out);
            CU_ASSERT_EQUAL_FATAL(rc, NK_OK);
            int bad = 0, far = 0;
            for (int i = 0; i < N; ++i) {
                bad += out[i] != ref_addsub16(&p, a[i], b[i], sub);
                double real = (cfg[k][0] * a[i] + (sub ? -1 : 1) * cfg[k][1] * b[i]) / cfg[k][2];
                real = real < -32768 ? -32768 : (real > 32767 ? 32767 : real);
                far += fabs(out[i] - real) > 1.0;
            }
            CU_ASSERT_EQUAL(bad, 0);
            CU_ASSERT_EQUAL(far, 0);
        }
}

static void test_addsub_s16_broadcast_relu(void)
{
    /* [2,3,4] - [4] (SUB of a per-channel vector, as the seanet models) */
    const int d1[3] = {2, 3, 4}, d2[3] = {1, 1, 4};
    int16_t a[24], b[4] = {-32768, -1, 0, 32767}, out[24];
    for (int i = 0; i < 24; ++i)
        a[i] = (int16_t)(i * 2731 - 30000);
    nk_binary_params p;
    ref_addsub16_params(&p, 0.0005, 0.0003, 0.0006);
    p.act_min = 0; /* fused RELU on a zero-point-0 output */
    ref_broadcast(&p, 3, d1, d2);
    CU_ASSERT_EQUAL_FATAL(nk_sub_s16(&p, a, b, out), NK_OK);
    int bad = 0, neg = 0;
    for (int i = 0; i < 24; ++i) {
        bad += out[i] != ref_addsub16(&p, a[i], b[i % 4], 1);
        neg += out[i] < 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(neg, 0);
    p.left_shift = 20; /* would overflow int16 inputs: refused */
    CU_ASSERT_EQUAL(nk_add_s16(&p, a, b, out), NK_ERR_PARAMS);
}

static void test_mul_s16(void)
{
    enum { N = 4096 };
    static int16_t a[N], b[N], out[N];
    uint32_t seed = 0x11u;
    for (int i = 0; i < N; ++i) {
        a[i] = ref_rand_s16(&seed);
        b[i] = ref_rand_s16(&seed);
    }
    a[0] = b[0] = -32768; /* 2^30, the largest product */
    const double s1 = 0.0004, s2 = 0.0002, so[2] = {0.00006, 0.003};
    for (int k = 0; k < 2; ++k) {
        nk_binary_params p = {.flat_size = N, .act_min = -32768, .act_max = 32767};
        ref_multiplier(s1 * s2 / so[k], &p.out_mult, &p.out_shift);
        CU_ASSERT_EQUAL_FATAL(nk_mul_s16(&p, a, b, out), NK_OK);
        int bad = 0, far = 0;
        for (int i = 0; i < N; ++i) {
            bad += out[i] != ref_clamp(ref_requant((int64_t)a[i] * b[i], p.out_mult, p.out_shift),
                                       -32768, 32767);
            double real = s1 * a[i] * s2 * b[i] / so[k];
            real = real < -32768 ? -32768 : (real > 32767 ? 32767 : real);
            far += fabs(out[i] - real) > 1.0;
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(far, 0);
        p.in1_zp = 1; /* TFLM requires zero points 0 */
        CU_ASSERT_EQUAL(nk_mul_s16(&p, a, b, out), NK_ERR_PARAMS);
    }
}

/* SOFTMAX int8 -> int16 against float softmax: the fixed-point exp and
 * reciprocal are within 2^-12 of 1; the int8 output of the same rows is
 * the int16 one at 1/256 of the resolution (within one step). */
static void test_softmax_s8_s16(void)
{
    enum { ROWS = 64, DEPTH = 12 };
    static int8_t x[ROWS * DEPTH], y8[ROWS * DEPTH];
    static int16_t y16[ROWS * DEPTH];
    uint32_t seed = 99;
    for (int i = 0; i < ROWS * DEPTH; ++i)
        x[i] = ref_rand_s8(&seed);
    const double in_scale = 0.06;
    nk_softmax_params p = {.rows = ROWS, .depth = DEPTH, .beta = 1.0f};
    /* TFLite's PreprocessSoftmaxScaling(beta, in_scale, 5): multiplier of
     * beta * in_scale * 2^26, diff_min = -CalculateInputRadius(5, shift) */
    ref_multiplier(in_scale * (double)(1 << 26), &p.input_multiplier, &p.input_left_shift);
    double max_in = 31.0 * (double)(1LL << 26) / (double)(1LL << p.input_left_shift);
    p.diff_min = -(int32_t)floor(max_in);
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8_s16(&p, x, y16), NK_OK);
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, x, y8), NK_OK);
    int far = 0, coarse = 0;
    for (int r = 0; r < ROWS; ++r) {
        double mx = -1e9, sum = 0;
        for (int c = 0; c < DEPTH; ++c)
            mx = fmax(mx, in_scale * x[r * DEPTH + c]);
        for (int c = 0; c < DEPTH; ++c)
            sum += exp(in_scale * x[r * DEPTH + c] - mx);
        for (int c = 0; c < DEPTH; ++c) {
            const int i = r * DEPTH + c;
            double want = exp(in_scale * x[i] - mx) / sum * 65536.0 - 32768.0;
            far += fabs(y16[i] - fmin(want, 32767.0)) > 16.0;
            coarse += abs((y8[i] + 128) * 256 - (y16[i] + 32768)) > 256;
        }
    }
    CU_ASSERT_EQUAL(far, 0);
    CU_ASSERT_EQUAL(coarse, 0);
    CU_ASSERT_EQUAL(nk_softmax_s8_s16(&p, x, NULL), NK_ERR_PARAMS);
}

static void test_leaky_relu(void)
{
    enum { N = 65536 };
    static int16_t x[N], y[N];
    static int8_t x8[256], y8[256];
    nk_leaky_relu_params p = {.size = N};
    ref_multiplier(0.00042 / 0.00037, &p.mult_identity, &p.shift_identity);
    ref_multiplier(0.00042 * 0.2 / 0.00037, &p.mult_alpha, &p.shift_alpha);
    for (int i = 0; i < N; ++i)
        x[i] = (int16_t)(i - 32768);
    CU_ASSERT_EQUAL_FATAL(nk_leaky_relu_s16(&p, x, y), NK_OK);
    int bad = 0;
    for (int i = 0; i < N; ++i) {
        int32_t v = x[i];
        int32_t r = v >= 0 ? ref_requant(v, p.mult_identity, p.shift_identity)
                           : ref_requant(v, p.mult_alpha, p.shift_alpha);
        bad += y[i] != ref_clamp(r, -32768, 32767);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(y[32768 + 32767], 32767); /* 1.135x saturates */
    /* int8 with zero points, in place */
    p = (nk_leaky_relu_params){.size = 256, .in_zp = -20, .out_zp = 7};
    ref_multiplier(0.05 / 0.04, &p.mult_identity, &p.shift_identity);
    ref_multiplier(0.05 * 0.1 / 0.04, &p.mult_alpha, &p.shift_alpha);
    for (int i = 0; i < 256; ++i)
        x8[i] = y8[i] = (int8_t)(i - 128);
    CU_ASSERT_EQUAL_FATAL(nk_leaky_relu_s8(&p, y8, y8), NK_OK);
    bad = 0;
    for (int i = 0; i < 256; ++i) {
        int32_t v = x8[i] - p.in_zp;
        int32_t r = v >= 0 ? ref_requant(v, p.mult_identity, p.shift_identity)
                           : ref_requant(v, p.mult_alpha, p.shift_alpha);
        bad += y8[i] != ref_clamp(r + p.out_zp, -128, 127);
    }
    CU_ASSERT_EQUAL(bad, 0);
    const float xf[3] = {-2.0f, 0.0f, 3.5f};
    float yf[3];
    p = (nk_leaky_relu_params){.size = 3, .alpha = 0.25f};
    CU_ASSERT_EQUAL_FATAL(nk_leaky_relu_f32(&p, xf, yf), NK_OK);
    CU_ASSERT_DOUBLE_EQUAL(yf[0], -0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(yf[1], 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(yf[2], 3.5, 0);
    p.size = -1;
    CU_ASSERT_EQUAL(nk_leaky_relu_s16(&p, x, y), NK_ERR_PARAMS);
}

static void test_pad_s16(void)
{
    /* [2,3] padded by (1,0) and (2,1) with -5 -> [3,6] */
    const int16_t in[6] = {1, -2, 3, 32767, -32768, 6};
    int16_t out[18];
    nk_pad_params p = {.rank = 2, .in_dims = {2, 3}, .pad_before = {1, 2},
                       .pad_after = {0, 1}, .pad_value = -5};
    CU_ASSERT_EQUAL_FATAL(nk_pad_s16(&p, in, out), NK_OK);
    const int16_t want[18] = {-5, -5, -5, -5, -5, -5, -5, -5, 1, -2, 3, -5,
                              -5, -5, 32767, -32768, 6, -5};
    CU_ASSERT_EQUAL(memcmp(out, want, sizeof want), 0);
    p.pad_value = 40000;
    CU_ASSERT_EQUAL(nk_pad_s16(&p, in, out), NK_ERR_PARAMS);
}

static void test_requantize(void)
{
    uint32_t seed = 7;
    int16_t x16[512], y16[512];
    int8_t x8[512], y8[512];
    int32_t y32[512];
    for (int i = 0; i < 512; ++i) {
        x16[i] = ref_rand_s16(&seed);
        x8[i] = ref_rand_s8(&seed);
    }
    x16[0] = -32768;
    x16[1] = 32767;
    /* int16 (zp 0) -> int32 at a 3317x finer scale: shift 12 */
    nk_requant_params p = {.size = 512, .act_min = INT32_MIN, .act_max = INT32_MAX};
    ref_multiplier(0.000494312437 / 1.49011612e-07, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_requantize_s16_s32(&p, x16, y32), NK_OK);
    int bad = 0;
    for (int i = 0; i < 512; ++i)
        bad += y32[i] != ref_requant(x16[i], p.mult, p.shift);
    CU_ASSERT_EQUAL(bad, 0);
    /* int16 -> int8 with an output zero point: saturates both ends */
    p = (nk_requant_params){.size = 512, .out_zp = -3, .act_min = -128, .act_max = 127};
    ref_multiplier(0.0005 / 0.01, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_requantize_s16_s8(&p, x16, y8), NK_OK);
    bad = 0;
    for (int i = 0; i < 512; ++i)
        bad += y8[i] != ref_clamp(ref_requant(x16[i], p.mult, p.shift) - 3, -128, 127);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(y8[0], -128);
    CU_ASSERT_EQUAL(y8[1], 127);
    /* int8 (zp 11) -> int16 and int16 -> int16 */
    p = (nk_requant_params){.size = 512, .in_zp = 11, .act_min = -32768, .act_max = 32767};
    ref_multiplier(0.02 / 0.0004, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_requantize_s8_s16(&p, x8, y16), NK_OK);
    bad = 0;
    for (int i = 0; i < 512; ++i)
        bad += y16[i] != ref_clamp(ref_requant(x8[i] - 11, p.mult, p.shift), -32768, 32767);
    CU_ASSERT_EQUAL(bad, 0);
    p.in_zp = 0;
    ref_multiplier(0.7, &p.mult, &p.shift);
    CU_ASSERT_EQUAL_FATAL(nk_requantize_s16_s16(&p, x16, y16), NK_OK);
    bad = 0;
    for (int i = 0; i < 512; ++i)
        bad += y16[i] != ref_requant(x16[i], p.mult, p.shift);
    CU_ASSERT_EQUAL(bad, 0);
    p.act_min = 1;
    p.act_max = 0;
    CU_ASSERT_EQUAL(nk_requantize_s16_s16(&p, x16, y16), NK_ERR_PARAMS);
}

static void test_quantize_float(void)
{
    const float xf[6] = {0.0f, 0.5f, -0.5f, 1.25f, 100.0f, -100.0f};
    int16_t q[6];
    float back[6];
    nk_quantize_params p = {.size = 6, .scale = 0.25f, .zp = 0};
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s16(&p, xf, q), NK_OK);
    const int16_t want[6] = {0, 2, -2, 5, 400, -400}; /* 1.25/0.25 = 5 exactly */
    CU_ASSERT_EQUAL(memcmp(q, want, sizeof want), 0);
    p.scale = 0.001f; /* 100 / 0.001 saturates */
    CU_ASSERT_EQUAL_FATAL(nk_quantize_f32_s16(&p, xf, q), NK_OK);
    CU_ASSERT_EQUAL(q[4], 32767);
    CU_ASSERT_EQUAL(q[5], -32768);
    CU_ASSERT_EQUAL(q[1], 500);
    CU_ASSERT_EQUAL_FATAL(nk_dequantize_s16_f32(&p, q, back), NK_OK);
    CU_ASSERT_EQUAL(back[4], (float)(0.001f * (double)32767));
    CU_ASSERT_EQUAL(back[5], (float)(0.001f * (double)-32768));
}

static void test_strided_window(void)
{
    /* x[4][5]; rows 3, 1 (step -2), columns 4, 2, 0 (step -2): int16 */
    int16_t x[20], y[6];
    for (int i = 0; i < 20; ++i)
        x[i] = (int16_t)(i * 1000 - 9000);
    nk_slice_params p = {.rank = 2, .in_dims = {4, 5}, .begin = {3, 4}, .step = {-2, -2},
                         .out_dims = {2, 3}, .elem_size = 2};
    CU_ASSERT_EQUAL_FATAL(nk_slice(&p, x, y), NK_OK);
    const int16_t want[6] = {x[19], x[17], x[15], x[9], x[7], x[5]};
    CU_ASSERT_EQUAL(memcmp(y, want, sizeof want), 0);
    p.out_dims[0] = 3; /* row -1 */
    CU_ASSERT_EQUAL(nk_slice(&p, x, y), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_wide", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "ADD/SUB int16, random, 4 scale sets", test_addsub_s16_random);
    CU_add_test(s, "SUB int16 broadcast with fused RELU", test_addsub_s16_broadcast_relu);
    CU_add_test(s, "MUL int16 vs reference and real arithmetic", test_mul_s16);
    CU_add_test(s, "SOFTMAX int8 -> int16 vs float and the int8 output", test_softmax_s8_s16);
    CU_add_test(s, "LEAKY_RELU every int16, int8 in place, float", test_leaky_relu);
    CU_add_test(s, "PAD int16", test_pad_s16);
    CU_add_test(s, "QUANTIZE int16/int8 -> int8/int16/int32", test_requantize);
    CU_add_test(s, "QUANTIZE float->int16, DEQUANTIZE int16", test_quantize_float);
    CU_add_test(s, "strided window with negative steps", test_strided_window);
    act_s16_add_tests(s);
    return 0;
}
