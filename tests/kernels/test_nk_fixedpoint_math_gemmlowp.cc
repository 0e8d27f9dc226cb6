// tests/kernels/test_nk_fixedpoint_math_gemmlowp.cc — bit-exactness of
// nk_fixedpoint_math.h and of the int8 kernels built on it (HARD_SWISH,
// LOG_SOFTMAX, L2_NORMALIZATION, RSQRT, DIV) against the same computations
// composed here from gemmlowp's own fixed-point types (Debian
// libgemmlowp-dev) following TFLite's published reference formulas
// (GetReciprocal, GetInvSqrtQuantizedMultiplierExp,
// log_x_for_x_greater_than_or_equal_to_1, HardSwish, LogSoftmaxQuantized,
// L2Normalization, DivElementwise).
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>

extern "C" {
#include "kernel_ref.h"
#include "nk.h"
#include "nk_fixedpoint_math.h"
#include "test_util.h"
}

using gemmlowp::FixedPoint;

static uint32_t g_seed = 98765u;

static int32_t rnd32() { return (int32_t)ref_rand(&g_seed); }

/* ---------------------------------------------- TFLite formulas, gemmlowp */

static int32_t tfl_mbqm(int32_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return gemmlowp::RoundingDivideByPOT(
        gemmlowp::SaturatingRoundingDoublingHighMul((int32_t)((uint32_t)x << left), m), right);
}

static int32_t tfl_reciprocal(int32_t x, int digits, int *bits_over)
{
    int hp1 = __builtin_clz((uint32_t)x);
    *bits_over = digits - hp1;
    int32_t s = (int32_t)(((uint32_t)x << hp1) - (1u << 31));
    return gemmlowp::one_over_one_plus_x_for_x_in_0_1(FixedPoint<int32_t, 0>::FromRaw(s)).raw();
}

static void tfl_inv_sqrt(int32_t input, int32_t *out, int *shift)
{
    if (input <= 1) {
        *out = INT32_MAX;
        *shift = 0;
        return;
    }
    *shift = 11;
    while (input >= (1 << 29)) {
        input /= 4;
        ++*shift;
    }
    const unsigned max_bits = __builtin_clz((uint32_t)input) - 1;
    const unsigned pairs = max_bits / 2 - 1;
    *shift -= pairs;
    input <<= 2 * pairs;
    using F3 = FixedPoint<int32_t, 3>;
    using F0 = FixedPoint<int32_t, 0>;
    const F3 fin = F3::FromRaw(input >> 1);
    const F3 half_in = gemmlowp::SaturatingRoundingMultiplyByPOT<-1>(fin);
    const F3 half_three = F3::FromRaw((1 << 28) + (1 << 27));
    F3 x = F3::One();
    for (int i = 0; i < 5; i++) {
        const F3 x3 = gemmlowp::Rescale<3>(x * x * x);
        x = gemmlowp::Rescale<3>(half_three * x - half_in * x3);
    }
    x = x * F0::FromRaw(1518500250);
    *out = x.raw();
    if (*shift < 0) {
        *out = (int32_t)((uint32_t)*out << -*shift);
        *shift = 0;
    }
    *shift *= -1;
}

static int32_t sat_pot_param(int32_t x, int e)
{
    if (e == 0)
        return x;
    const int32_t threshold = (int32_t)((1LL << (31 - e)) - 1);
    if (x > threshold)
        return INT32_MAX;
    if (x < -threshold)
        return INT32_MIN;
    return (int32_t)((uint32_t)x << e);
}

static int32_t sat_add(int32_t a, int32_t b)
{
    int64_t s = (int64_t)a + b;
    return (int32_t)std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, s));
}

