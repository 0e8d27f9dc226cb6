/* firmware/kernels/mve/nk_mve_conv2d.c — CONV_2D int8 (any filter, stride,
 * dilation and padding, 1x1 included) on Helium: the patches of four
 * consecutive output pixels are gathered, taps outside the image filled
 * with the input zero point, into the matrix core's interleaved layout
 * (nk_mve_gemm.h), which multiplies them by every filter and requantizes.
 * When in_c is a multiple of 16 every tap segment is whole 16-byte chunks
 * and goes straight to its place; otherwise a pixel's patch is built
 * contiguously first, from a band of its output row's input rows padded
 * with the zero point, and then interleaved.
 * Pixel-block contract (nk.h): a block's patches are gathered before any
 * of its outputs is written, blocks of four pixels in raster order.
 * Bit-exact with ../conv/nk_conv2d.c. */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)

#include <arm_mve.h>

#include "nk_mve_gemm.h"

/* Patch bytes [kpos, kpos + n) of one pixel from src; cs = 16: dst is the
 * contiguous patch; cs = 64: dst is the pixel's row of the interleaved
 * buffer (kpos and n multiples of 16). */
static inline void put(int8_t *dst, int32_t kpos, const int8_t *src, int32_t n, int32_t cs)
{
    int8_t *d = dst + (cs == 64 ? 4 * kpos : kpos);
    for (; n >= 16; n -= 16, src += 16, d += cs)
        vst1q_s8(d, vld1q_s8(src));
    if (n > 0) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        vstrbq_p_s8(d, vldrbq_z_s8(src, pr), pr);
    }
}

/* The same bytes set to the input zero point (taps outside the image). */
static inline void fill(int8_t *dst, int32_t kpos, int8x16_t zp, int32_t n, int32_t cs)
{
    int8_t *d = dst + (cs == 64 ? 4 * kpos : kpos);
    for (; n >= 16; n -= 16, d += cs)
        vst1q_s8(d, zp);
    if (n > 0)
        vstrbq_p_s8(d, zp, vctp8q((uint32_t)n));
}

/* The patch of output pixel (oy, ox) of one batch image. */
static void gather(const nk_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox,
                   int8_t *dst, int32_t cs, int8x16_t zp)
{
    const int32_t c = p->in_c, fw = p->filter_w, row = fw * c;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int whole = p->dilation_w == 1 && x0 >= 0 && x0 + fw <= p->in_w;
    int32_t kpos = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy, kpos += row) {
        const int32_t iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
        if (iy < 0 || iy >= p->in_h) {
            fill(dst, kpos, zp, row, cs);
            continue;
        }
        const int8_t *src = in_b + (size_t)iy * p->in_w * c;
        if (whole) {
            put(dst, kpos, src + (size_t)x0 * c, row, cs);
            continue;
        }
        for (int32_t fx = 0; fx < fw; ++fx) {
            const int32_t ix = x0 + fx * p->dilation_w;
            if (ix < 0 || ix >= p->in_w)
                fill(dst, kpos + fx * c, zp, c, cs);
            else
                put(dst, kpos + fx * c, src + (size_t)ix * c, c, cs);
        }
    }
}

/* The input rows an output row's patches read: src[fy] is input row
 * oy * stride_h - pad_top + fy * dilation_h of the batch image, or NULL
 * outside the image. */
typedef struct conv_rows {
    const int8_t *src[16];
} conv_rows;

/* gather() for in_c a multiple of 16 and filter_h <= 16, for the n (1..4)
 * pixels of a block at once, straight into the interleaved layout (chunk
 * j of pixel i at a + 64 j + 16 i): whole 16-byte chunks, no predication.
 * Pixel i is column ox[i] of the output row whose sources are r[i]. */
