/* firmware/kernels/arm/nk_arm_depthwise_conv2d.c — DEPTHWISE_CONV_2D int8
 * (depth multiplier 1) with the DSP extension.  Four adjacent channels are
 * one 32-bit word in NHWC input and in the [1][kh][kw][c] filter: SXTB16
 * splits both into lanes (0,2) and (1,3), SADD16 removes the input zero
 * point, and SMLABB/SMLATT accumulate each lane into its own channel, so the
 * four accumulators stay in registers across the filter taps (the taps
 * inside the image are listed once per output pixel).  Other depth
 * multipliers and filters of more than NK_ARM_DW_MAX_TAPS taps return
 * NK_ERR_PARAMS here, writing nothing, and take the portable loop.
 * Bit-exact with ../nk_depthwise_conv2d.c (integer sums are exact). */
#include "nk_arm.h"

#include <stddef.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

#ifndef NK_ARM_DW_MAX_TAPS
#define NK_ARM_DW_MAX_TAPS 64 /* filters up to 8x8; larger take the portable loop */
#endif

/* ------------------------------------------------------------------
 * 3x3, stride 1, dilation 1, SAME padding of one (kws DS-CNN).
 *
 * Four channels at a time are copied into four int16 planes padded with
 * the input zero point (the padding then contributes f * (zp - zp) = 0, so
 * the zero point leaves the inner loop: bias' = bias - zp * sum of the nine
 * taps).  A padded row p[] is read as halfword pairs E_k = (p[2k], p[2k+1]);
 * output columns 2j and 2j+1 need E_j and E_j+1 of three rows, and with the
 * filter row (f0, f1, f2) taken as F01 = (f0, f1), F12 = (f1, f2):
 *   out(2j)   += SMLAD(E_j, F01) + SMLABT(E_j+1, F12)    (p0 f0 + p1 f1 + p2 f2)
 *   out(2j+1) += SMLATB(E_j, F01) + SMLAD(E_j+1, F12)   (p1 f0 + p2 f1 + p3 f2)
 * 18 MACs in 12 multiply instructions.  The planes are stored by column
 * pair: entry (j, y) = (E_j, E_j+1) of padded row y, 8 bytes, so a sweep
 * down the image for one channel and one j reads three consecutive entries
 * (one LDRD each) and keeps no per-row state; its inner loop (filter and
 * bias doubled so nk_arm_requant_x2 requantizes in three instructions,
 * activation range [-128, 127]) is written in assembly because the
 * compiler spills the filter and splits the LDRDs: 32 instructions per two
 * outputs.  Other activation ranges or multipliers
 * use the same layout from C.  Odd widths end with a one-output sweep. */
#ifndef NK_ARM_DW3_BUF_WORDS
#define NK_ARM_DW3_BUF_WORDS 672 /* 2688 bytes: four planes of ceil(w/2) x (h+2) entries */
#endif

/* One sweep: constants first, in the order the assembly loads them. */
typedef struct dw3_sweep {
    uint32_t f01a, f12a;
    int32_t bias;
    uint32_t f01b, f12b, f01c, f12c;
    int32_t mult, hi0, sh;    /* offset 28: nk_arm_requant_x2 mult, c0, e (fast sweeps) */
    const uint32_t *q;        /* offset 40: entry (j, 0) */
    int8_t *o;                /* offset 44: output of row 0, column 2j */
    int32_t n, c_n, ostride;  /* offsets 48, 52, 56: rows, channels, bytes per output row */
    int32_t shift, lo, hi;    /* for the C sweeps */
} dw3_sweep;

#if defined(__GNUC__) && defined(__thumb2__)
#define NK_ARM_DW3_ASM 1
/* the assembly's view of dw3_sweep (a negative array size fails to build) */
typedef char dw3_layout_check[(offsetof(dw3_sweep, bias) == 8 && offsetof(dw3_sweep, f01b) == 12 &&
                               offsetof(dw3_sweep, mult) == 28 && offsetof(dw3_sweep, q) == 40 &&
                               offsetof(dw3_sweep, o) == 44 && offsetof(dw3_sweep, n) == 48 &&
                               offsetof(dw3_sweep, c_n) == 52 &&
                               offsetof(dw3_sweep, ostride) == 56)
                                  ? 1
                                  : -1];
