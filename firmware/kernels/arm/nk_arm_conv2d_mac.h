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

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

/* Kernels: np pixels x one output channel, ng groups of four taps, the
 * sums added to a[].  On Thumb-2 the 4- and 2-pixel kernels are hand
 * scheduled: one LDM fetches two pixels' halfword pairs (four registers),
 * each weight word is loaded and unpacked once, two groups per loop trip;
 * 28 instructions per 32 MACs for four pixels.  (gcc's own code for the C
 * version spills and uses single LDRs: 24 instructions per 16 MACs.)
 * x must be 4-byte aligned (LDM). */
/* halfwords of the patch buffer of nk_arm_conv2d.c */
#ifndef NK_ARM_PATCH_MAX
#define NK_ARM_PATCH_MAX 1152
#endif

/* nk_arm_conv2d_split.c: CONV_2D whose patch is too long for four pixels
 * in NK_ARM_PATCH_MAX (in_c % 4 == 0, no dilation, one filter row of four
 * pixels within NK_ARM_SPLIT_PATCH); returns NK_ERR_PARAMS, writing
 * nothing, for other shapes. */
int nk_arm_conv2d_split(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output);

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
    const int32_t *tab_end; /* tab + 4 nch (nk_arm_conv_k4all_x2 ends there) */
} conv_k4all;
void nk_arm_conv_k4all(const int8_t *w, conv_k4all *a);
void nk_arm_conv_k4all_sat(const int8_t *w, conv_k4all *a);
/* the same for the activation range [-128, 127] with nk_arm_requant_x2:
 * table per channel {2 bias, m, nk_arm_requant_x2_c0, e}, the doubled sum
 * inside int32 (the caller checks) */
void nk_arm_conv_k4all_x2(const int8_t *w, conv_k4all *a);
/* the same reading the layer's bias, multiplier and shift arrays (per
 * channel, bias present) instead of a table: for layers whose patch leaves
 * no room for one.  The loop ends when mult reaches mult_end. */
typedef struct conv_k4raw {
    const int16_t *x;
    int32_t ng, wadj;
    const int32_t *bias, *mult, *shift;
    int32_t zp1; /* 1 + 2 out_zp */
    int8_t *out;
    int32_t ostride;
    const int32_t *mult_end;
} conv_k4raw;
void nk_arm_conv_k4all_x2r(const int8_t *w, conv_k4raw *a);

/* The whole channel loop of a 4-pixel block on packed weights (nk.h,
 * nk_conv_pack: doubled int16 weights in lane order, so LDM feeds SMLAD
 * directly and the sums come out doubled): per channel the four sums start
 * at 2 bias, an odd first group when a->odd, then the pairs of groups in
 * a loop unrolled eight times that is entered at a->entry (one of
 * nk_arm_conv_k4w_e0..e7, or _done when there is no pair), running until
 * the patch pointer reaches a->x_end; 21 instructions per 32 MACs.  The
 * requantization is nk_arm_requant_x2 from a->tab ({2 bias, m, c0, e} per
 * channel) up to a->tab_end; out advances one byte per channel. */
typedef struct conv_k4w {
    const int16_t *x;      /* 0 */
    uint32_t entry;        /* 4: loop entry address, Thumb bit set */
    const int32_t *tab;    /* 8 */
    const int32_t *tab_end; /* 12 */
    int8_t *out;           /* 16 */
    int32_t ostride;       /* 20 */
    const int16_t *x_end;  /* 24 */
    int32_t odd;           /* 28 */
} conv_k4w;
void nk_arm_conv_k4w(const int16_t *w, conv_k4w *a);
extern const char nk_arm_conv_k4w_e0[], nk_arm_conv_k4w_e1[], nk_arm_conv_k4w_e2[],
    nk_arm_conv_k4w_e3[], nk_arm_conv_k4w_e4[], nk_arm_conv_k4w_e5[], nk_arm_conv_k4w_e6[],
    nk_arm_conv_k4w_e7[], nk_arm_conv_k4w_done[];

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

/* ---- shared by the patch path (nk_arm_conv2d.c) and the split path
 * (nk_arm_conv2d_split.c) ---- */

/* Requantization in one 64-bit multiply-accumulate, for the common case
 * multiplier m in (2^30, 2^31) and right shift e = -shift in [1, 22] (the
 * caller checks; other channels take conv_out).  Bit-exact with
 * nk_arm_requant(x, m, -e) + zp (so with nk_mbqm):
 *  - nk_arm_requant computes r = floor((x m + 2^30) / 2^31), then rounds
 *    r / 2^e half away from zero: floor((r + 2^(e-1) - neg) / 2^e), where
 *    neg = (r < 0).  Nested floors merge (floor(floor(a / b) / c) =
 *    floor(a / (b c)), floor(a / b) + n = floor((a + n b) / b)), so
 *    r' + zp = floor(T / 2^(31+e)) with
 *    T = x m + 2^30 + 2^(30+e) + zp 2^(31+e) - neg 2^31.
 *  - neg == (x < 0) because m > 2^30: x >= 0 gives x m + 2^30 > 0, x <= -1
 *    gives x m + 2^30 <= 2^30 - m < 0.
 *  - 31 + e >= 32, so the quotient is the high word of T shifted right by
 *    e - 1.  |x m| < 2^62 and the constant is below 2^61 for e <= 22 and
 *    |zp| <= 128, so T does not overflow; the constant's words are
 *    klo = 2^30 (+ 2^31 for e == 1), khi = (1 + 2 zp) << (e - 2)
 *    (zp for e == 1).
 * -neg 2^31 is (x >>> 31) * INT32_MIN: a second SMLAL. */
