/* firmware/kernels/arm/nk_arm_conv2d.c — CONV_2D int8 with the DSP
 * extension, two strategies:
 *  - patch (patch length rounded up to a multiple of 4 <= NK_ARM_PATCH_MAX
 *    halfwords): the receptive fields of a block of np = 4 (or 2, or 1)
 *    output pixels are gathered as int16 (x - zp; 0 for padding and for
 *    the rounding taps) into one stack buffer, interleaved by groups of
 *    four taps in SXTB16 lane order (0,2,1,3).  Every output channel is
 *    then one sequential pass over the buffer: each weight word is loaded
 *    and unpacked once for all np pixels, each LDM fetches two pixels'
 *    halfword pairs (hand-scheduled Thumb-2 in naked functions, 13
 *    instructions per 16 MACs plus the loop).  With np = 4 and the fast
 *    requantization available for every channel, the whole channel loop
 *    runs in nk_arm_conv_k4all (requantization and stores included), its
 *    constants from a table in the unused end of the patch buffer or, when
 *    the patch fills it (16x16x32 3x3), read from the layer's arrays
 *    (nk_arm_conv_k4all_x2r).  The last channel of a patch length that is
 *    not a multiple of 4 runs from a zero-padded copy of its weights.
 *    Gathers: interior pixels convert whole filter rows straight from the
 *    input (in_c % 4 == 0; for stride 1, width 3, in_c 16/32 four pixels
 *    share each conversion) or copy rows into a small staging patch first
 *    (small in_c); border pixels go tap by tap.  First layers (in_c % 4
 *    != 0, dilation 1) first copy a zero-point padded band of input rows
 *    into the unused end of the patch buffer (conv_pimg), so that every
 *    pixel, border ones included, gathers as an interior one.
 *  - split (nk_arm_conv2d_split.c): patches longer than a quarter of
 *    NK_ARM_PATCH_MAX with in_c % 4 == 0 and no dilation go by filter-row
 *    chunks of four pixels instead of two- or one-pixel blocks.
 *  - runs (larger patches): for each filter row, the taps inside the image
 *    are one contiguous run in input and filter (dilation_w == 1), one dot
 *    product per run.
 * Requantization: with the activation range [-128, 127], the 4-pixel asm
 * kernels use nk_arm_requant_x2 on the doubled sum (ADD, ADD, SMMLAR, ASR,
 * SSAT: bias doubled in the table, |bias| + lenp * 128 * 255 < 2^30 checked
 * per channel); otherwise conv_rq_out (one 64-bit multiply-accumulate,
 * derivation below) for multipliers in (2^30, 2^31) and shifts in
 * [-22, -1], else nk_arm_requant.  Stack: about 3 kB (patch buffer 2304 bytes).
 * Bit-exact with ../nk_conv2d.c (integer sums are exact). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "../nk_fixedpoint.h"
#include "nk_arm_dot.h"
#include "nk_arm_requant.h"
#include "nk_arm_conv2d_mac.h"


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

/* nrows filter rows of nw words each (rows prow bytes apart from src) ->
 * consecutive groups of a 4-pixel block (sw 8): conv_put_words per row
 * without its per-call work. */
static inline void conv_put_rows8(uint32_t *g, const int8_t *src, int32_t prow, int32_t nrows,
                                  int32_t nw, uint32_t off2)
{
#if defined(__thumb2__) && defined(__GNUC__)
    uint32_t v_, h_, n_;
    const int8_t *s_;
    if (nw == 1) {
        /* one word per filter row (kws' 10x4 first layer): no inner loop */
        __asm__ volatile("1:\n\t"
                         "ldr %[v], [%[src]]\n\t"
                         "add %[src], %[src], %[prow]\n\t"
                         "sxtb16 %[h], %[v], ror #8\n\t"
                         "sxtb16 %[v], %[v]\n\t"
                         "sadd16 %[v], %[v], %[o]\n\t"
                         "sadd16 %[h], %[h], %[o]\n\t"
                         "strd %[v], %[h], [%[g]], #32\n\t"
                         "subs %[nr], %[nr], #1\n\t"
                         "bne 1b\n\t"
                         : [v] "=&r"(v_), [h] "=&r"(h_), [src] "+r"(src), [g] "+r"(g),
                           [nr] "+r"(nrows)
                         : [o] "r"(off2), [prow] "r"(prow)
                         : "cc", "memory");
        return;
    }
    __asm__ volatile("1:\n\t"
                     "mov %[s2], %[src]\n\t"
                     "mov %[n2], %[nw]\n\t"
                     "2:\n\t"
                     "ldr %[v], [%[s2]], #4\n\t"
                     "sxtb16 %[h], %[v], ror #8\n\t"
                     "sxtb16 %[v], %[v]\n\t"
                     "sadd16 %[v], %[v], %[o]\n\t"
                     "sadd16 %[h], %[h], %[o]\n\t"
                     "strd %[v], %[h], [%[g]], #32\n\t"
                     "subs %[n2], %[n2], #1\n\t"
                     "bne 2b\n\t"
                     "add %[src], %[src], %[prow]\n\t"
                     "subs %[nr], %[nr], #1\n\t"
                     "bne 1b\n\t"
                     : [v] "=&r"(v_), [h] "=&r"(h_), [s2] "=&r"(s_), [n2] "=&r"(n_),
                       [src] "+r"(src), [g] "+r"(g), [nr] "+r"(nrows)
                     : [o] "r"(off2), [nw] "r"(nw), [prow] "r"(prow)
                     : "cc", "memory");
#else
    for (; nrows > 0; --nrows, src += prow)
        g = conv_put_words(g, 8, src, nw, off2);
#endif
}

