/* firmware/kernels/arm/nk_arm_requant.h — requantization for the fast
 * kernels (internal), bit-exact with nk_mbqm() in ../nk_fixedpoint.h
 * (TFLite MultiplyByQuantizedMultiplier, double rounding) for every x and
 * every multiplier except INT32_MIN (TFLite's multipliers are 0 or in
 * [2^30, 2^31)), shift in [-31, 30].  Plain C: the host unit test checks it
 * against nk_mbqm; on Cortex-M it compiles to SMLAL and a handful of ALU
 * operations instead of nk_mbqm's branches and 64-bit compares.
 *
 * Why it is exact:
 *  - SaturatingRoundingDoublingHighMul(a, b) = trunc((ab + nudge) / 2^31),
 *    nudge = 2^30 for ab >= 0 and 1 - 2^30 otherwise.  For ab < 0,
 *    trunc((ab + 1 - 2^30) / 2^31) = ceil((y + 1) / 2^31) - 1 with
 *    y = ab + 2^30, which is floor(y / 2^31): so both signs are
 *    floor((ab + 2^30) / 2^31), one SMLAL and a 64-bit shift.  Saturation
 *    only happens for a = b = INT32_MIN, excluded above.
 *  - RoundingDivideByPOT(r, e), e >= 1, adds one to r >> e when
 *    rem = r & (2^e - 1) exceeds 2^(e-1) - 1 + (r < 0), i.e. when
 *    rem + 2^(e-1) + (r >> 31) >= 2^e.  That sum lies in [0, 2^(e+1)), so
 *    the increment is the sum shifted right by e (no overflow, unlike
 *    r + 2^(e-1)).  e = 0 returns r unchanged. */
#ifndef NEURIO_NK_ARM_REQUANT_H
#define NEURIO_NK_ARM_REQUANT_H

#include <stdint.h>

#include "../nk.h"
#include "../nk_fixedpoint.h"

static inline int32_t nk_arm_requant(int32_t x, int32_t mult, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int64_t t = (int64_t)(int32_t)((uint32_t)x << left) * mult + ((int64_t)1 << 30);
    const int32_t r = (int32_t)(t >> 31);
    if (right == 0)
        return r;
    const uint32_t half = (uint32_t)1 << (right - 1);
    const uint32_t mask = (half << 1) - 1u;
    const uint32_t sum = ((uint32_t)r & mask) + half + (uint32_t)(r >> 31);
    return (r >> right) + (int32_t)(sum >> right);
}

/* nk_arm_requant_rz: nk_arm_requant(x, mult, shift) + zp in five
 * instructions (AND, ORR, ADD, SMLAL, ASR) for the common case the caller
 * checks once per channel with nk_arm_requant_rz_ok(): mult in
 * (2^30, 2^31), a right shift e = -shift in [2, 23], |zp| <= 128.
 * hi0 = nk_arm_requant_rz_hi0(shift, zp), sh = e - 1.
 *
 * Why it is exact: with t = x * mult + 2^30 and r = floor(t / 2^31) (the
 * SRDHM above), RoundingDivideByPOT(r, e) = floor((r + 2^(e-1) - [r < 0])
 * / 2^e), and r < 0 exactly when t < 0, which for mult > 2^30 is x < 0.
 * Nested floors of divisions by powers of two merge, so the result is
 * floor(T / 2^(31+e)) with T = x * mult + 2^30 + 2^(30+e) - [x < 0] 2^31,
 * and adding zp * 2^(31+e) to T adds zp to it.  As a 64-bit constant plus
 * the product: the high word of the constant is 2^(e-2) + zp 2^(e-1) -
 * [x < 0], the low word 2^30 + [x < 0] 2^31; the result is the high word
 * of T shifted right by e - 1.  |x * mult| < 2^62 and the bounds on e and
 * zp keep the high word below 2^31 in magnitude (no wrap).
 * tests/kernels/test_nk_arm_requant.c checks it against nk_mbqm. */
static inline int nk_arm_requant_rz_ok(int32_t mult, int32_t shift, int32_t zp)
{
    return mult > (1 << 30) && shift <= -2 && shift >= -23 && zp >= -128 && zp <= 128;
}

