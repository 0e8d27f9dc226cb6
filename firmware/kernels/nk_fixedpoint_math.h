/* firmware/kernels/nk_fixedpoint_math.h — more internal fixed-point
 * primitives (not part of nk.h): the 16-bit gemmlowp operations HARD_SWISH
 * uses, TFLite's saturating add/sub, CountLeadingSignBits, reciprocal,
 * inverse square root, log(x) for x >= 1 and the 64-bit
 * MultiplyByQuantizedMultiplier of the int16 kernels.
 *
 * Each function reproduces, operation for operation, the integer
 * arithmetic of TFLite's kernels/internal/common.h and gemmlowp's
 * fixedpoint.h, so results are bit-exact.  A value with `ib` integer bits
 * is an int32 raw r meaning r / 2^(31 - ib) (Q(ib).(31-ib)); 16-bit values
 * are Q0.15.  Wrapping steps go through uint32 as in nk_fixedpoint.h.
 */
#ifndef NEURIO_NK_FIXEDPOINT_MATH_H
#define NEURIO_NK_FIXEDPOINT_MATH_H

#include <stdint.h>

#include "nk_fixedpoint.h"

/* TFLite SaturatingAddNonGemmlowp / SaturatingSub for int32. */
static inline int32_t nk_sat_add32(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a + (int64_t)b;
    return s > NK_INT32_MAX ? NK_INT32_MAX : (s < NK_INT32_MIN ? NK_INT32_MIN : (int32_t)s);
}

