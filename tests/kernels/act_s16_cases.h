/* tests/kernels/act_s16_cases.h — int16 LOGISTIC, TANH, SOFTMAX and
 * AVERAGE/MAX_POOL_2D (TFLite's int16 reference rules).
 *
 * LOGISTIC/TANH: every int16 input against a reference written from the
 * definition in 64-bit arithmetic (rescale to 1/(3*4096) per step, linear
 * interpolation of sigmoid(i/24) in 0.16, symmetry), and against the real
 * functions (within 4/32768); the table against the formula.  SOFTMAX:
 * rows against float softmax (the tables built here from their
 * definition).  Pooling against direct loops.  Part of test_nk_wide (one
 * program for the int16 kernels; tests/kernels holds enough files). */
#ifndef NEURIO_TESTS_ACT_S16_CASES_H
#define NEURIO_TESTS_ACT_S16_CASES_H
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

/* The table is the formula of scripts/gen-sigmoid-table: f(i/24) moved by
 * half the interpolation's midpoint error, f(x) = 65536 sigmoid(x), and
 * the 0.16 ceiling 65535 last.  Every entry, exactly. */
static double sig_q16(double x)
{
    return 65536.0 / (1.0 + exp(-x));
}

static void test_sigmoid_table(void)
{
    const uint16_t *t = nk_sigmoid_table_q16();
    int off = 0;
    for (int i = 0; i < 255; ++i) {
        const double a = sig_q16(i / 24.0), b = sig_q16((i + 1) / 24.0);
        const double mid = sig_q16((i + 0.5) / 24.0);
        double want = floor(a - ((a + b) / 2 - mid) / 2 + 0.5);
        if (want > 65535)
            want = 65535;
        if (t[i] != (uint16_t)want)
            off++;
        if (i > 0)
            CU_ASSERT_TRUE(t[i] >= t[i - 1]);
    }
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_EQUAL(t[0], 32768);
    CU_ASSERT_EQUAL(t[255], 65535);
}

/* The rescaled input, the interpolated 0.16 sigmoid of |v| / 2^frac_bits
 * over 24ths, the output (64-bit, floor division for the shifts). */
static int32_t ref_rescaled(int x, int32_t mult, int32_t shift)
{
    if (mult == 0) {
        mult = 3 << shift;
        shift = 0;
    }
    const int64_t round = shift > 0 ? (int64_t)1 << (shift - 1) : 0;
    return (int32_t)ref_floor_div((int64_t)x * mult + round, (int64_t)1 << shift);
}

static int64_t ref_interp(uint32_t a, int frac_bits, int64_t sat)
{
    const uint16_t *t = nk_sigmoid_table_q16();
    const uint32_t seg = a >> frac_bits, frac = a & ((1u << frac_bits) - 1u);
    if (seg >= 255)
        return sat;
    return ((int64_t)t[seg] << frac_bits) + (int64_t)frac * (t[seg + 1] - t[seg]);
}

static int16_t ref_logistic(int x, int32_t mult, int32_t shift)
{
    const int32_t v = ref_rescaled(x, mult, shift);
    const int64_t r = ref_interp((uint32_t)llabs(v), 9, (int64_t)0x7FFF << 10);
    const int64_t s = v >= 0 ? r + 512 : ((int64_t)1 << 25) - r + 511;
    return (int16_t)ref_floor_div(s, 1024);
}

static int16_t ref_tanh(int x, int32_t mult, int32_t shift)
{
    const int32_t v = ref_rescaled(x, mult, shift);
    const int64_t r = ref_interp((uint32_t)llabs(v), 8, (int64_t)0xFFFF << 8);
    const int64_t s = v >= 0 ? r - (1 << 23) + 128 : -r + (1 << 23) + 127;
    return (int16_t)ref_floor_div(s, 256);
}

/* TFLite Prepare's rescaling for a non-power-of-two input scale. */
static void ref_s16_rescale(double scale, int32_t *mult, int32_t *shift)
{
    double m = scale * 4096.0 * 3.0;
    *shift = 0;
    while (m <= 32767.0 / 2.0 && *shift <= 30) {
        (*shift)++;
        m *= 2.0;
    }
    *mult = (int32_t)m;
}

