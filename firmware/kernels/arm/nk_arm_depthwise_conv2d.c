/* firmware/kernels/arm/nk_arm_depthwise_conv2d.c — DEPTHWISE_CONV_2D int8
 * (depth multiplier 1) with the DSP extension.  Four adjacent channels are
 * one 32-bit word in NHWC input and in the [1][kh][kw][c] filter: SXTB16
 * splits both into lanes (0,2) and (1,3), SADD16 removes the input zero
 * point, and SMLABB/SMLATT accumulate each lane into its own channel, so the
 * four accumulators stay in registers across the filter taps (the taps
 * inside the image are listed once per output pixel): the general path.
 * 3x3 filters with dilation 1 and strides 1 or 2 (in_c % 4 == 0, int8 zero
 * point) take the planes below instead, except stride 2 both ways with the
 * activation range [-128, 127], which nk_arm_dw3_s2.c computes straight
 * from the input (docs/depthwise-m4.md compares the paths).  Other depth
 * multipliers and filters of more than NK_ARM_DW_MAX_TAPS taps return
 * NK_ERR_PARAMS here, writing nothing, and take the portable loop.
 * Bit-exact with ../nk_depthwise_conv2d.c (integer sums are exact). */
#include "nk_arm.h"

#include <stddef.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"
#include "../nk_conv_walk.h"

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
 * use the same layout from C.  Odd widths end with a one-output sweep.
 *
 * Any other 3x3 (strides 1 or 2 in each direction, any padding, images of
 * any size; MobileNet-style layers) uses the same entries tile by tile
 * (dw3x3): a tile is tj entries by the padded rows of th output rows, at
 * most NK_ARM_DW3_BUF_WORDS words for four channels, its shape chosen to
 * minimise the estimated building and call overhead (dw3_tile_shape).  With
 * p[i] the padded column i (input column i - pad_left, the zero point
 * outside), entry j holds (E_j, E_j+1): for stride_w 1 it serves outputs 2j
 * and 2j+1 as above, for stride_w 2 output j alone (the first formula);
 * for stride_h 2 a sweep steps two entry rows per output row (qstep). */
#ifndef NK_ARM_DW3_BUF_WORDS
#define NK_ARM_DW3_BUF_WORDS 672 /* 2688 bytes: four planes of ceil(w/2) x (h+2) entries */
#endif

#include "nk_arm_dw3.h"


/* The same sweep in C: any activation range, nk_arm_requant_x2 (fast:
 * doubled filter and bias) or nk_arm_requant; two = 0 writes output 2j
 * only. */