static inline int32_t nk_sat_sub32(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a - (int64_t)b;
    return s > NK_INT32_MAX ? NK_INT32_MAX : (s < NK_INT32_MIN ? NK_INT32_MIN : (int32_t)s);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT(x, exponent) for any exponent:
 * saturating left shift when positive, RoundingDivideByPOT when negative. */
static inline int32_t nk_sat_pot(int32_t x, int exponent)
{
    if (exponent > 0)
        return nk_sat_shl(x, exponent);
    if (exponent < 0)
        return nk_rdbpot(x, -exponent);
    return x;
}

/* gemmlowp Rescale: a raw value with `from_ib` integer bits re-expressed
 * with `to_ib` integer bits (saturating / rounding). */
static inline int32_t nk_rescale(int32_t x, int from_ib, int to_ib)
{
    return nk_sat_pot(x, from_ib - to_ib);
}

/* TFLite CountLeadingSignBits for int32 (GCC's __builtin_clrsb). */
static inline int nk_clrsb32(int32_t x)
{
    const uint32_t v = x < 0 ? ~(uint32_t)x : (uint32_t)x;
    return nk_clz32(v) - 1;
}

/* gemmlowp SaturatingRoundingDoublingHighMul for int16. */
static inline int32_t nk_srdhm16(int32_t a, int32_t b)
{
    if (a == b && a == -32768)
        return 32767;
    const int32_t ab = a * b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (ab + nudge) / (1 << 15); /* truncating division, as gemmlowp */
}

/* TFLite SaturatingDoublingHighMul for int16 (truncating, like SQDMULH). */
static inline int32_t nk_sdhm16(int32_t a, int32_t b)
{
    if (a == b && a == -32768)
        return 32767;
    return (a * b) / (1 << 15);
}

/* TFLite reference_ops::SaturatingLeftShift for int16. */
static inline int32_t nk_sat_shl16(int32_t value, int amount)
{
    const int32_t r = value * (1 << amount);
    return r > 32767 ? 32767 : (r < -32768 ? -32768 : r);
}

/* TFLite GetReciprocal(x, x_integer_digits): Q0.31 reciprocal of x (x > 0
 * with x_integer_digits integer bits) and *num_bits_over_unit. */
static inline int32_t nk_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit)
{
    const int headroom_plus_one = nk_clz32((uint32_t)x);
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    const int32_t shifted_minus_one =
        (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    return nk_one_over_one_plus_x(shifted_minus_one);
}

/* TFLite GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1):
 * 1/sqrt(input) as a multiplier and a left shift (<= 0 after reversal). */
static inline void nk_inv_sqrt_multiplier(int32_t input, int32_t *mult, int32_t *shift)
{
    if (input <= 1) {
        *mult = NK_INT32_MAX;
        *shift = 0;
        return;
    }
    int32_t s = 11;
    while (input >= ((int32_t)1 << 29)) {
        input /= 4;
        ++s;
    }
    const int max_left_shift_bits = nk_clz32((uint32_t)input) - 1;
    const int left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
    s -= left_shift_bit_pairs;
    input = (int32_t)((uint32_t)input << (2 * left_shift_bit_pairs));
    /* Newton-Raphson in Q3.28 from x = 1, five steps. */
    const int32_t half_input = nk_rdbpot(input >> 1, 1);
    const int32_t half_three = ((int32_t)1 << 28) + ((int32_t)1 << 27);
    int32_t x = (int32_t)1 << 28;
    for (int i = 0; i < 5; i++) {
        const int32_t x3 = nk_sat_shl(nk_srdhm(nk_srdhm(x, x), x), 6);
        x = nk_sat_shl(nk_wrap_sub(nk_srdhm(half_three, x), nk_srdhm(half_input, x3)), 3);
    }
    x = nk_srdhm(x, 1518500250); /* sqrt(2) / 2 */
    if (s < 0) {
        x = (int32_t)((uint32_t)x << -s);
        s = 0;
    }
    *mult = x;
    *shift = -s;
}

/* TFLite log_x_for_x_greater_than_or_equal_to_1_impl: log(x) of a raw value
 * with `in_ib` integer bits (x >= 1), with `out_ib` integer bits. */
static inline int32_t nk_log_x_ge1(int32_t z_a, int in_ib, int out_ib)
{
    static const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301,
                         sqrt_half = 1518500250, one_quarter = 536870912;
    static const int32_t alpha_n = 117049297, alpha_d = 127690142, alpha_i = 1057819769,
                         alpha_f = 638450708;
    const int accum_ib = out_ib + 1;
    const int32_t shifted_quarter = nk_rescale(one_quarter, 0, accum_ib);

    const int z_a_headroom_plus_1 = nk_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = nk_sat_pot(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = nk_sat_pot(nk_srdhm(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj = nk_sat_add32(
        nk_sat_pot(in_ib - z_a_headroom_plus_1, 31 - accum_ib), shifted_quarter);

    const int32_t z_b = nk_srdhm(z_a, sqrt_half);
    const int z_b_headroom = nk_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = nk_sat_pot(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj =
        nk_sat_sub32(nk_sat_pot(in_ib - z_b_headroom, 31 - accum_ib), shifted_quarter);

    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;

    const int32_t p = nk_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = nk_wrap_sub(r, sqrt_sqrt_half);
    q = nk_wrap_add(q, q);
    const int32_t common_sq = nk_srdhm(q, q);
    const int32_t num = nk_wrap_add(nk_srdhm(q, r), nk_srdhm(nk_srdhm(q, common_sq), alpha_n));
    const int32_t denom_minus_one_0 =
        nk_wrap_add(nk_srdhm(p, nk_wrap_add(nk_wrap_add(alpha_i, q), nk_srdhm(alpha_d, common_sq))),
                    nk_srdhm(alpha_f, q));
    const int32_t recip_denom = nk_one_over_one_plus_x(denom_minus_one_0);
    const int32_t num_scaled = nk_rescale(num, 0, accum_ib);
    return nk_rescale(nk_wrap_add(nk_srdhm(z_pow_2_adj, log_2), nk_srdhm(num_scaled, recip_denom)),
                      accum_ib, out_ib);
}

/* TFLite MultiplyByQuantizedMultiplier(int64_t x, ...) (the int16 kernels'
 * requantization): the multiplier rounded to 16 bits, one rounding shift.
 * shift in -31..7, |x| < 2^47. */
static inline int32_t nk_mbqm64(int64_t x, int32_t mult, int32_t shift)
{
    const int32_t reduced = mult < 0x7FFF0000 ? (mult + (1 << 15)) >> 16 : 0x7FFF;
    const int total_shift = 15 - (int)shift;
    const int64_t v = x * (int64_t)reduced + ((int64_t)1 << (total_shift - 1));
    return (int32_t)(v >> total_shift);
}

#endif /* NEURIO_NK_FIXEDPOINT_MATH_H */
