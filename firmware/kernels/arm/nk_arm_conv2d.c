/* firmware/kernels/arm/nk_arm_conv2d.c — CONV_2D int8 with the DSP
 * extension, two strategies:
 *  - patch (filter_h * filter_w * in_c <= NK_ARM_PATCH_MAX): per output
 *    pixel the receptive field is gathered once as int16 (x - zp), 0 for
 *    padding taps, each group of four stored in SXTB16 lane order
 *    (0,2,1,3); then every output channel is a straight SMLAD dot product
 *    against its OHWI filter row (two channels per pass).  The patch lives
 *    on the stack (2 * NK_ARM_PATCH_MAX bytes).
 *  - runs (larger patches): for each filter row, the taps inside the image
 *    are one contiguous run in input and filter (dilation_w == 1), one dot
 *    product per run.
 * Bit-exact with ../nk_conv2d.c (integer sums are exact). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"

/* Requantization constants copied out of the parameter block once: the
 * int8 output stores may alias anything, so reading them through p after
 * each store would reload every field. */
typedef struct conv_q {
    const int32_t *bias, *mult, *shift;
    int32_t q_step; /* 1 per channel, 0 per tensor */
    int32_t zp, lo, hi;
} conv_q;

static inline conv_q conv_q_of(const nk_conv_params *p, const int32_t *bias)
{
    const conv_q q = {.bias = bias, .mult = p->out_mult, .shift = p->out_shift,
                      .q_step = p->per_channel ? 1 : 0, .zp = p->out_zp, .lo = p->act_min,
                      .hi = p->act_max};
    return q;
}

static inline int8_t conv_out(const conv_q *q, int32_t oc, int32_t acc)
{
    if (q->bias)
        acc += q->bias[oc];
    const int32_t k = oc * q->q_step;
    acc = nk_arm_requant(acc, q->mult[k], q->shift[k]) + q->zp;
    return (int8_t)nk_clamp(acc, q->lo, q->hi);
}

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

static inline int conv_rq_of(const conv_q *q, int32_t oc, conv_rq *r)
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

#ifndef NK_ARM_PATCH_MAX
#define NK_ARM_PATCH_MAX 1152
#endif

/* Block layout of the patch buffer: the receptive fields of np (1, 2 or
 * 4) output pixels are gathered as int16 (x - zp, 0 for padding and for
 * the taps that round the patch length up to a multiple of 4), interleaved
 * by groups of four taps: group g of pixel j occupies the four halfwords
 * at (g * np + j) * 4, in SXTB16 lane order (taps 0,2 then 1,3).  The
 * kernels then walk the buffer strictly sequentially (one LDRD per pixel
 * and group) while each weight word is loaded and unpacked once for all
 * np pixels. */
static const uint8_t conv_lane[4] = {0, 2, 1, 3};

/* Scatters tap k .. k + n - 1 (input bytes src, in bounds) or zeros
 * (src == NULL) of one pixel: dst0 is that pixel's first group. */
static void gather_taps(int16_t *dst0, int32_t stride, int32_t k, int32_t n, const int8_t *src,
                        int32_t zp)
{
    int16_t *g = dst0 + (k >> 2) * stride;
    int32_t j = k & 3;
    for (int32_t i = 0; i < n; ++i) {
        g[conv_lane[j]] = (int16_t)(src ? (int32_t)src[i] - zp : 0);
        if (++j == 4) {
            j = 0;
            g += stride;
        }
    }
}

/* Gathers the receptive field of the output pixel with top-left input
 * corner (y0, x0) into the block buffer (dst0 = its first group, groups
 * stride halfwords apart). */