/* Outputs 2j and 2j+1 of every row.  r0 = s. */
static __attribute__((naked, noinline)) void dw3_sweep_pair_asm(const dw3_sweep *s __attribute__((unused)))
{
    __asm__ volatile(
        "push   {r4-r11, lr}\n\t"
        "ldr    r1, [r0, #40]\n\t"
        "ldr    r2, [r0, #44]\n\t"
        "ldr    r3, [r0, #48]\n\t"
        "ldr    r11, [r0, #52]\n\t"
        "ldr    lr, [r0, #56]\n\t"
        "add    r12, r0, #28\n\t"
        "1:\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1], #32\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlatb r10, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlatb r10, r7, r4, r10\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "smlad  r10, r8, r5, r10\n\t"
        "ldm    r12, {r4, r5, r6}\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r7, r5, r10, asr #31\n\t"
        "smmlar r8, r10, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2, r11]\n\t"
        "add    r2, r2, lr\n\t"
        "subs   r3, r3, #1\n\t"
        "bne    1b\n\t"
        "pop    {r4-r11, pc}\n\t");
}

/* Output 2j alone (last column of an odd width).  r0 = s. */
static __attribute__((naked, noinline)) void dw3_sweep_one_asm(const dw3_sweep *s __attribute__((unused)))
{
    __asm__ volatile(
        "push   {r4-r11, lr}\n\t"
        "ldr    r1, [r0, #40]\n\t"
        "ldr    r2, [r0, #44]\n\t"
        "ldr    r3, [r0, #48]\n\t"
        "ldr    lr, [r0, #56]\n\t"
        "add    r12, r0, #28\n\t"
        "1:\n\t"
        "ldm    r0, {r4, r5, r6}\n\t"
        "ldrd   r7, r8, [r1], #32\n\t"
        "smlad  r9, r7, r4, r6\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r4, r5, [r0, #12]\n\t"
        "ldrd   r7, r8, [r1]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldrd   r4, r5, [r0, #20]\n\t"
        "ldrd   r7, r8, [r1, #32]\n\t"
        "smlad  r9, r7, r4, r9\n\t"
        "smlabt r9, r8, r5, r9\n\t"
        "ldm    r12, {r4, r5, r6}\n\t"
        "add    r7, r5, r9, asr #31\n\t"
        "smmlar r8, r9, r4, r7\n\t"
        "asr    r8, r8, r6\n\t"
        "ssat   r8, #8, r8\n\t"
        "strb   r8, [r2]\n\t"
        "add    r2, r2, lr\n\t"
        "subs   r3, r3, #1\n\t"
        "bne    1b\n\t"
        "pop    {r4-r11, pc}\n\t");
}
#else
#define NK_ARM_DW3_ASM 0
#endif

/* The same sweep in C: any activation range, nk_arm_requant_x2 (fast:
 * doubled filter and bias) or nk_arm_requant; two = 0 writes output 2j
 * only. */
static inline __attribute__((always_inline)) void dw3_sweep_c(const dw3_sweep *s, int two,
                                                              int fast)
{
    const uint32_t *q = s->q;
    int8_t *o = s->o;
    for (int32_t y = 0; y < s->n; ++y, q += 8, o += s->ostride) {
        int32_t a0 = __smlad(q[0], s->f01a, s->bias);
        int32_t a1 = __smlatb(q[0], s->f01a, s->bias);
        a0 = __smlabt(q[1], s->f12a, a0);
        a1 = __smlad(q[1], s->f12a, a1);
        a0 = __smlad(q[8], s->f01b, a0);
        a1 = __smlatb(q[8], s->f01b, a1);
        a0 = __smlabt(q[9], s->f12b, a0);
        a1 = __smlad(q[9], s->f12b, a1);
        a0 = __smlad(q[16], s->f01c, a0);
        a1 = __smlatb(q[16], s->f01c, a1);
        a0 = __smlabt(q[17], s->f12c, a0);
        a1 = __smlad(q[17], s->f12c, a1);
        if (fast) {
            a0 = nk_arm_requant_x2(a0, s->mult, s->hi0, s->sh);
            a1 = nk_arm_requant_x2(a1, s->mult, s->hi0, s->sh);
        } else {
            a0 = nk_arm_requant(a0, s->mult, s->shift) + s->hi0;
            a1 = nk_arm_requant(a1, s->mult, s->shift) + s->hi0;
        }
        o[0] = (int8_t)nk_clamp(a0, s->lo, s->hi);
        if (two)
            o[s->c_n] = (int8_t)nk_clamp(a1, s->lo, s->hi);
    }
}

static __attribute__((noinline)) void dw3_sweep_fast_c(const dw3_sweep *s, int two)
{
    if (two)
        dw3_sweep_c(s, 1, 1);
    else
        dw3_sweep_c(s, 0, 1);
}

