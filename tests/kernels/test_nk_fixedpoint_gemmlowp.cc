// tests/kernels/test_nk_fixedpoint_gemmlowp.cc — bit-exactness of the
// kernels' fixed-point arithmetic against gemmlowp itself (Debian's
// libgemmlowp-dev, the library TFLite's reference kernels use): the
// primitives, exp/logistic/tanh, and the int8 SOFTMAX/LOGISTIC/TANH kernels
// against the same computations composed here from gemmlowp calls following
// TFLite's reference formulas.
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <cmath>
#include <cstdint>
#include <cstring>

extern "C" {
#include "kernel_ref.h"
#include "nk.h"
#include "nk_fixedpoint.h"
#include "test_util.h"
}

using gemmlowp::FixedPoint;

static uint32_t g_seed = 12345u;

static int32_t rnd32() { return (int32_t)ref_rand(&g_seed); }

static void test_primitives()
{
    const int32_t edges[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1,
                             1 << 30, -(1 << 30), 12345, -12345, (1 << 30) + 1};
    int bad = 0;
    for (int32_t a : edges)
        for (int32_t b : edges)
            bad += nk_srdhm(a, b) != gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
    for (int i = 0; i < 200000; ++i) {
        int32_t a = rnd32(), b = rnd32();
        bad += nk_srdhm(a, b) != gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
        int e = (int)(ref_rand(&g_seed) % 32);
        bad += nk_rdbpot(a, e) != gemmlowp::RoundingDivideByPOT(a, e);
        int32_t h = a >> 1;
        bad += nk_rounding_half_sum(h, b >> 1) != gemmlowp::RoundingHalfSum(h, b >> 1);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_functions()
{
    int bad = 0;
    for (int i = 0; i < 300000; ++i) {
        int32_t a = rnd32();
        int32_t neg = a > 0 ? -a : a;
        if (neg == INT32_MIN)
            neg = -1;
        bad += nk_exp_on_negative_values(neg, 5) !=
               gemmlowp::exp_on_negative_values(FixedPoint<int32_t, 5>::FromRaw(neg)).raw();
        bad += nk_exp_on_negative_values(neg, 4) !=
               gemmlowp::exp_on_negative_values(FixedPoint<int32_t, 4>::FromRaw(neg)).raw();
        int32_t x01 = (int32_t)(ref_rand(&g_seed) & 0x7fffffff);
        bad += nk_one_over_one_plus_x(x01) !=
               gemmlowp::one_over_one_plus_x_for_x_in_0_1(FixedPoint<int32_t, 0>::FromRaw(x01)).raw();
        bad += nk_one_minus_x_over_one_plus_x(x01) !=
               gemmlowp::one_minus_x_over_one_plus_x_for_x_in_0_1(
                   FixedPoint<int32_t, 0>::FromRaw(x01)).raw();
        /* logistic/tanh inputs stay within TFLite's radius (|x| < 15 in Q4) */
        int32_t q4 = (int32_t)(((int64_t)a * 15) / 16);
        bad += nk_logistic_q4(q4) != gemmlowp::logistic(FixedPoint<int32_t, 4>::FromRaw(q4)).raw();
        bad += nk_tanh_q4(q4) != gemmlowp::tanh(FixedPoint<int32_t, 4>::FromRaw(q4)).raw();
    }
    bad += nk_logistic_q4(0) != gemmlowp::logistic(FixedPoint<int32_t, 4>::FromRaw(0)).raw();
    bad += nk_tanh_q4(0) != gemmlowp::tanh(FixedPoint<int32_t, 4>::FromRaw(0)).raw();
    CU_ASSERT_EQUAL(bad, 0);
}

/* TFLite's MultiplyByQuantizedMultiplier (double rounding) from gemmlowp. */
static int32_t tfl_mbqm(int32_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return gemmlowp::RoundingDivideByPOT(
        gemmlowp::SaturatingRoundingDoublingHighMul(x * (1 << left), m), right);
}

/* TFLite's reference int8 softmax composed from gemmlowp. */
static void tfl_softmax(const nk_softmax_params &p, const int8_t *in, int8_t *out)
{
    using FScaled = FixedPoint<int32_t, 5>;
    using FAccum = FixedPoint<int32_t, 12>;
    using F0 = FixedPoint<int32_t, 0>;
    for (int r = 0; r < p.rows; ++r) {
        const int8_t *x = in + r * p.depth;
        int8_t *y = out + r * p.depth;
        int32_t mx = -128;
        for (int c = 0; c < p.depth; ++c)
            mx = x[c] > mx ? x[c] : mx;
        FAccum sum = FAccum::Zero();
        for (int c = 0; c < p.depth; ++c) {
            int32_t d = x[c] - mx;
            if (d >= p.diff_min) {
                int32_t s = gemmlowp::SaturatingRoundingDoublingHighMul(
                    d * (1 << p.input_left_shift), p.input_multiplier);
                sum = sum + gemmlowp::Rescale<12>(
                                gemmlowp::exp_on_negative_values(FScaled::FromRaw(s)));
            }
        }
        int headroom_plus_one = __builtin_clz((uint32_t)sum.raw());
        int num_bits_over_unit = 12 - headroom_plus_one;
        int32_t shifted = (int32_t)(((uint32_t)sum.raw() << headroom_plus_one) - (1u << 31));
        F0 scale = gemmlowp::one_over_one_plus_x_for_x_in_0_1(F0::FromRaw(shifted));
        for (int c = 0; c < p.depth; ++c) {
            int32_t d = x[c] - mx;
            if (d >= p.diff_min) {
                int32_t s = gemmlowp::SaturatingRoundingDoublingHighMul(
                    d * (1 << p.input_left_shift), p.input_multiplier);
                F0 e = gemmlowp::exp_on_negative_values(FScaled::FromRaw(s));
                int32_t u = gemmlowp::RoundingDivideByPOT((scale * e).raw(),
                                                          num_bits_over_unit + 31 - 8);
                int32_t v = u - 128;
                y[c] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
            } else {
                y[c] = -128;
            }
        }
    }
}

static void test_softmax_kernel()
{
    const double scales[] = {0.00390625, 0.02, 0.0625, 0.1, 0.25, 1.0};
    int bad = 0;
    for (double sc : scales) {
        nk_softmax_params p;
        std::memset(&p, 0, sizeof p);
        p.rows = 16;
        p.depth = 12;
        double real = sc * (double)(1 << 26);
        ref_multiplier(real, &p.input_multiplier, &p.input_left_shift);
        p.diff_min = -(int32_t)std::floor(31.0 * (double)(1 << 26) /
                                          (double)(1LL << p.input_left_shift));
        int8_t in[192], out[192], want[192];
        for (int i = 0; i < 192; ++i)
            in[i] = ref_rand_s8(&g_seed);
        CU_ASSERT_EQUAL_FATAL(nk_softmax_s8(&p, in, out), NK_OK);
        tfl_softmax(p, in, want);
        bad += std::memcmp(out, want, sizeof out) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_logistic_tanh_kernels()
{
    const double scales[] = {0.01, 0.05, 0.0625, 0.125, 0.3};
    const int zps[] = {-128, 0, 127, 9, -50};
    int8_t in[256], out[256];
    for (int i = 0; i < 256; ++i)
        in[i] = (int8_t)(i - 128);
    int bad = 0;
    for (int k = 0; k < 5; ++k) {
        nk_sigmoid_params p;
        int e = 0;
        double q = std::frexp(scales[k] * (double)(1 << 27), &e);
        p.in_mult = (int32_t)std::llround(q * 2147483648.0);
        p.in_left_shift = e;
        p.in_range_radius = (int32_t)std::floor(15.0 * (double)(1 << 27) / (double)(1LL << e));
        p.in_zp = zps[k];
        p.size = 256;
        CU_ASSERT_EQUAL_FATAL(nk_logistic_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t x = in[i] - p.in_zp, w;
            if (x <= -p.in_range_radius)
                w = -128;
            else if (x >= p.in_range_radius)
                w = 127;
            else {
                int32_t q4 = tfl_mbqm(x, p.in_mult, p.in_left_shift);
                int32_t o = gemmlowp::logistic(FixedPoint<int32_t, 4>::FromRaw(q4)).raw();
                w = gemmlowp::RoundingDivideByPOT(o, 23) - 128;
                w = w < -128 ? -128 : (w > 127 ? 127 : w);
            }
            bad += out[i] != w;
        }
        CU_ASSERT_EQUAL_FATAL(nk_tanh_s8(&p, in, out), NK_OK);
        for (int i = 0; i < 256; ++i) {
            int32_t x = in[i] - p.in_zp, w;
            if (x <= -p.in_range_radius)
                w = -128;
            else if (x >= p.in_range_radius)
                w = 127;
            else {
                int32_t q4 = tfl_mbqm(x, p.in_mult, p.in_left_shift);
                int32_t o = gemmlowp::tanh(FixedPoint<int32_t, 4>::FromRaw(q4)).raw();
                w = gemmlowp::RoundingDivideByPOT(o, 24);
                w = w < -128 ? -128 : (w > 127 ? 127 : w);
            }
            bad += out[i] != w;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

extern "C" int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_fixedpoint_gemmlowp", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "SRDHM, RoundingDivideByPOT, RoundingHalfSum", test_primitives);
    CU_add_test(s, "exp, 1/(1+x), (1-x)/(1+x), logistic, tanh", test_functions);
    CU_add_test(s, "int8 softmax kernel vs gemmlowp composition", test_softmax_kernel);
    CU_add_test(s, "int8 logistic/tanh kernels vs gemmlowp composition",
                test_logistic_tanh_kernels);
    return 0;
}