static inline void conv_copy8(int8_t *d, const int8_t *s, int32_t n)
{
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t v = nk_arm_load32(s + i);
        memcpy(d + i, &v, 4);
    }
    /* at most three bytes left; no loop, so no memmove call */
    if (i < n)
        d[i] = s[i];
    if (i + 1 < n)
        d[i + 1] = s[i + 1];
    if (i + 2 < n)
        d[i + 2] = s[i + 2];
}

/* n bytes of value v (word stores, no memset call) */
static inline void conv_fill8(int8_t *d, int32_t v, int32_t n)
{
    const uint32_t v4 = (uint32_t)(uint8_t)v * 0x01010101u;
    int32_t i = 0;
    for (; i + 4 <= n; i += 4)
        memcpy(d + i, &v4, 4);
    if (i < n)
        d[i] = (int8_t)v;
    if (i + 1 < n)
        d[i + 1] = (int8_t)v;
    if (i + 2 < n)
        d[i + 2] = (int8_t)v;
}

/* the (lenp - len) <= 3 padding taps of a staged patch */
static inline void conv_pad3(int8_t *st, int32_t n, int32_t zp)
{
    if (n > 0)
        st[0] = (int8_t)zp;
    if (n > 1)
        st[1] = (int8_t)zp;
    if (n > 2)
        st[2] = (int8_t)zp;
}

#define CONV_STAGE_MAX 256

/* Interior pixel, dilation 1, small patch: filter rows copied in tap
 * order into stage (whole words when the up to 3 extra bytes read stay
 * inside the input; they are overwritten by the next row or the padding,
 * or lie past lenp), then converted a word at a time. */
__attribute__((noinline)) static void conv_gather_staged(const nk_conv_params *p,
                                                         const int8_t *src, const int8_t *in_end,
                                                         uint32_t *g, int32_t sw, int32_t len,
                                                         int32_t lenp, uint32_t off2,
                                                         int8_t *stage)
{
    const int32_t fh = p->filter_h, run = p->filter_w * p->in_c, nw = (run + 3) >> 2;
    const size_t row_bytes = (size_t)p->in_w * p->in_c;
    int8_t *st = stage;
    if (src + (size_t)(fh - 1) * row_bytes + 4 * nw <= in_end) {
        for (int32_t fy = 0; fy < fh; ++fy, src += row_bytes, st += run)
            for (int32_t i = 0; i < nw; ++i) {
                const uint32_t v = nk_arm_load32(src + 4 * i);
                memcpy(st + 4 * i, &v, 4);
            }
    } else {
        for (int32_t fy = 0; fy < fh; ++fy, src += row_bytes, st += run)
            conv_copy8(st, src, run);
    }
    conv_pad3(st, lenp - len, p->in_zp);
    conv_put_words(g, sw, stage, lenp >> 2, off2);
}

/* conv_gather_staged for three filter rows of 9..11 bytes (ResNet's 3x3x3
 * first layer) without its loops: three words per row copied to stage
 * (the extra bytes are overwritten by the next row or the padding), then
 * the 7..9 groups converted into the 4-pixel block (stride 8 words).  The
 * caller checks that the last row's 12 bytes lie inside the band. */
static inline void conv_gather_3x3(const int8_t *src, int32_t prow, int32_t run, int32_t len,
                                   int32_t lenp, int32_t zp, uint32_t *g, uint32_t off2,
                                   int8_t *stage)
{
    for (int32_t fy = 0; fy < 3; ++fy, src += prow) {
        const uint32_t a = nk_arm_load32(src), b = nk_arm_load32(src + 4);
        const uint32_t c = nk_arm_load32(src + 8);
        int8_t *const st = stage + fy * run;
        memcpy(st, &a, 4);
        memcpy(st + 4, &b, 4);
        memcpy(st + 8, &c, 4);
    }
    conv_pad3(stage + len, lenp - len, zp);
    conv_put_words(g, 8, stage, lenp >> 2, off2);
}

/* Four neighbouring output pixels of one output row, stride 1, filter
 * width 3, in_c = 4 * CW (CW constant so that every store is an STRD with
 * an immediate offset): each input word of one filter row is converted
 * once and stored for each of the (up to three) pixels that use it,
 * instead of once per pixel.  g = the block buffer at this filter row's
 * first group (pixel 0), src = the input at (iy, x0). */
#define CONV_ST(J, K, A, B)                                                                    \
    do {                                                                                       \
        uint32_t *d_ = g + ((K) * cw_ * 8 + 2 * (J));                                              \
        d_[0] = (A);                                                                           \
        d_[1] = (B);                                                                           \
    } while (0)