__attribute__((noinline)) static void gather16(const nk_conv_params *p,
                                               const conv_rows *const *r, const int32_t *ox,
                                               int32_t n, int8_t *a, int8x16_t zp)
{
    /* locals: the stores through a may alias *p as far as C knows */
    const int32_t c = p->in_c, c16 = c / 16, fw = p->filter_w, fh = p->filter_h;
    const int32_t in_w = p->in_w, dw = p->dilation_w, sw = p->stride_w, pl = p->pad_left;
    const int32_t n16 = fw * c16;
    for (int32_t i = 0; i < n; ++i) {
        int8_t *dst = a + 16 * i;
        const int32_t x0 = ox[i] * sw - pl;
        const int whole = dw == 1 && x0 >= 0 && x0 + fw <= in_w;
        const int8_t *const *src = r[i]->src;
        for (int32_t fy = 0; fy < fh; ++fy) {
            const int8_t *row = src[fy];
            if (row && whole) {
                const int8_t *s = row + (size_t)x0 * c;
                for (int32_t j = n16; j > 0; --j, dst += 64, s += 16)
                    vst1q_s8(dst, vld1q_s8(s));
            } else if (!row) {
                for (int32_t j = n16; j > 0; --j, dst += 64)
                    vst1q_s8(dst, zp);
            } else {
                for (int32_t fx = 0; fx < fw; ++fx) {
                    const int32_t ix = x0 + fx * dw;
                    if (ix < 0 || ix >= in_w) {
                        for (int32_t j = c16; j > 0; --j, dst += 64)
                            vst1q_s8(dst, zp);
                    } else {
                        const int8_t *s = row + (size_t)ix * c;
                        for (int32_t j = c16; j > 0; --j, dst += 64, s += 16)
                            vst1q_s8(dst, vld1q_s8(s));
                    }
                }
            }
        }
    }
}

/* The sources of output row oy of batch image in_b. */
static void rows_of(const nk_conv_params *p, const int8_t *in_b, int32_t oy, conv_rows *r)
{
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
        r->src[fy] = iy < 0 || iy >= p->in_h ? 0 : in_b + (size_t)iy * p->in_w * p->in_c;
    }
}

/* Bands (in_c not a multiple of 16): for an output row, the filter_h
 * input rows it reads, columns -pad_left .. -pad_left + wp - 1, with the
 * zero point outside the image, so every pixel's patch row is a plain
 * copy.  Four slots: a block of four pixels spans at most four rows. */
#define NK_MVE_BAND_MAX 4096

typedef struct conv_bands {
    int8_t *buf;            /* 4 slots of filter_h * wpc bytes             */
    int32_t wpc;            /* bytes per band row (wp * in_c)              */
    int32_t row[4];         /* output row each slot holds (-1: none)       */
} conv_bands;

/* n bytes from s to d (predicated, any alignment). */
static inline void copy_bytes(int8_t *d, const int8_t *s, int32_t n)
{
    for (; n > 0; n -= 16, d += 16, s += 16) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        vstrbq_p_s8(d, vldrbq_z_s8(s, pr), pr);
    }
}

/* The band of output row oy into its slot; returns the slot's bytes. */
static const int8_t *band_of(const nk_conv_params *p, const int8_t *in_b, int32_t oy,
                             conv_bands *bd, int8x16_t zp)
{
    int8_t *d = bd->buf + (size_t)(oy & 3) * p->filter_h * bd->wpc;
    if (bd->row[oy & 3] == oy)
        return d;
    bd->row[oy & 3] = oy;
    const int32_t c = p->in_c, wp = bd->wpc / c;
    /* band columns j hold image column j - pad_left */
    int32_t lo = p->pad_left < wp ? p->pad_left : wp;
    int32_t hi = p->pad_left + p->in_w < wp ? p->pad_left + p->in_w : wp;
    for (int32_t fy = 0; fy < p->filter_h; ++fy, d += bd->wpc) {
        const int32_t iy = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
        int32_t a = lo, z = hi;
        if (iy < 0 || iy >= p->in_h)
            a = z = 0;
        for (int32_t n = a * c, i = 0; n > 0; n -= 16, i += 16)
            vstrbq_p_s8(d + i, zp, vctp8q((uint32_t)n));
        if (z > a)
            copy_bytes(d + a * c, in_b + ((size_t)iy * p->in_w + (a - p->pad_left)) * c,
                       (z - a) * c);
        for (int32_t n = (wp - (z > a ? z : 0)) * c, i = (z > a ? z : 0) * c; n > 0;
             n -= 16, i += 16)
            vstrbq_p_s8(d + i, zp, vctp8q((uint32_t)n));
    }
    return bd->buf + (size_t)(oy & 3) * p->filter_h * bd->wpc;
}

