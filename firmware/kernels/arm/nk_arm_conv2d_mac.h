/* firmware/kernels/arm/nk_arm_conv2d_mac.h — the multiply-accumulate
 * kernels of the CONV_2D patch path (internal to nk_arm_conv2d.c): np = 4, 2
 * or 1 output pixels x one output channel over a gathered int16 patch.  On
 * Thumb-2 the 4- and 2-pixel kernels and the whole-channel-loop kernel are
 * hand-scheduled assembly in nk_arm_conv2d_mac.c; elsewhere the C versions
 * below. */
#ifndef NEURIO_NK_ARM_CONV2D_MAC_H
#define NEURIO_NK_ARM_CONV2D_MAC_H

#include <stdint.h>
#include <string.h>

#include "nk_arm_dot.h"

/* Kernels: np pixels x one output channel, ng groups of four taps, the
 * sums added to a[].  On Thumb-2 the 4- and 2-pixel kernels are hand
 * scheduled: one LDM fetches two pixels' halfword pairs (four registers),
 * each weight word is loaded and unpacked once, two groups per loop trip;
 * 28 instructions per 32 MACs for four pixels.  (gcc's own code for the C
 * version spills and uses single LDRs: 24 instructions per 16 MACs.)
 * x must be 4-byte aligned (LDM). */
#if defined(__thumb2__) && defined(__GNUC__)
#define CONV_ASM 1
void nk_arm_conv_k4(const int16_t *x, const int8_t *w, int32_t ng, int32_t *a);
void nk_arm_conv_k2(const int16_t *x, const int8_t *w, int32_t ng, int32_t *a);

/* nk_arm_conv_k4 followed by the requantization of conv_rq_out for the
 * four sums (klo = 2^30, i.e. e >= 2, and the -neg 2^31 term as a
 * subtract with borrow) and the four int8 stores, out + j * ostride. */
typedef struct conv_k4q {
    int32_t bias, m, khi, sh, lo, hi;
    int8_t *out;
    int32_t ostride;
} conv_k4q;
void nk_arm_conv_k4q(const int16_t *x, const int8_t *w, int32_t ng, const conv_k4q *q);
/* the same with nk_arm_requant_x2 for the activation range [-128, 127]:
 * q = {2 bias, m, nk_arm_requant_x2_c0, e, ...}, the doubled sum inside
 * int32 (the caller checks) */
void nk_arm_conv_k4q_x2(const int16_t *x, const int8_t *w, int32_t ng, const conv_k4q *q);

/* The whole channel loop of a 4-pixel block: for each of a->nch output
 * channels (weights a->wadj bytes apart after the ng groups read), the
 * four sums, their requantization (table a->tab: bias, m, khi, sh per
 * channel, as conv_k4q) and the stores (out advances one byte per
 * channel).  a->tab, a->nch and a->out are consumed. */
typedef struct conv_k4all {
    const int16_t *x;
    int32_t ng, wadj;
    const int32_t *tab;
    int32_t nch, lo, hi;
    int8_t *out;
    int32_t ostride;
} conv_k4all;
void nk_arm_conv_k4all(const int8_t *w, conv_k4all *a);
void nk_arm_conv_k4all_sat(const int8_t *w, conv_k4all *a);
/* the same for the activation range [-128, 127] with nk_arm_requant_x2:
 * table per channel {2 bias, m, nk_arm_requant_x2_c0, e}, the doubled sum
 * inside int32 (the caller checks) */
void nk_arm_conv_k4all_x2(const int8_t *w, conv_k4all *a);

#define conv_k4 nk_arm_conv_k4
#define conv_k2 nk_arm_conv_k2
#else
#define CONV_ASM 0
#endif

#define CONV_X(off) nk_arm_load32h(x + (off))
static inline int32_t nk_arm_load32h(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

#if !CONV_ASM
static inline void conv_k4(const int16_t *x, const int8_t *w, int32_t ng, int32_t a[4])
{
    int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    for (; ng > 0; --ng) {
        const uint32_t wv = nk_arm_load32(w);
        w += 4;
        const int32_t wl = (int32_t)__sxtb16(wv), wh = nk_arm_sxtb16_ror8(wv);
        a0 = __smlad(CONV_X(0), wl, a0);
        a0 = __smlad(CONV_X(2), wh, a0);
        a1 = __smlad(CONV_X(4), wl, a1);
        a1 = __smlad(CONV_X(6), wh, a1);
        a2 = __smlad(CONV_X(8), wl, a2);
        a2 = __smlad(CONV_X(10), wh, a2);
        a3 = __smlad(CONV_X(12), wl, a3);
        a3 = __smlad(CONV_X(14), wh, a3);
        x += 16;
    }
    a[0] = a0;
    a[1] = a1;
    a[2] = a2;
    a[3] = a3;
}

static inline void conv_k2(const int16_t *x, const int8_t *w, int32_t ng, int32_t a[2])
{
    int32_t a0 = a[0], a1 = a[1];
    for (; ng > 0; --ng) {
        const uint32_t wv = nk_arm_load32(w);
        w += 4;
        const int32_t wl = (int32_t)__sxtb16(wv), wh = nk_arm_sxtb16_ror8(wv);
        a0 = __smlad(CONV_X(0), wl, a0);
        a0 = __smlad(CONV_X(2), wh, a0);
        a1 = __smlad(CONV_X(4), wl, a1);
        a1 = __smlad(CONV_X(6), wh, a1);
        x += 8;
    }
    a[0] = a0;
    a[1] = a1;
}
#endif

static inline void conv_k1(const int16_t *x, const int8_t *w, int32_t ng, int32_t a[1])
{
    int32_t a0 = a[0];
    for (; ng > 0; --ng) {
        const uint32_t wv = nk_arm_load32(w);
        w += 4;
        a0 = __smlad(CONV_X(0), (int32_t)__sxtb16(wv), a0);
        a0 = __smlad(CONV_X(2), nk_arm_sxtb16_ror8(wv), a0);
        x += 4;
    }
    a[0] = a0;
}

static inline void conv_kn(int32_t np, const int16_t *x, const int8_t *w, int32_t ng, int32_t *a)
{
    if (np == 4)
        conv_k4(x, w, ng, a);
    else if (np == 2)
        conv_k2(x, w, ng, a);
    else
        conv_k1(x, w, ng, a);
}

#endif /* NEURIO_NK_ARM_CONV2D_MAC_H */
