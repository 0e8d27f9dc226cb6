/* firmware/kernels/mve/nk_mve_requant.h — TFLite's requantization
 * (nk_mbqm: MultiplyByQuantizedMultiplier, double rounding) on four int32
 * lanes, and the clamped narrowing store.  Internal to mve/.
 *
 * Why it is exact (for every x, mult, shift):
 *  - gemmlowp's SaturatingRoundingDoublingHighMul(a, b) = trunc((ab +
 *    nudge) / 2^31) with nudge = 2^30 (ab >= 0) or 1 - 2^30 (ab < 0).  For
 *    ab < 0, trunc((ab + 1 - 2^30) / 2^31) = ceil((ab + 1 - 2^30) / 2^31) =
 *    floor((ab + 2^30) / 2^31), the ab >= 0 formula: both branches are
 *    floor((ab + 2^30) / 2^31), which is what VQRDMULH computes
 *    (floor((2ab + 2^31) / 2^32)), saturating the one overflow
 *    (INT32_MIN * INT32_MIN) to INT32_MAX exactly as gemmlowp does.
 *  - RoundingDivideByPOT(x, e), e >= 1, rounds half away from zero; VRSHL
 *    by -e rounds half up (floor((x + 2^(e-1)) / 2^e), exact, no
 *    overflow).  They differ only on negative ties; subtracting 1 from
 *    negative x first (saturating: INT32_MIN stays, and is exact anyway)
 *    turns a negative tie into the value below it and changes no other
 *    result, because a non-tie remainder never sits at 2^(e-1).
 *  - A left shift (shift > 0) is applied before the multiply, wrapping,
 *    as nk_mbqm does; e = 0 needs no rounding step.
 * tests/kernels/mve checks these against nk_mbqm on the board. */
#ifndef NEURIO_NK_MVE_REQUANT_H
#define NEURIO_NK_MVE_REQUANT_H

#include <arm_mve.h>
#include <stdint.h>

/* nk_mbqm(x, mult, shift) on each lane, one multiplier and shift. */
static inline int32x4_t nk_mve_mbqm(int32x4_t x, int32_t mult, int32_t shift)
{
    if (shift > 0)
        x = vshlq_r_s32(x, shift);
    x = vqrdmulhq_n_s32(x, mult);
    if (shift < 0) {
        x = vqaddq_s32(x, vshrq_n_s32(x, 31));
        x = vrshlq_n_s32(x, shift);
    }
    return x;
}

/* nk_mbqm with a multiplier and shift per lane (right shifts only:
 * every shift lane in -31..0; `fix` = -1 in lanes whose shift is
 * negative, 0 where it is 0). */
static inline int32x4_t nk_mve_mbqm_v(int32x4_t x, int32x4_t mult, int32x4_t shift,
                                      int32x4_t fix)
{
    x = vqrdmulhq_s32(x, mult);
    x = vqaddq_s32(x, vandq_s32(vshrq_n_s32(x, 31), fix));
    return vrshlq_s32(x, shift);
}

/* clamp(x + zp, lo, hi) narrowed to int8 and stored to out[0..3] (only
 * the lanes of `pred`). */
static inline void nk_mve_store4(int8_t *out, int32x4_t x, int32_t zp, int32x4_t lo,
                                 int32x4_t hi, mve_pred16_t pred)
{
    x = vminq_s32(vmaxq_s32(vaddq_n_s32(x, zp), lo), hi);
    vstrbq_p_s32(out, x, pred);
}

#endif /* NEURIO_NK_MVE_REQUANT_H */
