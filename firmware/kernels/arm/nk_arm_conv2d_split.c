/* firmware/kernels/arm/nk_arm_conv2d_split.c — CONV_2D int8 with the DSP
 * extension for patches too long for four pixels in the patch buffer
 * (4 * patch length > NK_ARM_PATCH_MAX, e.g. ResNet's 8x8x64 3x3: 576
 * taps), in_c % 4 == 0, no dilation.  Before, such layers gathered two
 * pixels (or one) per block and ran the 2-pixel kernel: 8 instructions per
 * 8 MACs.  Here the patch is split by filter rows into chunks of at most
 * NK_ARM_SPLIT_PATCH halfwords for four pixels; for each chunk every
 * output channel runs the 4-pixel kernel (nk_arm_conv_k4, 13 instructions
 * per 16 MACs) on its slice of the filter, its four partial sums kept in an
 * accumulator table (up to NK_ARM_SPLIT_OC channels per pass), and after
 * the last chunk the sums are requantized.  Gathers as in nk_arm_conv2d.c
 * (lane-ordered x - zp halfword pairs; 0 for padding), filter row by
 * filter row.  Stack: 1536 + 1024 bytes, about what the patch path uses,
 * and never together with it.  Bit-exact with ../nk_conv2d.c (integer sums
 * are exact). */
#include "nk_arm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP

#include "nk_arm_conv2d_mac.h"

#ifndef NK_ARM_SPLIT_PATCH
#define NK_ARM_SPLIT_PATCH 768 /* halfwords: four pixels of one chunk */
#endif
#ifndef NK_ARM_SPLIT_OC
#define NK_ARM_SPLIT_OC 64 /* output channels per accumulator pass */
#endif

/* Filter rows fy0 .. fy0 + nr - 1 of output pixel (y0, x0) (top-left tap
 * position) into the chunk buffer at g (stride 8 words: four pixels). */
static void split_gather(const nk_conv_params *p, const int8_t *in_b, int32_t y0, int32_t x0,
                         int32_t fy0, int32_t nr, uint32_t *g, uint32_t off2)
{
    const int32_t fw = p->filter_w, in_c = p->in_c, cw = in_c >> 2;
    const size_t row_bytes = (size_t)p->in_w * in_c;
    const int inside_x = x0 >= 0 && x0 + fw <= p->in_w;
    for (int32_t fy = fy0; fy < fy0 + nr; ++fy) {
        const int32_t iy = y0 + fy;
        if (iy < 0 || iy >= p->in_h) {
            g = conv_put_zero(g, 8, fw * cw);
            continue;
        }
        const int8_t *src = in_b + (size_t)iy * row_bytes;
        if (inside_x) {
            g = conv_put_words(g, 8, src + (size_t)x0 * in_c, fw * cw, off2);
            continue;
        }
        for (int32_t fx = 0; fx < fw; ++fx) {
            const int32_t ix = x0 + fx;
            if (ix < 0 || ix >= p->in_w)
                g = conv_put_zero(g, 8, cw);
            else
                g = conv_put_words(g, 8, src + (size_t)ix * in_c, cw, off2);
        }
    }
}

/* The nv (<= 4) outputs of channels oc0 .. oc0 + nch - 1 from their sums. */
static void split_out(const nk_conv_params *p, const int32_t *bias, const int32_t *acc,
                      int32_t oc0, int32_t nch, int32_t nv, int8_t *out)
{
    const nk_arm_conv_q q = nk_arm_conv_q_of(p, bias);
    const int32_t out_c = p->out_c;
    for (int32_t i = 0; i < nch; ++i) {
        const int32_t oc = oc0 + i;
        const int32_t *a = acc + 4 * i;
        conv_rq r;
        if (conv_rq_of(&q, oc, &r)) {
            const int32_t bc = bias ? bias[oc] : 0;
            for (int32_t j = 0; j < nv; ++j)
                out[(size_t)j * out_c + oc] = conv_rq_out(&r, a[j] + bc, q.lo, q.hi);
        } else {
            for (int32_t j = 0; j < nv; ++j)
                out[(size_t)j * out_c + oc] = nk_arm_conv_q_out(&q, oc, a[j]);
        }
    }
}

int nk_arm_conv2d_split(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, int8_t *output)
{
    const int32_t fh = p->filter_h, fw = p->filter_w, in_c = p->in_c;
    const int32_t row_len = fw * in_c, len = fh * row_len;
    if ((in_c & 3) || p->dilation_h != 1 || p->dilation_w != 1 ||
        4 * row_len > NK_ARM_SPLIT_PATCH || 4 * len <= NK_ARM_PATCH_MAX)
        return NK_ERR_PARAMS;
    uint32_t buf32[NK_ARM_SPLIT_PATCH / 2]; /* word aligned for LDM */
    int32_t acc[4 * NK_ARM_SPLIT_OC];
    const int16_t *const buf = (const int16_t *)buf32;
    const int32_t rows = NK_ARM_SPLIT_PATCH / (4 * row_len); /* filter rows per chunk */
    const int32_t out_c = p->out_c, out_w = p->out_w, npix = p->out_h * out_w;
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * in_c;
        int8_t *out_b = output + (size_t)b * npix * out_c;
        for (int32_t pix = 0; pix < npix; pix += 4) {
            /* a short last block repeats its last pixel */
            const int32_t nv = npix - pix < 4 ? npix - pix : 4;
            int32_t y0[4], x0[4];
            for (int32_t j = 0; j < 4; ++j) {
                const int32_t pj = pix + (j < nv ? j : nv - 1);
                const int32_t oy = pj / out_w, ox = pj - oy * out_w;
                y0[j] = oy * p->stride_h - p->pad_top;
                x0[j] = ox * p->stride_w - p->pad_left;
            }
            for (int32_t oc0 = 0; oc0 < out_c; oc0 += NK_ARM_SPLIT_OC) {
                const int32_t nch = out_c - oc0 < NK_ARM_SPLIT_OC ? out_c - oc0 : NK_ARM_SPLIT_OC;
                for (int32_t i = 0; i < 4 * nch; ++i)
                    acc[i] = 0;
                for (int32_t fy0 = 0; fy0 < fh; fy0 += rows) {
                    const int32_t nr = fh - fy0 < rows ? fh - fy0 : rows;
                    for (int32_t j = 0; j < 4; ++j)
                        split_gather(p, in_b, y0[j], x0[j], fy0, nr, buf32 + 2 * j, off2);
                    const int32_t ng = nr * row_len >> 2;
                    const int8_t *f = filter + (size_t)oc0 * len + (size_t)fy0 * row_len;
                    for (int32_t i = 0; i < nch; ++i, f += len)
                        conv_k4(buf, f, ng, acc + 4 * i);
                }
                split_out(p, bias, acc, oc0, nch, nv, out_b + (size_t)pix * out_c);
            }
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_split_unused; /* ISO C: no empty translation unit */
#endif