#define CONV_CV(T)                                                                             \
    const uint32_t xv##T = nk_arm_load32(src + (T) * 4 * cw_);                                 \
    const uint32_t a##T = (uint32_t)__sadd16(__sxtb16(xv##T), off2);                           \
    const uint32_t b##T = (uint32_t)__sadd16(nk_arm_sxtb16_ror8(xv##T), off2)
#define CONV_GATHER_ROW3(NAME, CW)                                                             \
    static inline void NAME(uint32_t *g, const int8_t *src, uint32_t off2)                     \
    {                                                                                          \
        const int32_t cw_ = (CW);                                                              \
        for (int32_t c = 0; c < (CW); ++c, g += 8, src += 4) {                                 \
            CONV_CV(0);                                                                        \
            CONV_ST(0, 0, a0, b0);                                                             \
            CONV_CV(1);                                                                        \
            CONV_ST(0, 1, a1, b1);                                                             \
            CONV_ST(1, 0, a1, b1);                                                             \
            CONV_CV(2);                                                                        \
            CONV_ST(0, 2, a2, b2);                                                             \
            CONV_ST(1, 1, a2, b2);                                                             \
            CONV_ST(2, 0, a2, b2);                                                             \
            CONV_CV(3);                                                                        \
            CONV_ST(1, 2, a3, b3);                                                             \
            CONV_ST(2, 1, a3, b3);                                                             \
            CONV_ST(3, 0, a3, b3);                                                             \
            CONV_CV(4);                                                                        \
            CONV_ST(2, 2, a4, b4);                                                             \
            CONV_ST(3, 1, a4, b4);                                                             \
            CONV_CV(5);                                                                        \
            CONV_ST(3, 2, a5, b5);                                                             \
        }                                                                                      \
    }
CONV_GATHER_ROW3(conv_gather_row3_c16, 4)
CONV_GATHER_ROW3(conv_gather_row3_c32, 8)

/* Gathers the receptive field of the output pixel with top-left input
 * corner (y0, x0) into the block buffer (dst0 = its first group, groups
 * sw words apart).  in_c a multiple of 4: every tap is whole groups,
 * converted a word at a time straight from the input.  Otherwise, for
 * patches up to CONV_STAGE_MAX taps, the raw bytes (in_zp for padding,
 * so that x - zp = 0) are first copied in tap order into stage, then
 * converted a word at a time; longer ones go tap by tap. */
__attribute__((noinline)) static void
gather_block_pixel(const nk_conv_params *p, const int8_t *in_b, int32_t y0,
                               int32_t x0, uint32_t *dst0, int32_t sw, int32_t len,
                               int32_t lenp, uint32_t off2, int8_t *stage)
{
    const int32_t in_c = p->in_c, fw = p->filter_w, in_w = p->in_w, dw = p->dilation_w;
    const int32_t zp = p->in_zp;
    const int row_whole = dw == 1 && x0 >= 0 && x0 + fw <= in_w;
    if ((in_c & 3) == 0) {
        const int32_t cw = in_c >> 2;
        uint32_t *g = dst0;
        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= p->in_h) {
                g = conv_put_zero(g, sw, fw * cw);
                continue;
            }
            const int8_t *row = in_b + (size_t)iy * in_w * in_c;
            if (row_whole) {
                g = conv_put_words(g, sw, row + (size_t)x0 * in_c, fw * cw, off2);
                continue;
            }
            for (int32_t fx = 0; fx < fw; ++fx) {
                const int32_t ix = x0 + dw * fx;
                if (ix >= 0 && ix < in_w)
                    g = conv_put_words(g, sw, row + (size_t)ix * in_c, cw, off2);
                else
                    g = conv_put_zero(g, sw, cw);
            }
        }
        return;
    }
    const int32_t run = fw * in_c;
    if (dw == 1 && (run & 3) == 0 && run <= CONV_STAGE_MAX && lenp > CONV_STAGE_MAX) {
        /* filter rows are whole groups (e.g. in_c 1, filter width 4): rows
         * inside the image convert straight from the input, rows cut by
         * the left/right border are staged first, rows above/below are
         * zeros */
        uint32_t *g = dst0;
        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= p->in_h) {
                g = conv_put_zero(g, sw, run >> 2);
                continue;
            }
            const int8_t *row = in_b + (size_t)iy * in_w * in_c;
            if (row_whole) {
                g = conv_put_words(g, sw, row + (size_t)x0 * in_c, run >> 2, off2);
                continue;
            }
            for (int32_t fx = 0; fx < fw; ++fx) {
                const int32_t ix = x0 + fx;
                if (ix >= 0 && ix < in_w)
                    conv_copy8(stage + fx * in_c, row + (size_t)ix * in_c, in_c);
                else
                    conv_fill8(stage + fx * in_c, zp, in_c);
            }
            g = conv_put_words(g, sw, stage, run >> 2, off2);
        }
        return;
    }
    if (lenp <= CONV_STAGE_MAX) {
        int8_t *st = stage;
        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= p->in_h) {
                conv_fill8(st, zp, run);
                st += run;
                continue;
            }
            const int8_t *row = in_b + (size_t)iy * in_w * in_c;
            if (row_whole) {
                conv_copy8(st, row + (size_t)x0 * in_c, run);
                st += run;
                continue;
            }
            for (int32_t fx = 0; fx < fw; ++fx, st += in_c) {
                const int32_t ix = x0 + dw * fx;
                if (ix >= 0 && ix < in_w)
                    conv_copy8(st, row + (size_t)ix * in_c, in_c);
                else
                    conv_fill8(st, zp, in_c);
            }
        }
        conv_pad3(st, lenp - len, zp);
        conv_put_words(dst0, sw, stage, lenp >> 2, off2);
        return;
    }
    int16_t *const d16 = (int16_t *)dst0;
    const int32_t s16 = 2 * sw;
    int32_t k = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + p->dilation_h * fy;
        const int row_in = iy >= 0 && iy < p->in_h;
        for (int32_t fx = 0; fx < fw; ++fx, k += in_c) {
            const int32_t ix = x0 + dw * fx;
            const int inside = row_in && ix >= 0 && ix < in_w;
            gather_taps(d16, s16, k, in_c,
                        inside ? in_b + ((size_t)iy * in_w + ix) * in_c : NULL, zp);
        }
    }
    if (lenp > len)
        gather_taps(d16, s16, len, lenp - len, NULL, zp);
}

