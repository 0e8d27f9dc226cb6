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

#endif /* NEURIO_NK_ARM_REQUANT_H */