/* The contiguous patch of pixel ox from its row's band. */
static void gather_band(const nk_conv_params *p, const int8_t *band, int32_t wpc, int32_t ox,
                        int8_t *dst)
{
    const int32_t c = p->in_c, fw = p->filter_w, row = fw * c;
    const int8_t *s = band + (size_t)ox * p->stride_w * c;
    if (p->dilation_w == 1) {
        if (row <= 16) {
            const mve_pred16_t pr = vctp8q((uint32_t)row);
            for (int32_t fy = 0; fy < p->filter_h; ++fy, s += wpc, dst += row)
                vstrbq_p_s8(dst, vldrbq_z_s8(s, pr), pr);
        } else {
            for (int32_t fy = 0; fy < p->filter_h; ++fy, s += wpc, dst += row)
                copy_bytes(dst, s, row);
        }
        return;
    }
    for (int32_t fy = 0; fy < p->filter_h; ++fy, s += wpc)
        for (int32_t fx = 0; fx < fw; ++fx, dst += c)
            copy_bytes(dst, s + (size_t)fx * p->dilation_w * c, c);
}

int nk_conv2d_s8_mve(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output)
{
    const int32_t k = p->filter_h * p->filter_w * p->in_c;
    if (k < 16 || k > NK_MVE_MAX_K || p->out_c > 256)
        return NK_ERR_PARAMS;
    int32_t tab[3 * p->out_c];
    if (!nk_mve_gemm_table(tab, filter, k, p->out_c, bias, p->in_zp, p->out_mult, p->out_shift,
                           p->per_channel))
        return NK_ERR_PARAMS; /* a shift outside -31..-1 */
    const int32_t cs = p->in_c % 16 == 0 && p->filter_h <= 16 ? 64 : 16;
    const int32_t kp = 16 * ((k + 15) / 16);
    int8_t a[NK_MVE_GEMM_ABUF(k)];
    int8_t patch[cs == 16 ? 4 * kp : 1];
    const int8x16_t zp = vdupq_n_s8((int8_t)p->in_zp);
    const int32_t wp = (p->out_w - 1) * p->stride_w + (p->filter_w - 1) * p->dilation_w + 1;
    const int use_bands = cs == 16 && (int64_t)4 * p->filter_h * wp * p->in_c <= NK_MVE_BAND_MAX;
    int8_t band_buf[use_bands ? 4 * p->filter_h * wp * p->in_c : 1];
    conv_bands bd = {.buf = band_buf, .wpc = wp * p->in_c, .row = {-1, -1, -1, -1}};
    const nk_mve_gemm g = {.w = filter, .k = k, .cols = p->out_c, .tab = tab,
                           .out_zp = p->out_zp, .act_min = p->act_min, .act_max = p->act_max,
                           .out_stride = p->out_c};
    const int32_t npix = p->out_h * p->out_w;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * npix * p->out_c;
        int32_t oy = 0, ox = 0;
        bd.row[0] = bd.row[1] = bd.row[2] = bd.row[3] = -1;
        /* the sources of the output rows a block spans (at most four) */
        conv_rows src[4];
        int32_t src_row[4] = {-1, -1, -1, -1};
        for (int32_t q = 0; q < npix; q += 4) {
            const int32_t rows = npix - q < 4 ? npix - q : 4;
            const conv_rows *rp[4];
            int32_t oxs[4];
            for (int32_t r = 0; r < rows; ++r) {
                if (cs == 64) {
                    if (src_row[oy & 3] != oy) {
                        rows_of(p, in_b, oy, &src[oy & 3]);
                        src_row[oy & 3] = oy;
                    }
                    rp[r] = &src[oy & 3];
                    oxs[r] = ox;
                } else if (use_bands) {
                    gather_band(p, band_of(p, in_b, oy, &bd, zp), bd.wpc, ox, patch + r * kp);
                } else {
                    gather(p, in_b, oy, ox, patch + r * kp, 16, zp);
                }
                if (++ox == p->out_w) {
                    ox = 0;
                    ++oy;
                }
            }
            if (cs == 64)
                gather16(p, rp, oxs, rows, a, zp);
            else
                nk_mve_gemm_interleave(a, patch, kp, k, rows);
            nk_mve_gemm_rows4(&g, a, rows, out_b + (size_t)q * p->out_c);
        }
    }
    return NK_OK;
}

#else
typedef int nk_mve_conv2d_unused; /* ISO C: no empty translation unit */
#endif