static inline int32_t nk_arm_requant_rz_hi0(int32_t shift, int32_t zp)
{
    const int32_t e = -shift;
    return ((int32_t)1 << (e - 2)) + zp * ((int32_t)1 << (e - 1));
}

static inline int32_t nk_arm_requant_rz(int32_t x, int32_t mult, int32_t hi0, int32_t sh)
{
    const uint32_t lo = ((uint32_t)x & 0x80000000u) | 0x40000000u;
    const uint32_t hi = (uint32_t)hi0 + (uint32_t)(x >> 31);
    const int64_t t = (int64_t)(((uint64_t)hi << 32) | lo) + (int64_t)x * mult;
    return (int32_t)(t >> 32) >> sh;
}

/* nk_arm_requant_x2: the same result as nk_arm_requant_rz (that is,
 * nk_mbqm(x, mult, shift) + zp) under nk_arm_requant_x2_ok (mult in
 * (2^30, 2^31), shift in [-22, -2], |zp| <= 128) from the doubled accumulator x2 = 2 x, which the caller guarantees fits
 * (|x| < 2^30; kernels get it by doubling their weights or tables), in
 * four instructions: ADD, SMMLAR, ASR (and the ADD's shifted operand is
 * free).  c0 = nk_arm_requant_x2_c0(shift, zp), e = -shift.
 *
 * Why it is exact: doubling T of nk_arm_requant_rz gives
 * 2T = x2 mult + 2^31 + 2^32 (2^(e-1) + zp 2^e - [x < 0]), and the result
 * floor(T / 2^(31+e)) = floor(floor(2T / 2^32) / 2^e).  SMMLAR computes
 * floor((c 2^32 + x2 mult + 2^31) / 2^32) for c = c0 - [x < 0] (x2 has
 * the sign of x).  |x2 mult / 2^32| < 2^30 and |c0| <= 2^21 + 2^29 keep
 * the high word below 2^31 in magnitude. */
static inline int nk_arm_requant_x2_ok(int32_t mult, int32_t shift, int32_t zp)
{
    return mult > (1 << 30) && shift <= -2 && shift >= -22 && zp >= -128 && zp <= 128;
}

static inline int32_t nk_arm_requant_x2_c0(int32_t shift, int32_t zp)
{
    const int32_t e = -shift;
    return ((int32_t)1 << (e - 1)) + zp * ((int32_t)1 << e);
}

static inline int32_t nk_arm_requant_x2(int32_t x2, int32_t mult, int32_t c0, int32_t e)
{
    const uint32_t c = (uint32_t)c0 + (uint32_t)(x2 >> 31);
#if defined(__GNUC__) && defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    /* SMMLAR: (c 2^32 + x2 mult + 2^31) >> 32, the C below in one instruction */
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(x2), "r"(mult), "r"(c));
    return r >> e;
#else
    const int64_t t = (int64_t)(((uint64_t)c << 32) | 0x80000000u) + (int64_t)x2 * mult;
    return (int32_t)(t >> 32) >> e;
#endif
}

/* A conv/depthwise layer's requantization constants, copied out of the
 * parameter block once: the int8 output stores may alias anything, so
 * reading them through p after each store would reload every field. */
typedef struct nk_arm_conv_q {
    const int32_t *bias, *mult, *shift;
    int32_t q_step; /* 1 per channel, 0 per tensor */
    int32_t zp, lo, hi;
} nk_arm_conv_q;

static inline nk_arm_conv_q nk_arm_conv_q_of(const nk_conv_params *p, const int32_t *bias)
{
    const nk_arm_conv_q q = {.bias = bias, .mult = p->out_mult, .shift = p->out_shift,
                             .q_step = p->per_channel ? 1 : 0, .zp = p->out_zp,
                             .lo = p->act_min, .hi = p->act_max};
    return q;
}

/* Output channel oc's int8 value for the sum acc (bias added here). */
static inline int8_t nk_arm_conv_q_out(const nk_arm_conv_q *q, int32_t oc, int32_t acc)
{
    if (q->bias)
        acc += q->bias[oc];
    const int32_t k = oc * q->q_step;
    acc = nk_arm_requant(acc, q->mult[k], q->shift[k]) + q->zp;
    return (int8_t)nk_clamp(acc, q->lo, q->hi);
}

#endif /* NEURIO_NK_ARM_REQUANT_H */