typedef struct conv_rq {
    uint32_t klo;
    int32_t khi, m, sh; /* sh = e - 1 */
} conv_rq;

static inline int conv_rq_of(const nk_arm_conv_q *q, int32_t oc, conv_rq *r)
{
    const int32_t k = oc * q->q_step;
    const int32_t m = q->mult[k], e = -q->shift[k];
    if (m <= 0x40000000 || e < 1 || e > 22)
        return 0;
    r->m = m;
    r->sh = e - 1;
    r->klo = e == 1 ? 0xC0000000u : 0x40000000u;
    r->khi = e == 1 ? q->zp : (int32_t)((uint32_t)(1 + 2 * q->zp) << (e - 2));
    return 1;
}

static inline int8_t conv_rq_out(const conv_rq *r, int32_t x, int32_t lo, int32_t hi)
{
#if defined(__thumb2__) && defined(__GNUC__)
    uint32_t tl = r->klo;
    int32_t th = r->khi;
    __asm__("smlal %0, %1, %2, %3" : "+r"(tl), "+r"(th) : "r"(x), "r"(r->m));
    __asm__("smlal %0, %1, %2, %3"
            : "+r"(tl), "+r"(th)
            : "r"((uint32_t)x >> 31), "r"(INT32_MIN));
    int32_t v = th >> r->sh;
#else
    uint64_t t = ((uint64_t)(uint32_t)r->khi << 32) | r->klo;
    t += (uint64_t)((int64_t)x * r->m);
    t += (uint64_t)((int64_t)(int32_t)((uint32_t)x >> 31) * (int64_t)INT32_MIN);
    int32_t v = (int32_t)(uint32_t)(t >> 32) >> r->sh;
#endif
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (int8_t)v;
}

/* n / 4 words of int8 input at src -> lane-ordered (x - zp) halfword
 * pairs at g, g + sw, ...; returns the next group. */
#if defined(__thumb2__) && defined(__GNUC__)
/* LDR, two SXTB16, two SADD16 and one STRD with writeback per word */
#define CONV_PUT_WORDS_ASM(BYTES)                                                              \
    do {                                                                                       \
        uint32_t v_, h_;                                                                       \
        __asm__ volatile("1:\n\t"                                                              \
                         "ldr %[v], [%[s]], #4\n\t"                                            \
                         "sxtb16 %[h], %[v], ror #8\n\t"                                       \
                         "sxtb16 %[v], %[v]\n\t"                                               \
                         "sadd16 %[v], %[v], %[o]\n\t"                                         \
                         "sadd16 %[h], %[h], %[o]\n\t"                                         \
                         "strd %[v], %[h], [%[g]], #" #BYTES "\n\t"                            \
                         "subs %[n], %[n], #1\n\t"                                             \
                         "bne 1b\n\t"                                                          \
                         : [v] "=&r"(v_), [h] "=&r"(h_), [s] "+r"(src), [g] "+r"(g),           \
                           [n] "+r"(nw)                                                        \
                         : [o] "r"(off2)                                                       \
                         : "cc", "memory");                                                    \
    } while (0)
#endif

static inline uint32_t *conv_put_words(uint32_t *g, int32_t sw, const int8_t *src, int32_t nw,
                                       uint32_t off2)
{
    if (nw <= 0)
        return g;
#if defined(__thumb2__) && defined(__GNUC__)
    /* g is word aligned (STRD needs it): the buffer is uint32_t */
    if (sw == 8) {
        CONV_PUT_WORDS_ASM(32);
        return g;
    }
    if (sw == 4) {
        CONV_PUT_WORDS_ASM(16);
        return g;
    }
#endif
    for (; nw > 0; --nw, src += 4, g += sw) {
        const uint32_t xv = nk_arm_load32(src);
        g[0] = (uint32_t)__sadd16(__sxtb16(xv), off2);
        g[1] = (uint32_t)__sadd16(nk_arm_sxtb16_ror8(xv), off2);
    }
    return g;
}

static inline uint32_t *conv_put_zero(uint32_t *g, int32_t sw, int32_t nw)
{
    for (; nw > 0; --nw, g += sw) {
        g[0] = 0;
        g[1] = 0;
    }
    return g;
}

#endif /* NEURIO_NK_ARM_CONV2D_MAC_H */