static void gather_block_pixel(const nk_conv_params *p, const int8_t *in_b, int32_t y0,
                               int32_t x0, int16_t *dst0, int32_t stride, int32_t len,
                               int32_t lenp, uint32_t off2)
{
    const int32_t in_c = p->in_c, fw = p->filter_w, run = fw * in_c;
    const int32_t zp = p->in_zp;
    /* whole filter rows are contiguous runs when dilation_w == 1; when the
     * run length is a multiple of 4 they start on group boundaries */
    const int words = p->dilation_w == 1 && (run & 3) == 0;
    int32_t k = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + p->dilation_h * fy;
        const int row_in = iy >= 0 && iy < p->in_h;
        const int8_t *row = in_b + (size_t)iy * p->in_w * in_c;
        if (words && row_in && x0 >= 0 && x0 + fw <= p->in_w) {
            const int8_t *ip = row + (size_t)x0 * in_c;
            int16_t *g = dst0 + (k >> 2) * stride;
            for (int32_t i = 0; i < run; i += 4, g += stride) {
                const uint32_t xv = nk_arm_load32(ip + i);
                const int16x2_t x02 = __sadd16(__sxtb16(xv), off2);
                const int16x2_t x13 = __sadd16(nk_arm_sxtb16_ror8(xv), off2);
                memcpy(g, &x02, 4);
                memcpy(g + 2, &x13, 4);
            }
            k += run;
            continue;
        }
        for (int32_t fx = 0; fx < fw; ++fx, k += in_c) {
            const int32_t ix = x0 + p->dilation_w * fx;
            const int inside = row_in && ix >= 0 && ix < p->in_w;
            gather_taps(dst0, stride, k, in_c, inside ? row + (size_t)ix * in_c : NULL, zp);
        }
    }
    if (lenp > len)
        gather_taps(dst0, stride, len, lenp - len, NULL, zp);
}

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

#define CONV_K4_GROUP                                                                          \
    "ldr r12, [r1], #4\n\t"                                                                    \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "sxtb16 lr, r12, ror #8\n\t"                                                               \
    "sxtb16 r12, r12\n\t"                                                                      \
    "smlad r8, r4, r12, r8\n\t"                                                                \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smlad r9, r6, r12, r9\n\t"                                                                \
    "smlad r9, r7, lr, r9\n\t"                                                                 \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "smlad r10, r4, r12, r10\n\t"                                                              \
    "smlad r10, r5, lr, r10\n\t"                                                               \
    "smlad r11, r6, r12, r11\n\t"                                                              \
    "smlad r11, r7, lr, r11\n\t"

#define CONV_UNUSED __attribute__((unused))
__attribute__((naked, noinline)) void nk_arm_conv_k4(CONV_UNUSED const int16_t *x,
                                                     CONV_UNUSED const int8_t *w,
                                                     CONV_UNUSED int32_t ng,
                                                     CONV_UNUSED int32_t *a)
{
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "ldm r3, {r8-r11}\n\t"
                     "lsrs r2, r2, #1\n\t"
                     "bcc 1f\n\t" CONV_K4_GROUP "1:\n\t"
                     "cbz r2, 3f\n"
                     "2:\n\t" CONV_K4_GROUP CONV_K4_GROUP "subs r2, r2, #1\n\t"
                     "bne 2b\n"
                     "3:\n\t"
                     "stm r3, {r8-r11}\n\t"
                     "pop {r4-r11, pc}\n\t");
}

#define CONV_K2_GROUP                                                                          \
    "ldr r12, [r1], #4\n\t"                                                                    \
    "ldm r0!, {r4-r7}\n\t"                                                                     \
    "sxtb16 lr, r12, ror #8\n\t"                                                               \
    "sxtb16 r12, r12\n\t"                                                                      \
    "smlad r8, r4, r12, r8\n\t"                                                                \
    "smlad r8, r5, lr, r8\n\t"                                                                 \
    "smlad r9, r6, r12, r9\n\t"                                                                \
    "smlad r9, r7, lr, r9\n\t"

__attribute__((naked, noinline)) void nk_arm_conv_k2(CONV_UNUSED const int16_t *x,
                                                     CONV_UNUSED const int8_t *w,
                                                     CONV_UNUSED int32_t ng,
                                                     CONV_UNUSED int32_t *a)
{
    __asm__ volatile("push {r4-r9, lr}\n\t"
                     "ldm r3, {r8-r9}\n\t"
                     "lsrs r2, r2, #1\n\t"
                     "bcc 1f\n\t" CONV_K2_GROUP "1:\n\t"
                     "cbz r2, 3f\n"
                     "2:\n\t" CONV_K2_GROUP CONV_K2_GROUP "subs r2, r2, #1\n\t"
                     "bne 2b\n"
                     "3:\n\t"
                     "stm r3, {r8-r9}\n\t"
                     "pop {r4-r9, pc}\n\t");
}
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