/* A band of the zero-point padded input of a small-in_c convolution: h
 * rows of w pixels whose (0, 0) is input pixel (y0, x0); valid = 0 until
 * filled. */
typedef struct conv_pimg {
    int8_t *img;
    int32_t y0, x0, h, w, valid;
} conv_pimg;

/* Fills the band from input row y0 on (rows outside the image and columns
 * outside [0, in_w) hold the zero point). */
static __attribute__((noinline)) void conv_pimg_fill(conv_pimg *pi, const nk_conv_params *p,
                                                     const int8_t *in_b, int32_t y0)
{
    const int32_t c = p->in_c, zp = p->in_zp;
    /* columns [lx, rx) of a padded row lie inside the image */
    int32_t lx = -pi->x0, rx = p->in_w - pi->x0;
    lx = lx < 0 ? 0 : lx > pi->w ? pi->w : lx;
    rx = rx > pi->w ? pi->w : rx < lx ? lx : rx;
    int8_t *d = pi->img;
    pi->y0 = y0;
    pi->valid = 1;
    for (int32_t r = 0; r < pi->h; ++r, d += (size_t)pi->w * c) {
        const int32_t iy = y0 + r;
        if (iy < 0 || iy >= p->in_h || rx == lx) {
            conv_fill8(d, zp, pi->w * c);
            continue;
        }
        conv_fill8(d, zp, lx * c);
        conv_copy8(d + (size_t)lx * c, in_b + ((size_t)iy * p->in_w + pi->x0 + lx) * c,
                   (rx - lx) * c);
        conv_fill8(d + (size_t)rx * c, zp, (pi->w - rx) * c);
    }
}

/* Gathers the block of nv pixels from pix on (a short block repeats its
 * last pixel; np == 4) from the band, re-filling it first when it does not
 * hold the block's input rows; pp: p with the band's width and height. */
static __attribute__((noinline)) void conv_pimg_block(conv_pimg *pi, const nk_conv_params *p,
                                                      const nk_conv_params *pp,
                                                      const int8_t *in_b, int32_t pix,
                                                      int32_t nv, uint32_t *buf32, int32_t len,
                                                      int32_t lenp, uint32_t off2, int8_t *stage)
{
    const int32_t out_w = p->out_w, fh = p->filter_h, c = p->in_c;
    const int32_t lo = (pix / out_w) * p->stride_h - p->pad_top;
    const int32_t hi = ((pix + nv - 1) / out_w) * p->stride_h - p->pad_top + fh;
    if (!pi->valid || lo < pi->y0 || hi > pi->y0 + pi->h)
        conv_pimg_fill(pi, p, in_b, lo);
    const int32_t run = p->filter_w * c, prow = pi->w * c;
    const int8_t *const end = pi->img + (size_t)pi->h * prow;
    for (int32_t j = 0; j < 4; ++j) {
        const int32_t pj = pix + (j < nv ? j : nv - 1);
        const int32_t oy = pj / out_w, ox = pj - oy * out_w;
        const int32_t y0 = oy * p->stride_h - p->pad_top, x0 = ox * p->stride_w - p->pad_left;
        const int8_t *src = pi->img + (size_t)(y0 - pi->y0) * prow + (size_t)(x0 - pi->x0) * c;
        if ((run & 3) == 0) /* filter rows are whole groups */
            conv_put_rows8(buf32 + 2 * j, src, prow, fh, run >> 2, off2);
        else if (fh == 3 && run > 8 && run < 12 && src + 2 * (size_t)prow + 12 <= end)
            conv_gather_3x3(src, prow, run, len, lenp, p->in_zp, buf32 + 2 * j, off2, stage);
        else
            conv_gather_staged(pp, src, end, buf32 + 2 * j, 8, len, lenp, off2, stage);
    }
}

/* The largest |bias| for which 2 (sum + bias) fits an int32 for every
 * input: |sum| <= lenp * 128 * 255 (|w| <= 128, |x - zp| <= 255). */
static inline int32_t conv_bias_max(int32_t lenp)
{
    return (1 << 30) - 1 - lenp * 128 * 255;
}