static void check_sigmoid_all(int is_tanh, double scale, int32_t mult, int32_t shift)
{
    static int16_t in[65536], out[65536];
    for (int i = 0; i < 65536; ++i)
        in[i] = (int16_t)(i - 32768);
    nk_sigmoid_params p = {.size = 65536, .in_mult = mult, .in_left_shift = shift};
    CU_ASSERT_EQUAL_FATAL(is_tanh ? nk_tanh_s16(&p, in, out) : nk_logistic_s16(&p, in, out),
                          NK_OK);
    int bad = 0, far = 0;
    for (int i = 0; i < 65536; ++i) {
        const int x = i - 32768;
        const int16_t want = is_tanh ? ref_tanh(x, mult, shift) : ref_logistic(x, mult, shift);
        bad += out[i] != want;
        const double real = is_tanh ? tanh(x * scale) : 1.0 / (1.0 + exp(-x * scale));
        far += fabs(out[i] / 32768.0 - real) > 4.0 / 32768.0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(far, 0);
}

static void test_logistic_s16(void)
{
    int32_t m, s;
    check_sigmoid_all(0, 1.0 / 4096, 0, 0); /* power of two: multiplier 3 */
    ref_s16_rescale(0.00031, &m, &s);
    check_sigmoid_all(0, 0.00031, m, s);
    ref_s16_rescale(0.0009, &m, &s);
    check_sigmoid_all(0, 0.0009, m, s);
    nk_sigmoid_params bad = {.size = 1, .in_mult = 0, .in_left_shift = 1};
    int16_t x = 0, y;
    CU_ASSERT_EQUAL(nk_logistic_s16(&bad, &x, &y), NK_ERR_PARAMS);
}

static void test_tanh_s16(void)
{
    int32_t m, s;
    check_sigmoid_all(1, 1.0 / 4096, 0, 0);
    check_sigmoid_all(1, 1.0 / 2048, 0, 1);
    ref_s16_rescale(0.00031, &m, &s);
    check_sigmoid_all(1, 0.00031, m, s);
    ref_s16_rescale(1.0 / 1000, &m, &s);
    check_sigmoid_all(1, 1.0 / 1000, m, s);
    nk_sigmoid_params bad = {.size = 1, .in_mult = 40000, .in_left_shift = 2};
    int16_t x = 0, y;
    CU_ASSERT_EQUAL(nk_tanh_s16(&bad, &x, &y), NK_ERR_PARAMS);
}

/* 513 samples of f on [lo, hi] in Q0.15 (rounded; the kernel's tables add
 * a half-error bias, which the tolerance below covers). */
static void ref_table(double (*f)(double), double lo, double hi, int32_t *lut)
{
    for (int i = 0; i <= 512; ++i) {
        const double v = round(f(lo + (hi - lo) * i / 512.0) * 32768.0);
        lut[i] = (int32_t)(v > 32767.0 ? 32767.0 : v);
    }
}

static double ref_recip1p(double v)
{
    return 1.0 / (1.0 + v);
}

static void test_softmax_s16(void)
{
    static int32_t elut[513], rlut[513];
    ref_table(exp, -10.0, 0.0, elut);
    ref_table(ref_recip1p, 0.0, 1.0, rlut);
    enum { ROWS = 64, DEPTH = 37 };
    static int16_t in[ROWS * DEPTH], out[ROWS * DEPTH];
    const double scale = 0.00041; /* [-13.4, 13.4] */
    nk_softmax_params p = {.rows = ROWS, .depth = DEPTH, .beta = 1.0f,
                           .exp_lut = elut, .recip_lut = rlut};
    ref_multiplier(scale / (10.0 / 65535.0), &p.input_multiplier, &p.input_left_shift);
    uint32_t seed = 0x50f716u;
    for (int i = 0; i < ROWS * DEPTH; ++i)
        in[i] = (int16_t)(int32_t)((ref_rand(&seed) & 0xffff) - 32768);
    for (int r = 0; r < 8; ++r) /* some rows with a narrow spread */
        for (int c = 0; c < DEPTH; ++c)
            in[r * DEPTH + c] = (int16_t)(in[r * DEPTH + c] / 256);
    CU_ASSERT_EQUAL_FATAL(nk_softmax_s16(&p, in, out), NK_OK);
    int far = 0;
    for (int r = 0; r < ROWS; ++r) {
        double mx = -1e9, sum = 0.0;
        for (int c = 0; c < DEPTH; ++c)
            mx = fmax(mx, in[r * DEPTH + c] * scale);
        for (int c = 0; c < DEPTH; ++c)
            sum += exp(in[r * DEPTH + c] * scale - mx);
        for (int c = 0; c < DEPTH; ++c) {
            const double want = exp(in[r * DEPTH + c] * scale - mx) / sum;
            far += fabs(out[r * DEPTH + c] / 32768.0 - want) > 0.002;
            CU_ASSERT_TRUE(out[r * DEPTH + c] >= 0);
        }
    }
    CU_ASSERT_EQUAL(far, 0);
    /* in place gives the same bytes */
    static int16_t again[ROWS * DEPTH];
    memcpy(again, in, sizeof in);
    CU_ASSERT_EQUAL(nk_softmax_s16(&p, again, again), NK_OK);
    CU_ASSERT_EQUAL(memcmp(again, out, sizeof out), 0);
    p.recip_lut = NULL;
    CU_ASSERT_EQUAL(nk_softmax_s16(&p, in, out), NK_ERR_PARAMS);
}

static void test_pool_s16(void)
{
    enum { H = 7, W = 6, C = 3, OH = 4, OW = 3 };
    static int16_t in[H * W * C], avg[OH * OW * C], mx[OH * OW * C];
    uint32_t seed = 0x9001u;
    for (int i = 0; i < H * W * C; ++i)
        in[i] = (int16_t)(int32_t)((ref_rand(&seed) & 0xffff) - 32768);
    in[0] = -32768;
    in[1] = 32767;
    /* 3x3, stride 2, SAME: pad 1 on top/left */
    nk_pool_params p = {.batches = 1, .in_h = H, .in_w = W, .channels = C, .out_h = OH,
                        .out_w = OW, .filter_h = 3, .filter_w = 3, .stride_h = 2, .stride_w = 2,
                        .pad_top = 1, .pad_left = 1, .act_min = -30000, .act_max = 32767};
    CU_ASSERT_EQUAL_FATAL(nk_avg_pool2d_s16(&p, in, avg), NK_OK);
    CU_ASSERT_EQUAL_FATAL(nk_max_pool2d_s16(&p, in, mx), NK_OK);
    int bad = 0;
    for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox)
            for (int c = 0; c < C; ++c) {
                int64_t sum = 0;
                int n = 0, m = -32768;
                for (int fy = 0; fy < 3; ++fy)
                    for (int fx = 0; fx < 3; ++fx) {
                        const int y = oy * 2 - 1 + fy, x = ox * 2 - 1 + fx;
                        if (y < 0 || y >= H || x < 0 || x >= W)
                            continue;
                        const int v = in[(y * W + x) * C + c];
                        sum += v;
                        n++;
                        m = v > m ? v : m;
                    }
                const int32_t a = ref_clamp((int32_t)ref_div_half_away(sum, n), -30000, 32767);
                const int32_t b = ref_clamp(m, -30000, 32767);
                bad += avg[(oy * OW + ox) * C + c] != a;
                bad += mx[(oy * OW + ox) * C + c] != b;
            }
    CU_ASSERT_EQUAL(bad, 0);
}

static void act_s16_add_tests(CU_pSuite s)
{
    CU_add_test(s, "sigmoid table = scripts/gen-sigmoid-table formula, monotone", test_sigmoid_table);
    CU_add_test(s, "LOGISTIC int16, every input, 3 scales", test_logistic_s16);
    CU_add_test(s, "TANH int16, every input, 4 scales", test_tanh_s16);
    CU_add_test(s, "SOFTMAX int16 vs float softmax, in place", test_softmax_s16);
    CU_add_test(s, "AVERAGE/MAX_POOL_2D int16 vs direct loops", test_pool_s16);
}

#endif /* NEURIO_TESTS_ACT_S16_CASES_H */