/* log(x), x >= 1: input Q12, output Q5 (the only instance LOG_SOFTMAX uses). */
static int32_t tfl_log_q12_to_q5(int32_t raw)
{
    constexpr int kOut = 5, kIn = 12, kAcc = kOut + 1;
    using F0 = FixedPoint<int32_t, 0>;
    using FA = FixedPoint<int32_t, kAcc>;
    const F0 log_2 = F0::FromRaw(1488522236), sqrt_sqrt_half = F0::FromRaw(1805811301),
             sqrt_half = F0::FromRaw(1518500250), one_quarter = F0::FromRaw(536870912);
    const F0 alpha_n = F0::FromRaw(117049297), alpha_d = F0::FromRaw(127690142),
             alpha_i = F0::FromRaw(1057819769), alpha_f = F0::FromRaw(638450708);
    const FA shifted_quarter = gemmlowp::Rescale<kAcc>(one_quarter);
    const F0 z_a = F0::FromRaw(raw);
    const int hp1 = __builtin_clz((uint32_t)z_a.raw());
    const F0 r_a_tmp = F0::FromRaw(sat_pot_param(z_a.raw(), hp1 - 1));
    const int32_t r_a_raw = sat_pot_param((r_a_tmp * sqrt_half).raw(), 1);
    const FA za_adj = FA::FromRaw(
        sat_add(sat_pot_param(kIn - hp1, 31 - kAcc), shifted_quarter.raw()));
    const F0 z_b = z_a * sqrt_half;
    const int zbh = __builtin_clz((uint32_t)z_b.raw()) - 1;
    const int32_t r_b_raw = sat_pot_param(z_a.raw(), zbh);
    const int64_t d = (int64_t)sat_pot_param(kIn - zbh, 31 - kAcc) - shifted_quarter.raw();
    const FA zb_adj =
        FA::FromRaw((int32_t)std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, d)));
    const F0 r = F0::FromRaw(std::min(r_a_raw, r_b_raw));
    const FA z_adj = FA::FromRaw(std::max(za_adj.raw(), zb_adj.raw()));
    const F0 p = gemmlowp::RoundingHalfSum(r, sqrt_sqrt_half);
    F0 q = r - sqrt_sqrt_half;
    q = q + q;
    const F0 common_sq = q * q;
    const F0 num = q * r + q * common_sq * alpha_n;
    const F0 denom = p * (alpha_i + q + alpha_d * common_sq) + alpha_f * q;
    const F0 recip = gemmlowp::one_over_one_plus_x_for_x_in_0_1(denom);
    const FA num_scaled = gemmlowp::Rescale<kAcc>(num);
    return gemmlowp::Rescale<kOut>(z_adj * log_2 + num_scaled * recip).raw();
}

/* ------------------------------------------------------------ primitives */

