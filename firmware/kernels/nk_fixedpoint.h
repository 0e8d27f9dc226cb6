/* firmware/kernels/nk_fixedpoint.h — internal fixed-point primitives shared
 * by the int8 kernels (not part of the public nk.h API).
 *
 * These reproduce, operation for operation, the integer arithmetic that
 * TFLite's reference kernels use (gemmlowp's fixed-point helpers and
 * TFLite's MultiplyByQuantizedMultiplier, double-rounding variant), so that
 * results are bit-exact.  A fixed-point value with `ib` integer bits is an
 * int32 raw value r representing r / 2^(31 - ib).
 *
 * Signed overflow is avoided: wrapping steps go through uint32 and the
 * int32 <- uint32 conversion (implementation-defined, two's complement on
 * every compiler neurio supports).  Right shifts of negative values are
 * arithmetic on those compilers too (as TFLite assumes).
 */
#ifndef NEURIO_NK_FIXEDPOINT_H
#define NEURIO_NK_FIXEDPOINT_H

#include <stdint.h>

#define NK_INT32_MAX ((int32_t)0x7fffffff)
#define NK_INT32_MIN ((int32_t)(-0x7fffffff - 1))

static inline int32_t nk_wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* The low 32 bits of x as int32 (what an int32 accumulator that wrapped
 * would hold). */
static inline int32_t nk_wrap64to32(int64_t x)
{
    return (int32_t)(uint32_t)(uint64_t)x;
}

static inline int32_t nk_wrap_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t nk_wrap_neg(int32_t a)
{
    return (int32_t)(0u - (uint32_t)a);
}

static inline int32_t nk_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH). */
static inline int32_t nk_srdhm(int32_t a, int32_t b)
{
    if (a == b && a == NK_INT32_MIN)
        return NK_INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (int64_t)(1 << 30) : (int64_t)(1 - (1 << 30));
    /* (ab + nudge) / 2^31 truncating toward zero, without a 64-bit division
     * call on 32-bit cores: bias negative values by 2^31 - 1, then shift. */
    int64_t t = ab + nudge;
    if (t < 0)
        t += ((int64_t)1 << 31) - 1;
    return (int32_t)(t >> 31);
}

/* gemmlowp RoundingDivideByPOT: round-to-nearest, ties away from zero;
 * 0 <= exponent <= 31. */
static inline int32_t nk_rdbpot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT with exponent > 0: saturating
 * left shift. */
static inline int32_t nk_sat_shl(int32_t x, int exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold)
        return NK_INT32_MAX;
    if (x < -threshold)
        return NK_INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

/* TFLite MultiplyByQuantizedMultiplier (double rounding):
 * x * mult * 2^shift / 2^31, shift > 0 left, shift < 0 right. */
static inline int32_t nk_mbqm(int32_t x, int32_t mult, int32_t shift)
{
    const int left = shift > 0 ? (int)shift : 0;
    const int right = shift > 0 ? 0 : (int)-shift;
    return nk_rdbpot(nk_srdhm((int32_t)((uint32_t)x << left), mult), right);
}

/* TFLite MultiplyByQuantizedMultiplierGreaterThanOne (softmax input). */
static inline int32_t nk_mbqm_gt1(int32_t x, int32_t mult, int32_t left_shift)
{
    return nk_srdhm((int32_t)((uint32_t)x << left_shift), mult);
}