static __attribute__((noinline)) void dw3_sweep_generic_c(const dw3_sweep *s, int two)
{
    if (two)
        dw3_sweep_c(s, 1, 0);
    else
        dw3_sweep_c(s, 0, 0);
}

static inline uint32_t dw3_pack(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
}

/* PKHBT lo, hi, LSL #16: (lo.bottom, hi.bottom); PKHTB hi, lo, ASR #16:
 * (lo.top, hi.top) as (bottom, top). */
static inline uint32_t dw3_pkhbt(uint32_t lo, uint32_t hi)
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

static inline uint32_t dw3_pkhtb(uint32_t hi, uint32_t lo)
{
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
    return r;
}

/* Channels c..c+3 of one image into the planes (rows 1..h; the padding
 * keeps the zero point written once per call).  Entry (j, y) of channel
 * c + k is the word pair at ((j * hp + y) * 4 + k) * 2: the four channels'
 * entries sit side by side, so one base pointer and immediate offsets reach
 * all of them.  Padded row p[i] = x[i - 1]; E_i = (x[2i-1], x[2i]) goes to
 * entry (i, y).first and entry (i - 1, y).second; ew = ceil(w/2). */
static void dw3_planes(const int8_t *in, int32_t in_h, int32_t in_w, int32_t c_n, int32_t ew,
                       int32_t hp, uint32_t zz, uint32_t *planes)
{
    const int32_t col = 8 * hp; /* words between entry columns */
    const size_t row = (size_t)in_w * c_n;
    /* column by column, down the rows: few live values, no per-row setup */
    {
        /* E_0 = (zp, x0) */
        const int8_t *src = in;
        uint32_t *d = planes + 8; /* entry (0, 1) */
        for (const uint32_t *const de = d + 8 * in_h; d < de; d += 8, src += row) {
            const uint32_t b = nk_arm_load32(src);
            const uint32_t b02 = (uint32_t)__sxtb16(b), b13 = (uint32_t)nk_arm_sxtb16_ror8(b);
            d[0] = dw3_pkhbt(zz, b02);
            d[2] = dw3_pkhbt(zz, b13);
            d[4] = dw3_pkhtb(b02, zz);
            d[6] = dw3_pkhtb(b13, zz);
        }
    }
    for (int32_t i = 1; i < ew; ++i) {
        /* E_i = (x[2i-1], x[2i]), both inside the row (2i < w) */
        const int8_t *src = in + (size_t)(2 * i - 1) * c_n;
        uint32_t *d = planes + 8 + i * col; /* entry (i, 1) */
        for (const uint32_t *const de = d + 8 * in_h; d < de; d += 8, src += row) {
            const uint32_t a = nk_arm_load32(src), b = nk_arm_load32(src + c_n);
            const uint32_t a02 = (uint32_t)__sxtb16(a), b02 = (uint32_t)__sxtb16(b);
            const uint32_t a13 = (uint32_t)nk_arm_sxtb16_ror8(a);
            const uint32_t b13 = (uint32_t)nk_arm_sxtb16_ror8(b);
            const uint32_t p0 = dw3_pkhbt(a02, b02), p1 = dw3_pkhbt(a13, b13);
            const uint32_t p2 = dw3_pkhtb(b02, a02), p3 = dw3_pkhtb(b13, a13);
            uint32_t *const d1 = d - col + 1; /* entry (i - 1, y).second */
            d[0] = p0;
            d[2] = p1;
            d[4] = p2;
            d[6] = p3;
            d1[0] = p0;
            d1[2] = p1;
            d1[4] = p2;
            d1[6] = p3;
        }
    }
    if (!(in_w & 1)) {
        /* even width: E_ew = (x[w-1], zp), second word of entry ew - 1 */
        const int8_t *src = in + (size_t)(in_w - 1) * c_n;
        uint32_t *d = planes + 8 + (ew - 1) * col + 1;
        for (const uint32_t *const de = d + 8 * in_h; d < de; d += 8, src += row) {
            const uint32_t a = nk_arm_load32(src);
            const uint32_t a02 = (uint32_t)__sxtb16(a), a13 = (uint32_t)nk_arm_sxtb16_ror8(a);
            d[0] = dw3_pkhbt(a02, zz);
            d[2] = dw3_pkhbt(a13, zz);
            d[4] = dw3_pkhtb(zz, a02);
            d[6] = dw3_pkhtb(zz, a13);
        }
    }
}

/* One channel's filter pairs and requantization constants into s; returns
 * 1 (fast: filter and bias doubled, nk_arm_requant_x2 constants) when the
 * multiplier and shift allow it and the doubled accumulator fits an int32:
 * |bias'| + 9 * 128 * max|x| < 2^30 (x an input value or the zero point). */