static void test_primitives()
{
    int bad = 0;
    const int16_t e16[] = {0, 1, -1, 32767, -32768, -32767, 16384, -16384, 12345};
    for (int16_t a : e16)
        for (int16_t b : e16)
            bad += nk_srdhm16(a, b) != gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
    for (int i = 0; i < 300000; ++i) {
        int16_t a = (int16_t)rnd32(), b = (int16_t)rnd32();
        bad += nk_srdhm16(a, b) != gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
        int32_t x = rnd32() & 0x7fffffff;
        if (x == 0)
            x = 1;
        int n1, n2;
        int digits = (int)(ref_rand(&g_seed) % 32);
        bad += nk_reciprocal(x, digits, &n1) != tfl_reciprocal(x, digits, &n2) || n1 != n2;
        int32_t in = rnd32() & 0x7fffffff;
        in >>= ref_rand(&g_seed) % 31;
        int32_t m1, m2, s1;
        int s2;
        nk_inv_sqrt_multiplier(in, &m1, &s1);
        tfl_inv_sqrt(in, &m2, &s2);
        bad += m1 != m2 || s1 != s2;
        int32_t v = rnd32();
        bad += nk_clrsb32(v) != __builtin_clrsb(v);
    }
    bad += nk_clrsb32(0) != 31 || nk_clrsb32(-1) != 31 || nk_clrsb32(INT32_MIN) != 0;
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_log()
{
    int bad = 0;
    for (int i = 0; i < 300000; ++i) {
        /* x >= 1 in Q12.19: raw >= 2^19 */
        int32_t raw = (int32_t)((uint32_t)rnd32() & 0x7fffffffu);
        if (raw < (1 << 19))
            raw += 1 << 19;
        bad += nk_log_x_ge1(raw, 12, 5) != tfl_log_q12_to_q5(raw);
    }
    bad += nk_log_x_ge1(1 << 19, 12, 5) != tfl_log_q12_to_q5(1 << 19);
    bad += nk_log_x_ge1(INT32_MAX, 12, 5) != tfl_log_q12_to_q5(INT32_MAX);
    CU_ASSERT_EQUAL(bad, 0);
    /* log(e) ~ 1 in Q5.26 */
    double e_q12 = std::exp(1.0) * (double)(1 << 19);
    double got = nk_log_x_ge1((int32_t)e_q12, 12, 5) / (double)(1 << 26);
    CU_ASSERT_DOUBLE_EQUAL(got, 1.0, 1e-4);
}

/* ------------------------------------------------------------- HARD_SWISH */

static int16_t tfl_sat_shl16(int16_t v, int amount)
{
    int64_t r = (int64_t)v * (1 << amount);
    return (int16_t)std::min<int64_t>(32767, std::max<int64_t>(-32768, r));
}

static int8_t tfl_hard_swish(const nk_hard_swish_params &p, int8_t q)
{
    const int16_t in = (int16_t)(q - p.in_zp);
    const int16_t hires = (int16_t)(in * (1 << 7));
    const int16_t pre_out = gemmlowp::SaturatingRoundingDoublingHighMul(hires, (int16_t)p.out_mult);
    int16_t r = hires;
    if (p.reluish_exp > 0)
        r = tfl_sat_shl16(r, p.reluish_exp - 1);
    r = gemmlowp::SaturatingRoundingDoublingHighMul(r, (int16_t)p.reluish_mult);
    if (p.reluish_exp > 0)
        r = tfl_sat_shl16(r, 1);
    if (p.reluish_exp < 0)
        r = gemmlowp::RoundingDivideByPOT(r, -p.reluish_exp);
    r = (int16_t)((r + (1 << 15)) >> 1);
    const bool ovf = r == pre_out && r == -32768;
    const int16_t prod = ovf ? 32767 : (int16_t)(((int32_t)r * pre_out) / (1 << 15));
    int16_t o = gemmlowp::RoundingDivideByPOT(prod, -p.out_exp);
    o = (int16_t)(o + p.out_zp);
    return (int8_t)std::max<int16_t>(-128, std::min<int16_t>(127, o));
}

/* TFLM's HardSwishPrepare: 32-bit multipliers rounded to 16 bits. */
static void hs_params(nk_hard_swish_params *p, float in_s, int in_zp, float out_s, int out_zp)
{
    const float hires = (1.0f / 128.0f) * in_s, reluish = 3.0f / 32768.0f;
    int32_t m, s;
    ref_multiplier((double)(hires / out_s), &m, &s);
    p->out_mult = m >= INT32_MAX - (1 << 15) ? 32767 : (m + (1 << 15)) >> 16;
    p->out_exp = s;
    ref_multiplier((double)(hires / reluish), &m, &s);
    p->reluish_mult = m >= INT32_MAX - (1 << 15) ? 32767 : (m + (1 << 15)) >> 16;
    p->reluish_exp = s;
    p->in_zp = in_zp;
    p->out_zp = out_zp;
    p->size = 256;
}

static void test_hard_swish()
{
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    int bad = 0, cases = 0;
    for (int t = 0; t < 400; ++t) {
        float in_s = 0.002f + (float)(ref_rand(&g_seed) % 4000) / 4000.0f;
        float out_s = 0.002f + (float)(ref_rand(&g_seed) % 4000) / 8000.0f;
        nk_hard_swish_params p;
        hs_params(&p, in_s, (int)(ref_rand(&g_seed) % 256) - 128, out_s,
                  (int)(ref_rand(&g_seed) % 256) - 128);
        if (p.out_exp > 0)
            continue; /* TFLM refuses these */
        cases++;
        CU_ASSERT_EQUAL_FATAL(nk_hard_swish_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i)
            bad += out[i] != tfl_hard_swish(p, in[i]);
    }
    CU_ASSERT(cases > 300);
    CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------ LOG_SOFTMAX */

static void tfl_log_softmax(const nk_log_softmax_params &p, const int8_t *in, int8_t *out)
{
    using F5 = FixedPoint<int32_t, 5>;
    using F12 = FixedPoint<int32_t, 12>;
    for (int r = 0; r < p.rows; ++r) {
        const int8_t *x = in + r * p.depth;
        int8_t *y = out + r * p.depth;
        int8_t mx = -128;
        for (int c = 0; c < p.depth; ++c)
            mx = std::max(mx, x[c]);
        F12 sum = F12::FromRaw(0);
        for (int c = 0; c < p.depth; ++c) {
            int32_t d = x[c] - mx;
            if (d >= p.diff_min) {
                int32_t d5 = tfl_mbqm(d, p.input_multiplier, p.input_left_shift);
                sum = sum + gemmlowp::Rescale<12>(gemmlowp::exp_on_negative_values(F5::FromRaw(d5)));
            }
        }
        const int32_t log_sum = tfl_log_q12_to_q5(sum.raw());
        const int32_t shifted = log_sum + INT32_MIN;
        const int32_t adj = std::max(p.diff_min - 1, tfl_mbqm(shifted, p.reverse_scaling_divisor,
                                                               p.reverse_scaling_shift));
        for (int c = 0; c < p.depth; ++c) {
            int32_t d = x[c] - mx;
            if (d > adj) {
                int32_t d5 = tfl_mbqm(d, p.input_multiplier, p.input_left_shift);
                int32_t o = gemmlowp::RoundingDivideByPOT(d5 - log_sum, 31 - 5 - 4) + 127;
                y[c] = (int8_t)std::max(-128, std::min(127, o));
            } else {
                y[c] = -128;
            }
        }
    }
}

static void test_log_softmax()
{
    int bad = 0;
    for (int t = 0; t < 200; ++t) {
        nk_log_softmax_params p;
        std::memset(&p, 0, sizeof p);
        p.rows = 1 + (int32_t)(ref_rand(&g_seed) % 8);
        p.depth = 1 + (int32_t)(ref_rand(&g_seed) % 40);
        double in_scale = 0.001 + (ref_rand(&g_seed) % 1000) / 2000.0;
        /* TFLite PreprocessLogSoftmaxScalingExp for beta 1, 5 integer bits */
        double real = std::min(in_scale * (double)(1 << 26), (double)((1LL << 31) - 1));
        ref_multiplier(real, &p.input_multiplier, &p.input_left_shift);
        double rev = (double)(1LL << (31 - p.input_left_shift)) / (double)p.input_multiplier;
        ref_multiplier(rev, &p.reverse_scaling_divisor, &p.reverse_scaling_shift);
        p.diff_min = -(int32_t)std::floor(31.0 * (double)(1 << 26) /
                                          (double)(1LL << p.input_left_shift));
        int8_t in[320], out[320], want[320];
        for (int i = 0; i < p.rows * p.depth; ++i)
            in[i] = ref_rand_s8(&g_seed);
        CU_ASSERT_EQUAL_FATAL(nk_log_softmax_s8(&p, in, out), NK_OK);
        tfl_log_softmax(p, in, want);
        bad += std::memcmp(out, want, (size_t)(p.rows * p.depth)) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------- L2NORM, RSQRT and DIV */

static void test_l2norm_rsqrt()
{
    int bad = 0;
    for (int t = 0; t < 200; ++t) {
        nk_l2norm_params p = {1 + (int32_t)(ref_rand(&g_seed) % 6),
                              1 + (int32_t)(ref_rand(&g_seed) % 64),
                              (int32_t)(ref_rand(&g_seed) % 256) - 128};
        int8_t in[384], out[384];
        for (int i = 0; i < p.rows * p.depth; ++i)
            in[i] = ref_rand_s8(&g_seed);
        CU_ASSERT_EQUAL_FATAL(nk_l2norm_s8(&p, in, out), NK_OK);
        for (int r = 0; r < p.rows; ++r) {
            int32_t acc = 0;
            for (int c = 0; c < p.depth; ++c) {
                int32_t v = in[r * p.depth + c] - p.in_zp;
                acc += v * v;
            }
            int32_t m;
            int s;
            tfl_inv_sqrt(acc, &m, &s);
            for (int c = 0; c < p.depth; ++c) {
                int32_t v = in[r * p.depth + c] - p.in_zp;
                int32_t o = std::max(-128, std::min(127, tfl_mbqm(v, m, s + 7)));
                bad += out[r * p.depth + c] != o;
            }
        }
    }
    int8_t all[256], out[256];
    for (int i = 0; i < 256; ++i)
        all[i] = (int8_t)(i - 128);
    for (int t = 0; t < 100; ++t) {
        double in_s = 0.001 + (ref_rand(&g_seed) % 1000) / 1000.0;
        double out_s = 0.01 + (ref_rand(&g_seed) % 1000) / 1000.0;
        nk_requant_params p;
        std::memset(&p, 0, sizeof p);
        p.in_zp = -128;
        p.out_zp = (int32_t)(ref_rand(&g_seed) % 256) - 128;
        ref_multiplier(1.0 / (std::sqrt(in_s) * out_s), &p.mult, &p.shift);
        if (p.shift - 20 < -31)
            continue;
        p.size = 256;
        CU_ASSERT_EQUAL_FATAL(nk_rsqrt_s8(&p, all, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t v = all[i] - p.in_zp, w;
            if (v == 0) {
                w = 127;
            } else {
                int32_t m;
                int s;
                tfl_inv_sqrt(v, &m, &s);
                int32_t data = tfl_mbqm(1, m, s + 20);
                w = std::max(-128, std::min(127, tfl_mbqm(data, p.mult, p.shift - 20) + p.out_zp));
            }
            bad += out[i] != w;
        }
    }
    nk_requant_params neg = {2, 0, 0, 1 << 30, 0, -128, 127};
    const int8_t below[2] = {5, -1};
    CU_ASSERT_EQUAL(nk_rsqrt_s8(&neg, below, out), NK_ERR_PARAMS);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_div()
{
    int bad = 0;
    for (int t = 0; t < 200; ++t) {
        nk_binary_params p;
        std::memset(&p, 0, sizeof p);
        p.flat_size = 256;
        float s1 = 0.01f + (float)(ref_rand(&g_seed) % 100) / 100.0f;
        float s2 = 0.01f + (float)(ref_rand(&g_seed) % 100) / 100.0f;
        float so = 0.01f + (float)(ref_rand(&g_seed) % 100) / 100.0f;
        ref_multiplier((double)(s1 / (s2 * so)), &p.out_mult, &p.out_shift);
        p.in1_zp = (int32_t)(ref_rand(&g_seed) % 256) - 128;
        p.in2_zp = (int32_t)(ref_rand(&g_seed) % 256) - 128;
        p.out_zp = (int32_t)(ref_rand(&g_seed) % 256) - 128;
        p.act_min = -128;
        p.act_max = 127;
        int8_t a[256], b[256], out[256];
        for (int i = 0; i < 256; ++i) {
            a[i] = ref_rand_s8(&g_seed);
            b[i] = ref_rand_s8(&g_seed);
            if (b[i] == p.in2_zp)
                b[i] = (int8_t)(p.in2_zp == 127 ? 126 : p.in2_zp + 1);
        }
        CU_ASSERT_EQUAL_FATAL(nk_div_s8(&p, a, b, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t x = a[i] - p.in1_zp, y = b[i] - p.in2_zp;
            if (y < 0) {
                x = -x;
                y = -y;
            }
            int rs;
            int32_t inv = tfl_reciprocal(y, 31, &rs);
            int head = __builtin_clrsb(x);
            int32_t uq = gemmlowp::SaturatingRoundingDoublingHighMul(
                (int32_t)((uint32_t)x << head), inv);
            int total = p.out_shift - rs - head;
            /* TFLite's C++ shifts by more than 31 here (undefined behaviour,
             * e.g. for a dividend equal to its zero point); neurio gives the
             * rounded quotient those would mean. */
            int32_t hm = gemmlowp::SaturatingRoundingDoublingHighMul(uq, p.out_mult);
            int32_t r = (-total <= 31 ? gemmlowp::RoundingDivideByPOT(hm, -total)
                                      : (int32_t)ref_div_half_away(hm, (int64_t)1 << std::min(62, -total))) +
                        p.out_zp;
            if (out[i] != std::max(-128, std::min(127, r))) {
                bad++;
                printf("exact: a=%d b=%d out=%d want=%d\n", a[i], b[i], out[i], r);
            }
            /* and it is a quotient: within 1 of the real result */
            double real = (double)(a[i] - p.in1_zp) * s1 / ((double)(b[i] - p.in2_zp) * s2) / so +
                          p.out_zp;
            real = std::max(-128.0, std::min(127.0, real));
            if (std::fabs(out[i] - real) > 1.01) {
                bad++;
                printf("approx: a=%d b=%d out=%d real=%f zp %d %d %d sh %d\n", a[i], b[i], out[i], real, p.in1_zp, p.in2_zp, p.out_zp, p.out_shift);
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    nk_binary_params z;
    std::memset(&z, 0, sizeof z);
    z.flat_size = 1;
    z.act_min = -128;
    z.act_max = 127;
    z.out_mult = 1 << 30;
    z.in2_zp = 3;
    const int8_t x1[1] = {5}, x2[1] = {3};
    int8_t o[1];
    CU_ASSERT_EQUAL(nk_div_s8(&z, x1, x2, o), NK_ERR_PARAMS);
}

extern "C" int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_fixedpoint_math_gemmlowp", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "int16 SRDHM, reciprocal, inverse sqrt, clrsb", test_primitives);
    CU_add_test(s, "log(x) for x >= 1, Q12 -> Q5", test_log);
    CU_add_test(s, "int8 HARD_SWISH on 400 quantizations", test_hard_swish);
    CU_add_test(s, "int8 LOG_SOFTMAX on 200 random rows", test_log_softmax);
    CU_add_test(s, "int8 L2_NORMALIZATION and RSQRT", test_l2norm_rsqrt);
    CU_add_test(s, "int8 DIV", test_div);
    return 0;
}