/* gemmlowp RoundingHalfSum for int32. */
static inline int32_t nk_rounding_half_sum(int32_t a, int32_t b)
{
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* exp(x) for x in [-1/4, 0), Q0.31 in and out. */
static inline int32_t nk_exp_quarter_q0(int32_t a)
{
    static const int32_t constant_term = 1895147668;     /* exp(-1/8) */
    static const int32_t constant_1_over_3 = 715827883;  /* 1/3       */
    const int32_t x = nk_wrap_add(a, (int32_t)1 << 28);  /* a + 1/8   */
    const int32_t x2 = nk_srdhm(x, x);
    const int32_t x3 = nk_srdhm(x2, x);
    const int32_t x4 = nk_srdhm(x2, x2);
    const int32_t x4_over_4 = nk_rdbpot(x4, 2);
    const int32_t poly = nk_rdbpot(
        nk_wrap_add(nk_srdhm(nk_wrap_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return nk_wrap_add(constant_term, nk_srdhm(constant_term, nk_wrap_add(x, poly)));
}

/* gemmlowp exp_on_negative_values: input with `ib` integer bits (1..5),
 * a <= 0; result Q0.31. */
static inline int32_t nk_exp_on_negative_values(int32_t a, int ib)
{
    static const int32_t barrel[7] = {
        1672461947, /* exp(-1/4) */
        1302514674, /* exp(-1/2) */
        790015084,  /* exp(-1)   */
        290630308,  /* exp(-2)   */
        39332535,   /* exp(-4)   */
        720401,     /* exp(-8)   */
        242         /* exp(-16)  */
    };
    const int fb = 31 - ib;
    const int32_t one_quarter = (int32_t)1 << (fb - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = nk_wrap_sub(a & mask, one_quarter);
    int32_t result = nk_exp_quarter_q0(nk_sat_shl(a_mod_quarter_minus_one_quarter, ib));
    const int32_t remainder = nk_wrap_sub(a_mod_quarter_minus_one_quarter, a);
    for (int e = -2; e <= 4; ++e) {
        if (ib > e) {
            const int shift_amount = fb + e;
            if (remainder & (int32_t)((uint32_t)1 << shift_amount))
                result = nk_srdhm(result, barrel[e + 2]);
        }
    }
    if (ib > 5) {
        const int clamp_b = 36 - ib;
        if (a < -((int32_t)1 << clamp_b))
            result = 0;
    }
    if (a == 0)
        result = NK_INT32_MAX;
    return result;
}

/* Newton-Raphson core shared by 1/(1+x) and (1-x)/(1+x), x in [0,1) Q0.31;
 * returns the Q2.29 estimate of 1/(half_denominator). */
static inline int32_t nk_newton_recip_q2(int32_t half_denominator)
{
    static const int32_t constant_48_over_17 = 1515870810;
    static const int32_t constant_neg_32_over_17 = -1010580540;
    static const int32_t f2_one = (int32_t)1 << 29;
    int32_t x = nk_wrap_add(constant_48_over_17,
                            nk_srdhm(half_denominator, constant_neg_32_over_17));
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = nk_srdhm(half_denominator, x);
        const int32_t one_minus = nk_wrap_sub(f2_one, half_denominator_times_x);
        x = nk_wrap_add(x, nk_sat_shl(nk_srdhm(x, one_minus), 2));
    }
    return x;
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 (Q0.31 in and out). */
static inline int32_t nk_one_over_one_plus_x(int32_t a)
{
    const int32_t x = nk_newton_recip_q2(nk_rounding_half_sum(a, NK_INT32_MAX));
    return nk_sat_shl(x, 1);
}

/* gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1 (Q0.31). */
static inline int32_t nk_one_minus_x_over_one_plus_x(int32_t a)
{
    const int32_t x = nk_newton_recip_q2(nk_rounding_half_sum(a, NK_INT32_MAX));
    return nk_sat_shl(nk_wrap_sub(x, (int32_t)1 << 29), 2);
}

/* gemmlowp logistic for a Q4.27 input; Q0.31 result. */
static inline int32_t nk_logistic_q4(int32_t a)
{
    if (a == 0)
        return (int32_t)1 << 30;
    const int32_t abs_input = a > 0 ? a : nk_wrap_neg(a);
    const int32_t if_positive =
        nk_one_over_one_plus_x(nk_exp_on_negative_values(nk_wrap_neg(abs_input), 4));
    return a > 0 ? if_positive : nk_wrap_sub(NK_INT32_MAX, if_positive);
}

/* gemmlowp tanh for a Q4.27 input; Q0.31 result. */
static inline int32_t nk_tanh_q4(int32_t a)
{
    if (a == 0)
        return 0;
    const int32_t n = a < 0 ? a : nk_wrap_neg(a);   /* -|a| */
    /* ExactMulByPot<1>: the same raw value read with 5 integer bits. */
    const int32_t t = nk_one_minus_x_over_one_plus_x(nk_exp_on_negative_values(n, 5));
    return a < 0 ? nk_wrap_neg(t) : t;
}

/* Count leading zeros of a non-zero uint32 (portable). */
static inline int nk_clz32(uint32_t x)
{
#if defined(__GNUC__)
    return x ? __builtin_clz(x) : 32;
#else
    int n = 0;
    if (!x)
        return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* Float helpers (for the float kernels and QUANTIZE). */
static inline float nk_fminmax(float v, float lo, float hi)
{
    /* TFLite: min(max(v, lo), hi). */
    float t = v < lo ? lo : v;
    return t > hi ? hi : t;
}

/* Round half away from zero to an int32, saturating (std::round semantics
 * for every value that fits; NaN gives 0). */
static inline int32_t nk_round_f32_to_i32(float x)
{
    if (!(x == x))
        return 0;
    if (x >= 2147483648.0f)
        return NK_INT32_MAX;
    if (x <= -2147483648.0f)
        return NK_INT32_MIN;
    int32_t t = (int32_t)x; /* truncation toward zero */
    float frac = x - (float)t;
    if (frac >= 0.5f)
        t += 1;
    else if (frac <= -0.5f)
        t -= 1;
    return t;
}

#endif /* NEURIO_NK_FIXEDPOINT_H */