static __attribute__((noinline)) int dw3_setup(dw3_sweep *s, const int8_t *f, int32_t c_n,
                                               int32_t bias_v, int32_t zp, int32_t mult,
                                               int32_t shift, int32_t out_zp)
{
    const int32_t f0 = f[0], f1 = f[c_n], f2 = f[2 * c_n], f3 = f[3 * c_n], f4 = f[4 * c_n];
    const int32_t f5 = f[5 * c_n], f6 = f[6 * c_n], f7 = f[7 * c_n], f8 = f[8 * c_n];
    const int32_t fsum = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8;
    const int32_t b = (int32_t)((uint32_t)bias_v - (uint32_t)zp * (uint32_t)fsum);
    const uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
    const uint32_t xmax = zp < -128 ? (uint32_t)-zp : zp > 128 ? (uint32_t)zp : 128u;
    const int fast = nk_arm_requant_x2_ok(mult, shift, out_zp) && ub < (1u << 30) - 1152u * xmax;
    uint32_t w0 = dw3_pkhbt((uint32_t)f0, (uint32_t)f1), w1 = dw3_pkhbt((uint32_t)f1, (uint32_t)f2);
    uint32_t w2 = dw3_pkhbt((uint32_t)f3, (uint32_t)f4), w3 = dw3_pkhbt((uint32_t)f4, (uint32_t)f5);
    uint32_t w4 = dw3_pkhbt((uint32_t)f6, (uint32_t)f7), w5 = dw3_pkhbt((uint32_t)f7, (uint32_t)f8);
    s->mult = mult;
    s->shift = shift;
    if (fast) {
        w0 = (uint32_t)__sadd16(w0, w0); /* each halfword doubled (|2f| <= 256) */
        w1 = (uint32_t)__sadd16(w1, w1);
        w2 = (uint32_t)__sadd16(w2, w2);
        w3 = (uint32_t)__sadd16(w3, w3);
        w4 = (uint32_t)__sadd16(w4, w4);
        w5 = (uint32_t)__sadd16(w5, w5);
        s->bias = 2 * b;
        s->hi0 = nk_arm_requant_x2_c0(shift, out_zp);
        s->sh = -shift;
    } else {
        s->bias = b;
        s->hi0 = out_zp;
        s->sh = 0;
    }
    s->f01a = w0;
    s->f12a = w1;
    s->f01b = w2;
    s->f12b = w3;
    s->f01c = w4;
    s->f12c = w5;
    return fast;
}

static __attribute__((noinline)) int dw3x3_s1(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c, zp = p->in_zp;
    const int32_t ew = (in_w + 1) >> 1, hp = in_h + 2;
    if (p->filter_h != 3 || p->filter_w != 3 || p->stride_h != 1 || p->stride_w != 1 ||
        p->dilation_h != 1 || p->dilation_w != 1 || p->pad_top != 1 || p->pad_left != 1 ||
        p->out_h != in_h || p->out_w != in_w || (c_n & 3) || in_w < 1 || in_h < 1 ||
        (int64_t)8 * ew * hp > NK_ARM_DW3_BUF_WORDS || p->act_min < -128 || p->act_max > 127 ||
        zp < -32768 || zp > 32767)
        return NK_ERR_PARAMS;
    uint32_t planes[NK_ARM_DW3_BUF_WORDS];
    const uint32_t zz = dw3_pack(zp, zp);
    /* The padding, once: the entries of padded rows 0 and h + 1 and, for an
     * odd width, the second word of the last column (E_ew lies in the
     * padding); dw3_planes rewrites every other word for each group. */
    for (int32_t j = 0; j < ew; ++j) {
        uint32_t *const top = planes + 8 * hp * j, *const bottom = top + 8 * (hp - 1);
        for (int32_t i = 0; i < 8; ++i) {
            top[i] = zz;
            bottom[i] = zz;
        }
    }
    if (in_w & 1)
        for (int32_t y = 1; y <= in_h; ++y)
            for (int32_t k = 0; k < 4; ++k)
                planes[8 * (hp * (ew - 1) + y) + 2 * k + 1] = zz;
    const int full = p->act_min == -128 && p->act_max == 127;
    dw3_sweep s;
    s.n = in_h;
    s.c_n = c_n;
    s.ostride = in_w * c_n;
    s.lo = p->act_min;
    s.hi = p->act_max;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        int8_t *out_b = output + (size_t)b * in_h * in_w * c_n;
        for (int32_t c = 0; c < c_n; c += 4) {
            dw3_planes(in_b + c, in_h, in_w, c_n, ew, hp, zz, planes);
            for (int32_t k = 0; k < 4; ++k) {
                const int32_t oc = c + k;
                const int32_t q = p->per_channel ? oc : 0;
                const int fast = dw3_setup(&s, filter + oc, c_n, bias ? bias[oc] : 0, zp,
                                           p->out_mult[q], p->out_shift[q], p->out_zp);
                for (int32_t j = 0; j < ew; ++j) {
                    const int two = 2 * j + 1 < in_w;
                    s.q = planes + (j * hp * 4 + k) * 2;
                    s.o = out_b + oc + (size_t)2 * j * c_n;
#if NK_ARM_DW3_ASM
                    if (fast && full) {
                        if (two)
                            dw3_sweep_pair_asm(&s);
                        else
                            dw3_sweep_one_asm(&s);
                        continue;
                    }
#endif
                    if (fast)
                        dw3_sweep_fast_c(&s, two);
                    else
                        dw3_sweep_generic_c(&s, two);
                }
            }
        }
    }
    return NK_OK;
}