#if CONV_ASM
/* The table of nk_arm_conv_k4all for nch channels: {bias, m, khi, sh}, or
 * when the activation range is all of int8 and every channel has
 * nk_arm_requant_x2 with the doubled sum inside int32 (*use_x2 = 1, four
 * instructions fewer per output) {2 bias, m, c0, e}.  Returns 0 when some
 * channel has neither (e >= 2 needed). */
static int conv_tab_setup(const nk_arm_conv_q *q, int32_t *tab, int32_t nch, int32_t lenp,
                          int *use_x2)
{
    for (int32_t oc = 0; oc < nch; ++oc) {
        conv_rq r;
        if (!conv_rq_of(q, oc, &r) || r.sh < 1)
            return 0;
        tab[4 * oc] = q->bias ? q->bias[oc] : 0;
        tab[4 * oc + 1] = r.m;
        tab[4 * oc + 2] = r.khi;
        tab[4 * oc + 3] = r.sh;
    }
    int x2 = q->lo == -128 && q->hi == 127;
    const int32_t bias_max = conv_bias_max(lenp);
    for (int32_t oc = 0; x2 && oc < nch; ++oc) {
        const int32_t k = oc * q->q_step, bv = tab[4 * oc];
        x2 = nk_arm_requant_x2_ok(q->mult[k], q->shift[k], q->zp) && bv <= bias_max &&
             bv >= -bias_max;
    }
    for (int32_t oc = 0; x2 && oc < nch; ++oc) {
        const int32_t k = oc * q->q_step;
        tab[4 * oc] *= 2;
        tab[4 * oc + 2] = nk_arm_requant_x2_c0(q->shift[k], q->zp);
        tab[4 * oc + 3] = -q->shift[k];
    }
    *use_x2 = x2;
    return 1;
}
#endif

#if CONV_ASM
/* 1 when the activation range is all of int8 and each of the first nch
 * channels has nk_arm_requant_x2 with the doubled sum inside int32. */
static int conv_all_x2(const nk_arm_conv_q *q, int32_t nch, int32_t lenp)
{
    if (q->lo != -128 || q->hi != 127)
        return 0;
    const int32_t bias_max = conv_bias_max(lenp);
    for (int32_t oc = 0; oc < nch; ++oc) {
        const int32_t k = oc * q->q_step, bv = q->bias ? q->bias[oc] : 0;
        if (!nk_arm_requant_x2_ok(q->mult[k], q->shift[k], q->zp) || bv > bias_max ||
            bv < -bias_max)
            return 0;
    }
    return 1;
}

/* The first nch channels of a 4-pixel block by nk_arm_conv_k4all_x2r
 * (conv_all_x2 holds, bias present, per-channel quantization). */
static __attribute__((noinline)) void conv_raw_block(const nk_conv_params *p, const int16_t *buf,
                                                     const int8_t *filter, const int32_t *bias,
                                                     int32_t nch, int8_t *out)
{
    const int32_t len = p->filter_h * p->filter_w * p->in_c, ng = (len + 3) >> 2;
    conv_k4raw kr = {buf,         ng,           len - 4 * ng,      bias, p->out_mult,
                     p->out_shift, 1 + 2 * p->out_zp, out, p->out_c, p->out_mult + nch};
    nk_arm_conv_k4all_x2r(filter, &kr);
}

/* One channel of a 4-pixel block in the asm kernels (sums, requantization,
 * stores at out + j * out_c) when its requantization allows it: returns 1
 * when done, 0 when the caller must do it. */
static inline int conv_k4q_try(const nk_arm_conv_q *q, int32_t oc, const int16_t *buf,
                               const int8_t *f, int32_t ng, int32_t lenp, int8_t *out,
                               int32_t out_c)
{
    const int32_t bv = q->bias ? q->bias[oc] : 0, k = oc * q->q_step;
    const int32_t bias_max = conv_bias_max(lenp);
    if (q->lo == -128 && q->hi == 127 && nk_arm_requant_x2_ok(q->mult[k], q->shift[k], q->zp) &&
        bv <= bias_max && bv >= -bias_max) {
        const conv_k4q k4q = {2 * bv, q->mult[k], nk_arm_requant_x2_c0(q->shift[k], q->zp),
                              -q->shift[k], q->lo, q->hi, out, out_c};
        nk_arm_conv_k4q_x2(buf, f, ng, &k4q);
        return 1;
    }
    conv_rq r;
    if (conv_rq_of(q, oc, &r) && r.sh >= 1) {
        const conv_k4q k4q = {bv, r.m, r.khi, r.sh, q->lo, q->hi, out, out_c};
        nk_arm_conv_k4q(buf, f, ng, &k4q);
        return 1;
    }
    return 0;
}
#endif

/* Small in_c (first layers, in_c % 4 != 0): the rows of the input that a
 * block of pixels reads, zero-point padded, go to the unused end of buf32
 * (after `used` words) when they fit: a band of as many rows as fit, at
 * least those of the output rows one block spans, so that every pixel
 * gathers as an interior one (no tap-by-tap border gathers).  Leaves
 * pi->img NULL otherwise; pp (a copy of the parameters) gets the band's
 * width and height. */