static inline __attribute__((always_inline)) void dw3_sweep_c(const dw3_sweep *s, int two,
                                                              int fast)
{
    const uint32_t *q = s->q;
    int8_t *o = s->o;
    const int32_t qs = s->qstep / 4;
    for (int32_t y = 0; y < s->n; ++y, q += qs, o += s->ostride) {
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

/* One E column of a tile: E_k = (p[2k], p[2k+1]) of every tile row, for the
 * four channels at `in` (padded column 2k is input column 2k - pad_left,
 * padded row r0 + rr input row r0 + rr - pad_top; outside the image the
 * source is zw, four bytes of the zero point, so the plane holds zp).  The
 * value goes to entry (k - j0).first and entry (k - j0 - 1).second, `off`
 * words after it (off 0 at the tile's first and last column: one target). */
static inline __attribute__((always_inline)) void dw3_put4(uint32_t *d, int32_t off, uint32_t va,
                                                           uint32_t vb, int two)
{
    /* bytes (a0 a1 b0 b1) and (a2 a3 b2 b3); SXTB16 (ror 0, 8) of those
     * gives (a0, b0) .. (a3, b3): two PKH instead of four */
    const uint32_t lo = nk_arm_pkhbt(va, vb), hi = nk_arm_pkhtb(vb, va);
    const uint32_t p0 = (uint32_t)__sxtb16(lo), p1 = (uint32_t)nk_arm_sxtb16_ror8(lo);
    const uint32_t p2 = (uint32_t)__sxtb16(hi), p3 = (uint32_t)nk_arm_sxtb16_ror8(hi);
    d[0] = p0;
    d[2] = p1;
    d[4] = p2;
    d[6] = p3;
    if (two) {
        uint32_t *const d2 = d + off;
        d2[0] = p0;
        d2[2] = p1;
        d2[4] = p2;
        d2[6] = p3;
    }
}

/* n rows of an image column pair (p[2k] at src, p[2k+1] at src + c_n) */
static inline __attribute__((always_inline)) void dw3_put_img(const int8_t *src, int32_t row,
                                                              int32_t c_n, int32_t n, uint32_t *d,
                                                              int32_t off, int two)
{
    for (const uint32_t *const de = d + 8 * n; d < de; d += 8, src += row)
        dw3_put4(d, off, nk_arm_load32(src), nk_arm_load32(src + c_n), two);
}

/* n rows of an edge E column: (zp, x) (zp_first) or (x, zp), x the four
 * channels at src (rows row bytes apart), to d (entries 8 words apart) */
static inline __attribute__((always_inline)) void dw3_put_edge(const int8_t *src, size_t row,
                                                               int32_t n, uint32_t *d,
                                                               uint32_t zz, const int zp_first)
{
    for (const uint32_t *const de = d + 8 * n; d < de; d += 8, src += row) {
        const uint32_t a = nk_arm_load32(src);
        const uint32_t a02 = (uint32_t)__sxtb16(a), a13 = (uint32_t)nk_arm_sxtb16_ror8(a);
        d[0] = zp_first ? nk_arm_pkhbt(zz, a02) : nk_arm_pkhbt(a02, zz);
        d[2] = zp_first ? nk_arm_pkhbt(zz, a13) : nk_arm_pkhbt(a13, zz);
        d[4] = zp_first ? nk_arm_pkhtb(a02, zz) : nk_arm_pkhtb(zz, a02);
        d[6] = zp_first ? nk_arm_pkhtb(a13, zz) : nk_arm_pkhtb(zz, a13);
    }
}

/* Channels c..c+3 of in_h input rows into the planes (from `planes`, the
 * entry (0, y0) of the first of them; the padding rows keep the zero point
 * written once per call).  Entry (j, y) of channel
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
    /* E_0 = (zp, x0), to entry (0, y0) */
    dw3_put_edge(in, row, in_h, planes, zz, 1);
    for (int32_t i = 1; i < ew; ++i) {
        /* E_i = (x[2i-1], x[2i]), both inside the row (2i < w) */
        /* to entry (i, y0).first and entry (i - 1, y0).second */
        dw3_put_img(in + (size_t)(2 * i - 1) * c_n, (int32_t)row, c_n, in_h, planes + i * col,
                    1 - col, 1);
    }
    if (!(in_w & 1)) /* even width: E_ew = (x[w-1], zp), second word of entry ew - 1 */
        dw3_put_edge(in + (size_t)(in_w - 1) * c_n, row, in_h, planes + (ew - 1) * col + 1, zz, 0);
}

static __attribute__((noinline)) void dw3_put_img2(const int8_t *src, int32_t row, int32_t c_n,
                                                   int32_t n, uint32_t *d, int32_t off)
{
    dw3_put_img(src, row, c_n, n, d, off, 1);
}

static __attribute__((noinline)) void dw3_put_img1(const int8_t *src, int32_t row, int32_t c_n,
                                                   int32_t n, uint32_t *d)
{
    dw3_put_img(src, row, c_n, n, d, 0, 0);
}

/* n rows with fixed or mixed sources: a (step sa) and b (step sb), zw with
 * step 0 for padding */
static __attribute__((noinline)) void dw3_put_mixed(const int8_t *a, int32_t sa, const int8_t *b,
                                                    int32_t sb, int32_t n, uint32_t *d,
                                                    int32_t off)
{
    if (off)
        for (int32_t i = 0; i < n; ++i, a += sa, b += sb, d += 8)
            dw3_put4(d, off, nk_arm_load32(a), nk_arm_load32(b), 1);
    else
        for (int32_t i = 0; i < n; ++i, a += sa, b += sb, d += 8)
            dw3_put4(d, 0, nk_arm_load32(a), nk_arm_load32(b), 0);
}

/* The geometry of one call (3x3 filter, dilation 1, strides 1 or 2). */
typedef struct dw3_geom {
    int32_t in_h, in_w, c_n, pt, pl, sh, sw, out_h, out_w;
    int32_t nj; /* entries: ceil(out_w / 2) for stride_w 1, out_w for 2 */
} dw3_geom;

/* Planes of one tile: entries j0 .. j0 + tj - 1 (E columns j0 .. j0 + tj),
 * padded rows r0 .. r0 + nr - 1, four channels at `in` (the batch image
 * plus the channel offset); entry (jj, rr) of lane k at words
 * ((jj * nr + rr) * 4 + k) * 2.  zw: four zero-point bytes.  The words
 * that hold only padding are the same for every channel group: written
 * when `pads` is set (the tile's first group). */
static void dw3_tile_planes(const dw3_geom *g, const int8_t *in, const int8_t *zw, int32_t j0,
                            int32_t tj, int32_t r0, int32_t nr, int pads, uint32_t *planes)
{
    const int32_t row = g->in_w * g->c_n, col = 8 * nr;
    /* tile rows [y0, y1) lie inside the image */
    int32_t y0 = g->pt - r0, y1 = g->in_h + g->pt - r0;
    y0 = y0 < 0 ? 0 : y0 > nr ? nr : y0;
    y1 = y1 > nr ? nr : y1 < y0 ? y0 : y1;
    const int8_t *const rowp = in + (ptrdiff_t)(r0 + y0 - g->pt) * row;
    for (int32_t k = j0; k <= j0 + tj; ++k) {
        const int32_t xa = 2 * k - g->pl, xb = xa + 1;
        const int ina = xa >= 0 && xa < g->in_w, inb = xb >= 0 && xb < g->in_w;
        /* first target and the offset of the second (0: only one) */
        uint32_t *d;
        int32_t off;
        if (k == j0) {
            d = planes;
            off = 0;
        } else if (k == j0 + tj) {
            d = planes + (size_t)(k - j0 - 1) * col + 1;
            off = 0;
        } else {
            d = planes + (size_t)(k - j0) * col;
            off = 1 - col;
        }
        if (pads && y0 > 0)
            dw3_put_mixed(zw, 0, zw, 0, y0, d, off);
        if (y1 > y0) {
            uint32_t *const di = d + 8 * y0;
            if (!ina && !inb) {
                if (pads)
                    dw3_put_mixed(zw, 0, zw, 0, y1 - y0, di, off);
            } else if (ina && inb) {
                const int8_t *const src = rowp + (ptrdiff_t)xa * g->c_n;
                if (off)
                    dw3_put_img2(src, row, g->c_n, y1 - y0, di, off);
                else
                    dw3_put_img1(src, row, g->c_n, y1 - y0, di);
            } else {
                dw3_put_mixed(ina ? rowp + (ptrdiff_t)xa * g->c_n : zw, ina ? row : 0,
                              inb ? rowp + (ptrdiff_t)xb * g->c_n : zw, inb ? row : 0, y1 - y0,
                              di, off);
            }
        }
        if (pads && nr > y1)
            dw3_put_mixed(zw, 0, zw, 0, nr - y1, d + 8 * y1, off);
    }
}

/* What dw3_setup needs of the layer, once per call: the input zero point,
 * the output zero point's requantization term and the largest |bias'|
 * for which the doubled accumulator fits an int32. */
typedef struct dw3_layer {
    int32_t zp, zp1;  /* in_zp; 1 + 2 out_zp (nk_arm_requant_x2_c0 = zp1 << (e - 1)) */
    int32_t out_zp;
    uint32_t bmax;    /* 0: no fast requantization (out_zp outside [-128, 128]) */
} dw3_layer;

static dw3_layer dw3_layer_of(int32_t zp, int32_t out_zp)
{
    /* |bias'| + 9 * 128 * max|x| < 2^30 (x an input value or the zero point) */
    const uint32_t xmax = zp < -128 ? (uint32_t)-zp : zp > 128 ? (uint32_t)zp : 128u;
    const dw3_layer l = {zp, 1 + 2 * out_zp, out_zp,
                         out_zp >= -128 && out_zp <= 128 ? (1u << 30) - 1152u * xmax : 0u};
    return l;
}

/* One channel's filter pairs and requantization constants into s; returns
 * 1 (fast: filter and bias doubled, nk_arm_requant_x2 constants) when the
 * multiplier and shift allow it (nk_arm_requant_x2_ok) and the doubled
 * accumulator fits an int32 (|bias'| < l->bmax). */
static __attribute__((noinline)) int dw3_setup(dw3_sweep *s, const int8_t *f, int32_t c_n,
                                               int32_t bias_v, const dw3_layer *l,
                                               int32_t mult, int32_t shift)
{
    const int32_t f0 = f[0], f1 = f[c_n], f2 = f[2 * c_n];
    f += 3 * c_n;
    const int32_t f3 = f[0], f4 = f[c_n], f5 = f[2 * c_n];
    f += 3 * c_n;
    const int32_t f6 = f[0], f7 = f[c_n], f8 = f[2 * c_n];
    const int32_t fsum = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8;
    const int32_t b = (int32_t)((uint32_t)bias_v - (uint32_t)l->zp * (uint32_t)fsum);
    const uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
    const int fast = mult > (1 << 30) && (uint32_t)(shift + 22) <= 20u && ub < l->bmax;
    uint32_t w0 = nk_arm_pkhbt((uint32_t)f0, (uint32_t)f1), w1 = nk_arm_pkhbt((uint32_t)f1, (uint32_t)f2);
    uint32_t w2 = nk_arm_pkhbt((uint32_t)f3, (uint32_t)f4), w3 = nk_arm_pkhbt((uint32_t)f4, (uint32_t)f5);
    uint32_t w4 = nk_arm_pkhbt((uint32_t)f6, (uint32_t)f7), w5 = nk_arm_pkhbt((uint32_t)f7, (uint32_t)f8);
    s->mult = mult;
    s->shift = shift;
    if (fast) {
        w0 = (uint32_t)__sadd16(w0, w0); /* each halfword doubled (|2f| <= 256) */
        w1 = (uint32_t)__sadd16(w1, w1);
        w2 = (uint32_t)__sadd16(w2, w2);
        w3 = (uint32_t)__sadd16(w3, w3);
        w4 = (uint32_t)__sadd16(w4, w4);
        w5 = (uint32_t)__sadd16(w5, w5);
        s->bias = (int32_t)((uint32_t)b << 1);
        s->hi0 = (int32_t)((uint32_t)l->zp1 << (-shift - 1)); /* nk_arm_requant_x2_c0 */
        s->sh = -shift;
    } else {
        s->bias = b;
        s->hi0 = l->out_zp;
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

/* dw3_setup of output channel oc of the layer */
static inline __attribute__((always_inline)) int dw3_setup_oc(dw3_sweep *s,
                                                              const nk_conv_params *p,
                                                              const int8_t *filter,
                                                              const int32_t *bias,
                                                              const dw3_layer *l, int32_t oc)
{
    const int32_t q = p->per_channel ? oc : 0;
    return dw3_setup(s, filter + oc, p->in_c, bias ? bias[oc] : 0, l, p->out_mult[q],
                     p->out_shift[q]);
}

/* The fields of a sweep that stay for the whole call: output row stride
 * (output columns of in_c bytes) and entry row step of qstep bytes */
static inline void dw3_sweep_init(dw3_sweep *s, const nk_conv_params *p, int32_t out_w,
                                  int32_t qstep)
{
    s->c_n = p->in_c;
    s->ostride = out_w * p->in_c;
    s->qstep = qstep;
    s->lo = p->act_min;
    s->hi = p->act_max;
}

/* 3x3, stride 1, padding of one on the left and right (kws DS-CNN), the
 * whole image in one set of planes: the planes of the whole image for four
 * channels at a time, the padding written once per call (fewer
 * instructions than the tiled path below on such small images).  Also a
 * band of rows (banded execution, nk.h): any pad_top up to 2 and any
 * out_h; padded row y of the planes is input row y - pad_top, the zero
 * point outside [0, in_h), as the portable loop reads it. */
static __attribute__((noinline)) int dw3x3_s1(const nk_conv_params *p, const int8_t *input,
                                              const int8_t *filter, const int32_t *bias,
                                              int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c, zp = p->in_zp;
    const int32_t out_h = p->out_h, pt = p->pad_top;
    const int32_t ew = (in_w + 1) >> 1, hp = out_h + 2;
    /* input rows in the planes: padded rows pt .. pt + nin - 1 */
    const int32_t nin = in_h < hp - pt ? in_h : hp - pt;
    if (p->filter_h != 3 || p->filter_w != 3 || p->stride_h != 1 || p->stride_w != 1 ||
        p->dilation_h != 1 || p->dilation_w != 1 || pt < 0 || pt > 2 || p->pad_left != 1 ||
        out_h < 1 || p->out_w != in_w || (c_n & 3) || in_w < 1 || in_h < 1 || nin < 1 ||
        (int64_t)8 * ew * hp > NK_ARM_DW3_BUF_WORDS || p->act_min < -128 || p->act_max > 127 ||
        zp < -32768 || zp > 32767)
        return NK_ERR_PARAMS;
    uint32_t planes[NK_ARM_DW3_BUF_WORDS];
    const uint32_t zz = dw3_pack(zp, zp);
    /* The padding, once: the entries of the padded rows outside the input
     * (row 0 and h + 1 of a whole image) and, for an odd width, the second
     * word of the last column (E_ew lies in the padding); dw3_planes
     * rewrites every other word for each group. */
    for (int32_t j = 0; j < ew; ++j) {
        uint32_t *const col = planes + 8 * hp * j;
        for (int32_t y = 0; y < hp; ++y) {
            if (y == pt) /* the input rows: dw3_planes */
                y += nin;
            if (y < hp) {
                uint32_t *const e = col + 8 * y;
                e[0] = zz;
                e[1] = zz;
                e[2] = zz;
                e[3] = zz;
                e[4] = zz;
                e[5] = zz;
                e[6] = zz;
                e[7] = zz;
            }
        }
    }
    if (in_w & 1)
        for (int32_t y = pt; y < pt + nin; ++y)
            for (int32_t k = 0; k < 4; ++k)
                planes[8 * (hp * (ew - 1) + y) + 2 * k + 1] = zz;
    const int full = p->act_min == -128 && p->act_max == 127;
    const dw3_layer lay = dw3_layer_of(zp, p->out_zp);
    dw3_sweep s;
    s.n = out_h;
    dw3_sweep_init(&s, p, in_w, 32);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        int8_t *out_b = output + (size_t)b * out_h * in_w * c_n;
        for (int32_t c = 0; c < c_n; c += 4) {
            dw3_planes(in_b + c, nin, in_w, c_n, ew, hp, zz, planes + 8 * pt);
            for (int32_t k = 0; k < 4; ++k) {
                const int32_t oc = c + k;
                const int fast = dw3_setup_oc(&s, p, filter, bias, &lay, oc);
                for (int32_t j = 0; j < ew; ++j) {
                    const int two = 2 * j + 1 < in_w;
                    s.q = planes + (j * hp * 4 + k) * 2;
                    s.o = out_b + oc + (size_t)2 * j * c_n;
#if NK_ARM_DW3_ASM
                    if (fast && full) {
                        if (two) {
                            nk_arm_dw3_pair2(&s);
                        } else {
                            nk_arm_dw3_one_r2(&s);
                        }
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

/* Tile shape (entries tj, output rows th) for planes of at most
 * NK_ARM_DW3_BUF_WORDS words: the least estimated work of building the
 * planes (E columns and padded rows, halos included) and calling the
 * sweeps, per image. */
static void dw3_tile_shape(const dw3_geom *g, int32_t *tj_out, int32_t *th_out)
{
    const int32_t cap = NK_ARM_DW3_BUF_WORDS / 8; /* entries x rows */
    int64_t best = -1;
    *tj_out = 1;
    *th_out = 1;
    for (int32_t tj = 1; tj <= g->nj && 3 * tj <= cap; ++tj) {
        int32_t th = (cap / tj - 3) / g->sh + 1;
        th = th > g->out_h ? g->out_h : th;
        const int32_t ny = (g->out_h + th - 1) / th, nx = (g->nj + tj - 1) / tj;
        th = (g->out_h + ny - 1) / ny; /* balanced */
        const int32_t nr = (th - 1) * g->sh + 3;
        /* ~20 instructions per E row (four channels), ~80 per sweep call
         * set (four channels) */
        const int64_t cost = (int64_t)nx * ny * ((int64_t)(tj + 1) * nr * 20 + (int64_t)tj * 80);
        if (best < 0 || cost < best) {
            best = cost;
            *tj_out = tj;
            *th_out = th;
        }
    }
}

/* Sweeps of one tile for the four channels of s[] (entries j0.., output
 * rows oy0.. oy0 + th - 1). */
static void dw3_tile_sweeps(const dw3_geom *g, dw3_sweep *s, const int *fast, int full,
                            const uint32_t *planes, int32_t j0, int32_t tj, int32_t oy0,
                            int32_t th, int32_t nr, int8_t *out)
{
    for (int32_t k = 0; k < 4; ++k) {
        dw3_sweep *const sk = &s[k];
        sk->n = th;
        for (int32_t jj = 0; jj < tj; ++jj) {
            const int32_t ox = g->sw == 1 ? 2 * (j0 + jj) : j0 + jj;
            const int two = g->sw == 1 && ox + 1 < g->out_w;
            sk->q = planes + ((size_t)jj * nr * 4 + k) * 2;
            sk->o = out + ((size_t)oy0 * g->out_w + ox) * g->c_n + k;
#if NK_ARM_DW3_ASM
            if (fast[k] && full) {
                if (g->sw == 2 && jj + 1 < tj) {
                    /* outputs j and j + 1 */
                    sk->q2 = sk->q + (size_t)nr * 8 + 1;
                    if (g->sh == 1)
                        nk_arm_dw3_s2pair(sk);
                    else
                        nk_arm_dw3_s2pair2(sk);
                    ++jj;
                } else if (two && g->sh == 1) {
                    nk_arm_dw3_pair2(sk);
                } else if (!two) {
                    if (g->sh == 1) {
                        nk_arm_dw3_one_r2(sk);
                    } else {
                        nk_arm_dw3_one2(sk);
                    }
                } else {
                    dw3_sweep_fast_c(sk, 1);
                }
                continue;
            }
#endif
            if (fast[k])
                dw3_sweep_fast_c(sk, two);
            else
                dw3_sweep_generic_c(sk, two);
        }
    }
}

/* 3x3, dilation 1, strides 1 or 2 (each), any padding, in_c % 4 == 0,
 * int8 zero point: the planes tile by tile, four channels at a time. */
static __attribute__((noinline)) int dw3x3(const nk_conv_params *p, const int8_t *input,
                                           const int8_t *filter, const int32_t *bias,
                                           int8_t *output)
{
    const int32_t c_n = p->in_c, zp = p->in_zp;
    if (p->filter_h != 3 || p->filter_w != 3 || p->dilation_h != 1 || p->dilation_w != 1 ||
        p->stride_h < 1 || p->stride_h > 2 || p->stride_w < 1 || p->stride_w > 2 ||
        p->pad_top < 0 || p->pad_left < 0 || (c_n & 3) || c_n < 4 || p->in_w < 1 ||
        p->in_h < 1 || p->out_h < 1 || p->out_w < 1 || p->act_min < -128 || p->act_max > 127 ||
        zp < -128 || zp > 127)
        return NK_ERR_PARAMS;
    dw3_geom g = {p->in_h,    p->in_w,     c_n,      p->pad_top, p->pad_left,
                  p->stride_h, p->stride_w, p->out_h, p->out_w,   0};
    g.nj = g.sw == 1 ? (g.out_w + 1) >> 1 : g.out_w;
    int32_t tj, th;
    dw3_tile_shape(&g, &tj, &th);
    uint32_t planes[NK_ARM_DW3_BUF_WORDS];
    const uint32_t zwv = (uint32_t)(uint8_t)zp * 0x01010101u;
    int8_t zw[4];
    memcpy(zw, &zwv, 4);
    const int full = p->act_min == -128 && p->act_max == 127;
    const dw3_layer lay = dw3_layer_of(zp, p->out_zp);
    dw3_sweep s[4];
    int fast[4];
    for (int32_t k = 0; k < 4; ++k)
        dw3_sweep_init(&s[k], p, g.out_w, 32 * g.sh);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * g.in_h * g.in_w * c_n;
        int8_t *out_b = output + (size_t)b * g.out_h * g.out_w * c_n;
        /* tile by tile (padding words written once per tile), then four
         * channels at a time */
        for (int32_t oy0 = 0; oy0 < g.out_h; oy0 += th) {
            const int32_t nh = g.out_h - oy0 < th ? g.out_h - oy0 : th;
            const int32_t nr = (nh - 1) * g.sh + 3;
            for (int32_t j0 = 0; j0 < g.nj; j0 += tj) {
                const int32_t nw = g.nj - j0 < tj ? g.nj - j0 : tj;
                for (int32_t c = 0; c < c_n; c += 4) {
                    for (int32_t k = 0; k < 4; ++k)
                        fast[k] = dw3_setup_oc(&s[k], p, filter, bias, &lay, c + k);
                    dw3_tile_planes(&g, in_b + c, zw, j0, nw, oy0 * g.sh, nr, c == 0, planes);
                    dw3_tile_sweeps(&g, s, fast, full, planes, j0, nw, oy0, nh, nr, out_b + c);
                }
            }
        }
    }
    return NK_OK;
}

/* dw_general's list of the taps inside the image of the pixel at hand, as
 * input and filter offsets of channel 0 */
typedef struct dw_gen_taps {
    int32_t *in, *f;
    int32_t c_n, n;
} dw_gen_taps;

static inline __attribute__((always_inline)) void dw_gen_tap(void *ctx, size_t in, int32_t f)
{
    dw_gen_taps *t = (dw_gen_taps *)ctx;
    t->in[t->n] = (int32_t)in;
    t->f[t->n] = f * t->c_n;
    t->n++;
}

/* Any padding, stride and dilation: the taps inside the image listed once
 * per output pixel, four channels per word.  Out of line so its tap lists
 * and dw3x3_s1's planes are never on the stack together. */
static __attribute__((noinline)) int dw_general(const nk_conv_params *p, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias,
                                                int8_t *output)
{
    int32_t tap_in[NK_ARM_DW_MAX_TAPS], tap_f[NK_ARM_DW_MAX_TAPS];
    const int32_t in_h = p->in_h, in_w = p->in_w, c_n = p->in_c, zp = p->in_zp;
    const uint32_t off2 = nk_arm_offset2(zp);
    const nk_arm_conv_q q = nk_arm_conv_q_of(p, bias);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * c_n;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
                const nk_conv_px px = {0, 0, y0, x0};
                dw_gen_taps taps = {tap_in, tap_f, c_n, 0};
                nk_conv_taps(p, &px, dw_gen_tap, &taps);
                const int32_t n_taps = taps.n;
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
                /* the channels left: the same taps, one channel at a time */
                for (; c < c_n; ++c) {
                    int32_t acc = 0;
                    for (int32_t t = 0; t < n_taps; ++t)
                        acc += (int32_t)filter[tap_f[t] + c] * ((int32_t)in_b[tap_in[t] + c] - zp);
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
#if NK_ARM_DW3_ASM
    if (nk_arm_dw3_s2_direct(p, input, filter, bias, output) == NK_OK)
        return NK_OK;
#endif
    if (dw3x3(p, input, filter, bias, output) == NK_OK)
        return NK_OK;
    return dw_general(p, input, filter, bias, output);
}

#else
typedef int nk_arm_depthwise_conv2d_unused; /* ISO C: no empty translation unit */
#endif
