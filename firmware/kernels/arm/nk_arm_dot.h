/* firmware/kernels/arm/nk_arm_dot.h — int8 dot products with SMLAD (internal).
 *
 * x is an int8 activation vector with zero point zp, w0/w1 int8 weight rows;
 * the sums of w * (x - zp) are added to *a0 and *a1.  Four bytes at a time:
 * SXTB16 splits a word into lanes (0,2) and, after a rotate by 8, (1,3),
 * SADD16 subtracts the zero point in both 16-bit lanes (x - zp fits int16),
 * SMLAD multiplies both lane pairs and accumulates.  Integer sums are exact,
 * so the order differs from the portable loop without changing results. */
#ifndef NEURIO_NK_ARM_DOT_H
#define NEURIO_NK_ARM_DOT_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t nk_arm_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* unaligned LDR on M4/M7 */
    return v;
}

/* Rotate right by 8 (the compiler folds it into SXTB16's ROR operand). */
static inline uint32_t nk_arm_ror8(uint32_t v)
{
    return (v >> 8) | (v << 24);
}

/* SXTB16 of (v ror 8): lanes 1 and 3 sign-extended, one instruction. */
static inline int32_t nk_arm_sxtb16_ror8(uint32_t v)
{
#if defined(__GNUC__)
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
#else
    return (int32_t)__sxtb16(nk_arm_ror8(v));
#endif
}

/* PKHBT lo, hi, LSL #16: (lo.bottom, hi.bottom); PKHTB hi, lo, ASR #16:
 * (lo.top, hi.top), as (bottom, top) halfwords. */
static inline uint32_t nk_arm_pkhbt(uint32_t lo, uint32_t hi)
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

static inline uint32_t nk_arm_pkhtb(uint32_t hi, uint32_t lo)
{
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}

/* (-zp) in both halfwords, for __sadd16. */
static inline uint32_t nk_arm_offset2(int32_t zp)
{
    const uint32_t h = (uint32_t)(uint16_t)(int16_t)(-zp);
    return h | (h << 16);
}

static inline void nk_arm_dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n,
                               uint32_t off2, int32_t zp, int32_t *a0, int32_t *a1)
{
    int32_t s0 = *a0, s1 = *a1;
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t xv = nk_arm_load32(x + i);
        const int16x2_t x02 = __sadd16(__sxtb16(xv), off2);
        const int16x2_t x13 = __sadd16(nk_arm_sxtb16_ror8(xv), off2);
        const uint32_t v0 = nk_arm_load32(w0 + i);
        const uint32_t v1 = nk_arm_load32(w1 + i);
        s0 = __smlad(x02, __sxtb16(v0), s0);
        s0 = __smlad(x13, nk_arm_sxtb16_ror8(v0), s0);
        s1 = __smlad(x02, __sxtb16(v1), s1);
        s1 = __smlad(x13, nk_arm_sxtb16_ror8(v1), s1);
    }
    for (; i < n; ++i) {
        const int32_t xv = (int32_t)x[i] - zp;
        s0 += (int32_t)w0[i] * xv;
        s1 += (int32_t)w1[i] * xv;
    }
    *a0 = s0;
    *a1 = s1;
}

static inline int32_t nk_arm_dot1(const int8_t *x, const int8_t *w0, int32_t n, uint32_t off2,
                                  int32_t zp, int32_t acc)
{
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t xv = nk_arm_load32(x + i);
        const uint32_t v0 = nk_arm_load32(w0 + i);
        acc = __smlad(__sadd16(__sxtb16(xv), off2), __sxtb16(v0), acc);
        acc = __smlad(__sadd16(nk_arm_sxtb16_ror8(xv), off2), nk_arm_sxtb16_ror8(v0), acc);
    }
    for (; i < n; ++i)
        acc += (int32_t)w0[i] * ((int32_t)x[i] - zp);
    return acc;
}

#endif /* NEURIO_NK_ARM_DOT_H */