static void conv_pimg_setup(conv_pimg *pi, nk_conv_params *pp, uint32_t *buf32, size_t used)
{
    const int32_t out_w = pp->out_w, fh = pp->filter_h;
    const int32_t rows_out = 3 / out_w + 2; /* output rows a block of 4 spans */
    const int32_t all_h = (pp->out_h - 1) * pp->stride_h + fh;
    const int32_t need_h = (rows_out - 1) * pp->stride_h + fh;
    pi->x0 = -pp->pad_left;
    pi->w = (out_w - 1) * pp->stride_w + pp->filter_w;
    const int32_t row_b = pi->w * pp->in_c;
    const int32_t fit_h = ((NK_ARM_PATCH_MAX / 2 - (int32_t)used) * 4 - 4) / row_b;
    pi->h = fit_h < all_h ? fit_h : all_h; /* as many rows as fit */
    if (pi->h >= need_h || pi->h == all_h) {
        pi->img = (int8_t *)(buf32 + used);
        pp->in_w = pi->w;
        pp->in_h = pi->h;
    }
}

/* n weights at f zero-padded to np bytes at d; returns d. */
static const int8_t *conv_pad_weights(int8_t *d, const int8_t *f, int32_t n, int32_t np)
{
    for (int32_t i = 0; i < np; ++i)
        d[i] = i < n ? f[i] : 0;
    return d;
}

/* Channels oc0.. of a block of nv (<= np) gathered pixels, one channel at
 * a time: the 4-pixel asm kernels with their requantization when they
 * take the channel (the last one of a partial last group from lastw, its
 * weights zero-padded, when given), else the multiply-accumulate kernels
 * and the requantization here. */
static void conv_block_rest(const nk_conv_params *p, const nk_arm_conv_q *qp,
                            const int16_t *buf, const int8_t *filter, int32_t oc0, int32_t np,
                            int32_t nv, const int8_t *lastw, int8_t *out)
{
    const nk_arm_conv_q q = *qp;
    const int32_t len = p->filter_h * p->filter_w * p->in_c, out_c = p->out_c;
    const int32_t ngf = len >> 2, rem = len & 3, lenp = (len + 3) & ~3, stride = 4 * np;
#if !CONV_ASM
    (void)lastw;
#endif
    const int8_t *f = filter + (size_t)oc0 * len;
    for (int32_t oc = oc0; oc < out_c; ++oc, f += len) {
#if CONV_ASM
        if (np == 4 && nv == 4 && (rem == 0 || oc + 1 < out_c) &&
            conv_k4q_try(&q, oc, buf, f, ngf + (rem != 0), lenp, out + oc, out_c))
            continue;
        /* the last channel of a partial last group: its weights
         * zero-padded in the upper half of stage */
        if (np == 4 && nv == 4 && lastw && oc + 1 == out_c &&
            conv_k4q_try(&q, oc, buf, lastw, ngf + 1, lenp, out + oc, out_c))
            continue;
#endif
        int32_t a[4] = {0, 0, 0, 0};
        if (rem == 0 || oc + 1 < out_c) {
            /* a partial last group reads the next channel's first
             * weights, against zero taps */
            conv_kn(np, buf, f, ngf + (rem != 0), a);
        } else {
            conv_kn(np, buf, f, ngf, a);
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
                out[(size_t)j * out_c + oc] = nk_arm_conv_q_out(&q, oc, a[j]);
        }
    }
}

/* Channels of a block of nv gathered pixels on packed weights (nk.h,
 * nk_conv_pack), in C: short last blocks (the asm loop takes full ones). */
static void conv_packed_rest(const nk_conv_pack *pk, const int16_t *buf, int32_t ng,
                             int32_t np, int32_t nv, int32_t out_c, int8_t *out)
{
    const int16_t *w = pk->w;
    for (int32_t oc = 0; oc < out_c; ++oc, w += 4 * ng) {
        const int32_t *kc = pk->k + 4 * oc;
        for (int32_t j = 0; j < nv; ++j) {
            int32_t a = kc[0]; /* doubled weights: the doubled sum */
            const int16_t *x = buf + 4 * j;
            for (int32_t g = 0; g < ng; ++g, x += 4 * np) {
                a = __smlad(nk_arm_load32h(x), nk_arm_load32h(w + 4 * g), a);
                a = __smlad(nk_arm_load32h(x + 2), nk_arm_load32h(w + 4 * g + 2), a);
            }
            /* the doubled sum stays inside int32: nk_conv_pack_s8's bound */
            const int32_t v = nk_arm_requant_x2(a, kc[1], kc[2], kc[3]);
            out[(size_t)j * out_c + oc] = (int8_t)__ssat(v, 8);
        }
    }
}

#if CONV_ASM
/* nk_arm_conv_k4w's entry into its loop (pairs of groups, unrolled eight
 * times) for a patch of lenp taps: pairs % 8 run before the first end test */
static uint32_t conv_k4w_entry(int32_t lenp)
{
    const int32_t pairs = (lenp >> 2) >> 1;
    const char *const k4w_entry[8] = {nk_arm_conv_k4w_e0, nk_arm_conv_k4w_e7,
                                      nk_arm_conv_k4w_e6, nk_arm_conv_k4w_e5,
                                      nk_arm_conv_k4w_e4, nk_arm_conv_k4w_e3,
                                      nk_arm_conv_k4w_e2, nk_arm_conv_k4w_e1};
    return (uint32_t)(uintptr_t)(pairs ? k4w_entry[pairs & 7] : nk_arm_conv_k4w_done) | 1u;
}
#endif