static int conv_patch(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output)
{
    uint32_t buf32[NK_ARM_PATCH_MAX / 2]; /* word aligned for LDM */
    int16_t *const buf = (int16_t *)buf32;
    const int32_t len = p->filter_h * p->filter_w * p->in_c;
    const int32_t ngf = len >> 2, rem = len & 3, lenp = (len + 3) & ~3;
    const int32_t np = 4 * lenp <= NK_ARM_PATCH_MAX ? 4 : 2 * lenp <= NK_ARM_PATCH_MAX ? 2 : 1;
    const int32_t stride = 4 * np, out_c = p->out_c, out_w = p->out_w;
    const int32_t npix = p->out_h * out_w;
    const conv_q q = conv_q_of(p, bias);
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * npix * out_c;
        for (int32_t pix = 0; pix < npix; pix += np) {
            const int32_t nv = npix - pix < np ? npix - pix : np;
            /* gather nv pixels; a short last block repeats its last pixel */
#ifdef CONV_EXP_NOGATHER
            if (pix == 0)
#endif
            for (int32_t j = 0; j < np; ++j) {
                const int32_t pj = pix + (j < nv ? j : nv - 1);
                const int32_t oy = pj / out_w, ox = pj - oy * out_w;
                gather_block_pixel(p, in_b, oy * p->stride_h - p->pad_top,
                                   ox * p->stride_w - p->pad_left, buf + 4 * j, stride, len,
                                   lenp, off2);
            }
            int8_t *out = out_b + (size_t)pix * out_c;
            const int8_t *f = filter;
            for (int32_t oc = 0; oc < out_c; ++oc, f += len) {
                int32_t a[4] = {0, 0, 0, 0};
                conv_kn(np, buf, f, ngf, a);
                if (rem) {
                    uint32_t wt = 0;
                    memcpy(&wt, f + 4 * ngf, (size_t)rem);
                    conv_kn(np, buf + ngf * stride, (const int8_t *)&wt, 1, a);
                }
                conv_rq r;
                if (conv_rq_of(&q, oc, &r)) {
                    const int32_t bc = q.bias ? q.bias[oc] : 0;
                    for (int32_t j = 0; j < nv; ++j)
                        out[(size_t)j * out_c + oc] = conv_rq_out(&r, a[j] + bc, q.lo, q.hi);
                } else {
                    for (int32_t j = 0; j < nv; ++j)
                        out[(size_t)j * out_c + oc] = conv_out(&q, oc, a[j]);
                }
            }
        }
    }
    return NK_OK;
}

int nk_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output)
{
    if (((p->filter_h * p->filter_w * p->in_c + 3) & ~3) <= NK_ARM_PATCH_MAX)
        return conv_patch(p, input, filter, bias, output);
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, zp = p->in_zp;
    const size_t filter_oc = (size_t)fh * fw * in_c;
    const uint32_t off2 = nk_arm_offset2(zp);
    const conv_q q = conv_q_of(p, bias);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                /* horizontal tap range inside the image (dilation_w == 1 case) */
                int32_t fx0 = 0, fx1 = fw;
                if (p->dilation_w == 1) {
                    if (x0 < 0)
                        fx0 = -x0;
                    if (x0 + fw > in_w)
                        fx1 = in_w - x0;
                }
                for (int32_t oc = 0; oc < p->out_c; oc += 2) {
                    const int two = oc + 1 < p->out_c;
                    const int8_t *f0 = filter + (size_t)oc * filter_oc;
                    const int8_t *f1 = two ? f0 + filter_oc : f0;
                    int32_t a0 = 0, a1 = 0;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        if (p->dilation_w == 1) {
                            if (fx1 <= fx0)
                                continue;
                            const int8_t *ip = in_b + ((size_t)iy * in_w + (x0 + fx0)) * in_c;
                            const size_t fo = ((size_t)fy * fw + fx0) * in_c;
                            const int32_t n = (fx1 - fx0) * in_c;
                            if (two)
                                nk_arm_dot2(ip, f0 + fo, f1 + fo, n, off2, zp, &a0, &a1);
                            else
                                a0 = nk_arm_dot1(ip, f0 + fo, n, off2, zp, a0);
                        } else {
                            for (int32_t fx = 0; fx < fw; ++fx) {
                                const int32_t ix = x0 + p->dilation_w * fx;
                                if (ix < 0 || ix >= in_w)
                                    continue;
                                const int8_t *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                                const size_t fo = ((size_t)fy * fw + fx) * in_c;
                                if (two)
                                    nk_arm_dot2(ip, f0 + fo, f1 + fo, in_c, off2, zp, &a0, &a1);
                                else
                                    a0 = nk_arm_dot1(ip, f0 + fo, in_c, off2, zp, a0);
                            }
                        }
                    }
                    out[oc] = conv_out(&q, oc, a0);
                    if (two)
                        out[oc + 1] = conv_out(&q, oc + 1, a1);
                }
            }
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_unused; /* ISO C: no empty translation unit */
#endif