/* Any padding, stride and dilation: the taps inside the image listed once
 * per output pixel, four channels per word.  Out of line so its tap lists
 * and dw3x3_s1's planes are never on the stack together. */
static __attribute__((noinline)) int dw_general(const nk_conv_params *p, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias,
                                                int8_t *output)
{
    int32_t tap_in[NK_ARM_DW_MAX_TAPS], tap_f[NK_ARM_DW_MAX_TAPS];
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, zp = p->in_zp;
    const uint32_t off2 = nk_arm_offset2(zp);
    const nk_arm_conv_q q = nk_arm_conv_q_of(p, bias);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                /* the taps inside the image, as input/filter offsets (channel 0) */
                int32_t n_taps = 0;
                for (int32_t fy = 0; fy < fh; ++fy) {
                    const int32_t iy = y0 + p->dilation_h * fy;
                    if (iy < 0 || iy >= in_h)
                        continue;
                    for (int32_t fx = 0; fx < fw; ++fx) {
                        const int32_t ix = x0 + p->dilation_w * fx;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        tap_in[n_taps] = ((int32_t)iy * in_w + ix) * c_n;
                        tap_f[n_taps] = (fy * fw + fx) * c_n;
                        n_taps++;
                    }
                }
                int32_t c = 0;
                for (; c + 4 <= c_n; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    const int8_t *const ib = in_b + c, *const fb = filter + c;
                    const int32_t *ti = tap_in, *tf = tap_f;
                    for (const int32_t *const te = tap_in + n_taps; ti < te; ++ti, ++tf) {
                        const uint32_t xv = nk_arm_load32(ib + *ti);
                        const uint32_t fv = nk_arm_load32(fb + *tf);
                        const int32_t x02 = (int32_t)__sadd16(__sxtb16(xv), off2);
                        const int32_t x13 = (int32_t)__sadd16(nk_arm_sxtb16_ror8(xv), off2);
                        const int32_t f02 = (int32_t)__sxtb16(fv);
                        const int32_t f13 = nk_arm_sxtb16_ror8(fv);
                        a0 = __smlabb(x02, f02, a0);
                        a2 = __smlatt(x02, f02, a2);
                        a1 = __smlabb(x13, f13, a1);
                        a3 = __smlatt(x13, f13, a3);
                    }
                    out[c] = nk_arm_conv_q_out(&q, c, a0);
                    out[c + 1] = nk_arm_conv_q_out(&q, c + 1, a1);
                    out[c + 2] = nk_arm_conv_q_out(&q, c + 2, a2);
                    out[c + 3] = nk_arm_conv_q_out(&q, c + 3, a3);
                }
                for (; c < c_n; ++c) {
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < fw; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            acc += (int32_t)filter[((size_t)fy * fw + fx) * c_n + c] *
                                   ((int32_t)in_b[((size_t)iy * in_w + ix) * c_n + c] - zp);
                        }
                    }
                    out[c] = nk_arm_conv_q_out(&q, c, acc);
                }
            }
        }
    }
    return NK_OK;
}

int nk_depthwise_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output)
{
    if (p->depth_multiplier != 1 || p->filter_h * p->filter_w > NK_ARM_DW_MAX_TAPS)
        return NK_ERR_PARAMS;
    if (dw3x3_s1(p, input, filter, bias, output) == NK_OK)
        return NK_OK;
    return dw_general(p, input, filter, bias, output);
}

#else
typedef int nk_arm_depthwise_conv2d_unused; /* ISO C: no empty translation unit */
#endif