/* pk: packed weights (filter and bias unused) or NULL */
static int conv_patch(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, const nk_conv_pack *pk, int8_t *output)
{
    uint32_t buf32[NK_ARM_PATCH_MAX / 2]; /* word aligned for LDM */
    int16_t *const buf = (int16_t *)buf32;
    int8_t stage[CONV_STAGE_MAX];
    const int32_t len = p->filter_h * p->filter_w * p->in_c;
    const int32_t ngf = len >> 2, rem = len & 3, lenp = (len + 3) & ~3;
    const int32_t np = 4 * lenp <= NK_ARM_PATCH_MAX ? 4 : 2 * lenp <= NK_ARM_PATCH_MAX ? 2 : 1;
    const int32_t out_c = p->out_c, out_w = p->out_w;
    const int32_t npix = p->out_h * out_w;
    const nk_arm_conv_q q = nk_arm_conv_q_of(p, bias);
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    const int32_t fh = p->filter_h, fw = p->filter_w, in_h = p->in_h, in_w = p->in_w;
    const int fast4 = (p->in_c & 3) == 0 && p->dilation_h == 1 && p->dilation_w == 1;
    const int32_t row_words = fw * p->in_c / 4;
    const int row3 = fast4 && np == 4 && fw == 3 && p->stride_h == 1 && p->stride_w == 1 &&
                     (p->in_c == 16 || p->in_c == 32);
    const int stage_in = !fast4 && p->dilation_h == 1 && p->dilation_w == 1 &&
                         lenp + 4 <= CONV_STAGE_MAX;
    const int8_t *const in_end = input + (size_t)p->batches * p->in_h * p->in_w * p->in_c;
    const size_t row_bytes = (size_t)in_w * p->in_c;
#if CONV_ASM
    /* whole channel loops in nk_arm_conv_k4all when every channel (but a
     * last one whose final partial group would read past the filter) has
     * the fast requantization with e >= 2; its table lives in the unused
     * end of buf */
    const int32_t nch_all = out_c - (rem != 0);
    int32_t *const tab = (int32_t *)(buf32 + np * lenp / 2);
    int use_x2 = 0;
    const int use_all = !pk && np == 4 && nch_all >= 1 &&
                        np * lenp / 2 + 4 * nch_all <= NK_ARM_PATCH_MAX / 2 &&
                        conv_tab_setup(&q, tab, nch_all, lenp, &use_x2);
    /* no room for the table (16x16x32 3x3: the patch fills buf): the same
     * loop reading the layer's arrays when every channel has the fast
     * requantization */
    const int use_raw = !pk && !use_all && np == 4 && nch_all >= 1 && bias && p->per_channel &&
                        conv_all_x2(&q, nch_all, lenp);
#endif
    /* Small in_c (first layers, in_c % 4 != 0): the rows of the input that
     * a block of pixels reads, zero-point padded, copied into the unused
     * end of buf when they fit (a band of as many rows as fit, at least
     * those of two output rows), so that every pixel gathers as an interior one
     * (no tap-by-tap border gathers). */
    conv_pimg pi = {NULL, 0, 0, 0, 0, 0};
    nk_conv_params pp = *p;
    if (!fast4 && np == 4 && p->dilation_h == 1 && p->dilation_w == 1) {
        size_t used = (size_t)np * lenp / 2;
#if CONV_ASM
        if (use_all)
            used += 4 * (size_t)nch_all;
#endif
        conv_pimg_setup(&pi, &pp, buf32, used);
    }
    /* the last channel's weights zero-padded to lenp (when rem != 0) in the
     * upper half of stage, which the staged gathers (lenp + 4 bytes) leave
     * alone, so that its last partial group never reads past the filter */
    const int8_t *lastw = NULL;
    if (CONV_ASM && !pk && rem != 0 && np == 4 && lenp + 4 <= CONV_STAGE_MAX / 2)
        lastw = conv_pad_weights(stage + CONV_STAGE_MAX / 2, filter + (size_t)(out_c - 1) * len,
                                 len, lenp);
#if CONV_ASM
    const uint32_t entry = conv_k4w_entry(lenp);
#endif
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * npix * out_c;
        pi.valid = 0;
        for (int32_t pix = 0; pix < npix; pix += np) {
            const int32_t nv = npix - pix < np ? npix - pix : np;
            /* gather nv pixels; a short last block repeats its last pixel */
            if (row3) {
                /* four pixels side by side, all inside: shared conversions */
                const int32_t oy = pix / out_w, ox = pix - oy * out_w;
                const int32_t y0 = oy - p->pad_top, x0 = ox - p->pad_left;
                if (nv == 4 && ox + 3 < out_w && y0 >= 0 && y0 + fh <= in_h && x0 >= 0 &&
                    x0 + 6 <= in_w) {
                    const int8_t *src = in_b + ((size_t)y0 * in_w + x0) * p->in_c;
                    for (int32_t fy = 0; fy < fh; ++fy, src += row_bytes) {
                        uint32_t *g = buf32 + (size_t)fy * row_words * 8;
                        if (p->in_c == 16)
                            conv_gather_row3_c16(g, src, off2);
                        else
                            conv_gather_row3_c32(g, src, off2);
                    }
                    goto gathered;
                }
            }
            if (pi.img) {
                conv_pimg_block(&pi, p, &pp, in_b, pix, nv, buf32, len, lenp, off2, stage);
                goto gathered;
            }
            for (int32_t j = 0; j < np; ++j) {
                const int32_t pj = pix + (j < nv ? j : nv - 1);
                const int32_t oy = pj / out_w, ox = pj - oy * out_w;
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                if (fast4 && y0 >= 0 && y0 + fh <= in_h && x0 >= 0 && x0 + fw <= in_w) {
                    /* interior pixel, in_c % 4 == 0, no dilation: each
                     * filter row is one run of whole words */
                    const int8_t *src = in_b + ((size_t)y0 * in_w + x0) * p->in_c;
                    uint32_t *g = buf32 + 2 * j;
                    for (int32_t fy = 0; fy < fh; ++fy, src += row_bytes)
                        g = conv_put_words(g, 2 * np, src, row_words, off2);
                } else if (stage_in && y0 >= 0 && y0 + fh <= in_h && x0 >= 0 &&
                           x0 + fw <= in_w) {
                    /* interior pixel, small patch: filter rows copied in
                     * tap order, then converted a word at a time */
                    conv_gather_staged(p, in_b + ((size_t)y0 * in_w + x0) * p->in_c, in_end,
                                       buf32 + 2 * j, 2 * np, len, lenp, off2, stage);
                } else {
                    gather_block_pixel(p, in_b, y0, x0, buf32 + 2 * j, 2 * np, len, lenp, off2,
                                       stage);
                }
            }
        gathered:;
            int8_t *out = out_b + (size_t)pix * out_c;
            int32_t oc0 = 0;
#if CONV_ASM
            if (pk && nv == 4) {
                conv_k4w kw = {buf, entry, pk->k, pk->k + 4 * out_c, out, out_c,
                               buf + 4 * lenp, (lenp >> 2) & 1};
                nk_arm_conv_k4w(pk->w, &kw);
                oc0 = out_c;
            } else if (use_all && nv == 4) {
                const int32_t ng = ngf + (rem != 0);
                conv_k4all ka = {buf,     ng, len - 4 * ng, tab,   nch_all,
                                 q.lo,    q.hi, out,        out_c, tab + 4 * nch_all};
                if (use_x2)
                    nk_arm_conv_k4all_x2(filter, &ka);
                else if (q.lo == -128 && q.hi == 127)
                    nk_arm_conv_k4all_sat(filter, &ka);
                else
                    nk_arm_conv_k4all(filter, &ka);
                oc0 = nch_all;
            } else if (use_raw && nv == 4) {
                conv_raw_block(p, buf, filter, bias, nch_all, out);
                oc0 = nch_all;
            }
#endif
            if (oc0 < out_c && pk)
                conv_packed_rest(pk, buf, lenp >> 2, np, nv, out_c, out);
            else if (oc0 < out_c)
                conv_block_rest(p, &q, buf, filter, oc0, np, nv, lastw, out);
        }
    }
    return NK_OK;
}

int nk_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output)
{
    if (p->filter_h == 1 && p->filter_w == 1 &&
        nk_conv2d_1x1_s8_dsp(p, input, filter, bias, output) == NK_OK)
        return NK_OK; /* 1x1 without padding: matrix product (nk_arm_conv2d_1x1.c) */
    const int32_t lenp = (p->filter_h * p->filter_w * p->in_c + 3) & ~3;
    /* patches too long for four pixels: filter-row chunks of four pixels
     * (nk_arm_conv2d_split.c) when it takes the shape */
    if (4 * lenp > NK_ARM_PATCH_MAX &&
        nk_arm_conv2d_split(p, input, filter, bias, output) == NK_OK)
        return NK_OK;
    if (lenp <= NK_ARM_PATCH_MAX)
        return conv_patch(p, input, filter, bias, NULL, output);
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, zp = p->in_zp;
    const size_t filter_oc = (size_t)fh * fw * in_c;
    const uint32_t off2 = nk_arm_offset2(zp);
    const nk_arm_conv_q q = nk_arm_conv_q_of(p, bias);
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
                    out[oc] = nk_arm_conv_q_out(&q, oc, a0);
                    if (two)
                        out[oc + 1] = nk_arm_conv_q_out(&q, oc + 1, a1);
                }
            }
        }
    }
    return NK_OK;
}

/* the packed layout's patches fit four pixels */
typedef char nk_arm_conv_pack_fits[4 * NK_CONV_PACK_MAX_LEN <= NK_ARM_PATCH_MAX ? 1 : -1];

int nk_conv2d_s8_packed_dsp(const nk_conv_params *p, const nk_conv_pack *k,
                            const int8_t *input, int8_t *output)
{
    return conv_patch(p, input, NULL, NULL, k, output);
}

#else
typedef int nk_arm_conv2d_unused; /* ISO C: no empty translation unit */
#endif
