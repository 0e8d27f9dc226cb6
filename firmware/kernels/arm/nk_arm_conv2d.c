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

#ifndef NK_ARM_PATCH_MAX
#define NK_ARM_PATCH_MAX 1152
#endif

/* Gathers the receptive field of output (oy, ox) into patch (see top). */
static void gather_patch(const nk_conv_params *p, const int8_t *in_b, int32_t y0, int32_t x0,
                         int32_t len4, int16_t *patch)
{
    static const uint8_t lane[4] = {0, 2, 1, 3};
    const int32_t in_c = p->in_c, zp = p->in_zp;
    int32_t k = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + p->dilation_h * fy;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + p->dilation_w * fx;
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            const int8_t *ip = in_b + ((size_t)iy * p->in_w + ix) * in_c;
            for (int32_t ic = 0; ic < in_c; ++ic, ++k) {
                const int32_t pos = k < len4 ? ((k & ~3) | lane[k & 3]) : k;
                patch[pos] = (int16_t)(inside ? (int32_t)ip[ic] - zp : 0);
            }
        }
    }
}

/* Output channels oc, oc+1 (f1 == f0 when only oc exists) of one pixel
 * from its gathered patch. */
static inline void conv_pixel_1x2(const int16_t *pa, const int8_t *f0, const int8_t *f1,
                                  int32_t len, int32_t len4, int32_t *r0, int32_t *r1)
{
    int32_t a0 = 0, a1 = 0;
    int32_t k = 0;
    for (; k < len4; k += 4) {
        int32_t x02, x13;
        memcpy(&x02, pa + k, 4);
        memcpy(&x13, pa + k + 2, 4);
        const uint32_t v0 = nk_arm_load32(f0 + k);
        const uint32_t v1 = nk_arm_load32(f1 + k);
        a0 = __smlad(x02, __sxtb16(v0), a0);
        a0 = __smlad(x13, nk_arm_sxtb16_ror8(v0), a0);
        a1 = __smlad(x02, __sxtb16(v1), a1);
        a1 = __smlad(x13, nk_arm_sxtb16_ror8(v1), a1);
    }
    for (; k < len; ++k) {
        a0 += (int32_t)f0[k] * pa[k];
        a1 += (int32_t)f1[k] * pa[k];
    }
    *r0 = a0;
    *r1 = a1;
}

/* Two pixels (patches pa, pb) x two output channels (f0, f1): four
 * accumulators share every weight load and unpack. */
static inline void conv_pixel_2x2(const int16_t *pa, const int16_t *pb, const int8_t *f0,
                                  const int8_t *f1, int32_t len, int32_t len4, int32_t r[4])
{
    int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    int32_t k = 0;
    for (; k < len4; k += 4) {
        int32_t xa02, xa13, xb02, xb13;
        memcpy(&xa02, pa + k, 4);
        memcpy(&xa13, pa + k + 2, 4);
        memcpy(&xb02, pb + k, 4);
        memcpy(&xb13, pb + k + 2, 4);
        const uint32_t v0 = nk_arm_load32(f0 + k);
        const int32_t w0l = (int32_t)__sxtb16(v0), w0h = nk_arm_sxtb16_ror8(v0);
        a0 = __smlad(xa02, w0l, a0);
        a0 = __smlad(xa13, w0h, a0);
        b0 = __smlad(xb02, w0l, b0);
        b0 = __smlad(xb13, w0h, b0);
        const uint32_t v1 = nk_arm_load32(f1 + k);
        const int32_t w1l = (int32_t)__sxtb16(v1), w1h = nk_arm_sxtb16_ror8(v1);
        a1 = __smlad(xa02, w1l, a1);
        a1 = __smlad(xa13, w1h, a1);
        b1 = __smlad(xb02, w1l, b1);
        b1 = __smlad(xb13, w1h, b1);
    }
    for (; k < len; ++k) {
        a0 += (int32_t)f0[k] * pa[k];
        a1 += (int32_t)f1[k] * pa[k];
        b0 += (int32_t)f0[k] * pb[k];
        b1 += (int32_t)f1[k] * pb[k];
    }
    r[0] = a0;
    r[1] = a1;
    r[2] = b0;
    r[3] = b1;
}

/* Patch strategy.  When two patches fit the buffer (2 * len <=
 * NK_ARM_PATCH_MAX), output pixels are processed in pairs of the same row
 * (2 pixels x 2 channels per pass); a lone last pixel uses one patch. */
/* gather_patch when in_c is a multiple of 4: every tap's channels are whole
 * groups of four, so one word of input becomes, with SXTB16 and SADD16,
 * the two lane-ordered halfword pairs (0,2) (1,3) directly. */
static void gather_patch4(const nk_conv_params *p, const int8_t *in_b, int32_t y0, int32_t x0,
                          uint32_t off2, int16_t *patch)
{
    const int32_t in_c = p->in_c;
    int16_t *dst = patch;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + p->dilation_h * fy;
        const int row_in = iy >= 0 && iy < p->in_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + p->dilation_w * fx;
            if (row_in && ix >= 0 && ix < p->in_w) {
                const int8_t *ip = in_b + ((size_t)iy * p->in_w + ix) * in_c;
                for (int32_t ic = 0; ic < in_c; ic += 4, dst += 4) {
                    const uint32_t xv = nk_arm_load32(ip + ic);
                    const int16x2_t x02 = __sadd16(__sxtb16(xv), off2);
                    const int16x2_t x13 = __sadd16(nk_arm_sxtb16_ror8(xv), off2);
                    memcpy(dst, &x02, 4);
                    memcpy(dst + 2, &x13, 4);
                }
            } else {
                memset(dst, 0, (size_t)in_c * sizeof *dst);
                dst += in_c;
            }
        }
    }
}

static int conv_patch(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output)
{
    int16_t patch[NK_ARM_PATCH_MAX];
    int16_t *const pb = patch + NK_ARM_PATCH_MAX / 2;
    const int32_t len = p->filter_h * p->filter_w * p->in_c;
    const int32_t len4 = len & ~3;
    const int pairs = 2 * len <= NK_ARM_PATCH_MAX;
    const conv_q q = conv_q_of(p, bias);
    const int by4 = (p->in_c & 3) == 0;
    const uint32_t off2 = nk_arm_offset2(p->in_zp);
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w;) {
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                if (by4)
                    gather_patch4(p, in_b, y0, ox * p->stride_w - p->pad_left, off2, patch);
                else
                    gather_patch(p, in_b, y0, ox * p->stride_w - p->pad_left, len4, patch);
                if (pairs && ox + 1 < p->out_w) {
                    if (by4)
                        gather_patch4(p, in_b, y0, (ox + 1) * p->stride_w - p->pad_left, off2,
                                      pb);
                    else
                        gather_patch(p, in_b, y0, (ox + 1) * p->stride_w - p->pad_left, len4,
                                     pb);
                    int8_t *out_b = out + p->out_c;
                    for (int32_t oc = 0; oc < p->out_c; oc += 2) {
                        const int two = oc + 1 < p->out_c;
                        const int8_t *f0 = filter + (size_t)oc * len;
                        const int8_t *f1 = two ? f0 + len : f0;
                        int32_t r[4];
                        conv_pixel_2x2(patch, pb, f0, f1, len, len4, r);
                        out[oc] = conv_out(&q, oc, r[0]);
                        out_b[oc] = conv_out(&q, oc, r[2]);
                        if (two) {
                            out[oc + 1] = conv_out(&q, oc + 1, r[1]);
                            out_b[oc + 1] = conv_out(&q, oc + 1, r[3]);
                        }
                    }
                    ox += 2;
                    continue;
                }
                for (int32_t oc = 0; oc < p->out_c; oc += 2) {
                    const int two = oc + 1 < p->out_c;
                    const int8_t *f0 = filter + (size_t)oc * len;
                    const int8_t *f1 = two ? f0 + len : f0;
                    int32_t a0, a1;
                    conv_pixel_1x2(patch, f0, f1, len, len4, &a0, &a1);
                    out[oc] = conv_out(&q, oc, a0);
                    if (two)
                        out[oc + 1] = conv_out(&q, oc + 1, a1);
                }
                ox += 1;
            }
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
    if (p->filter_h * p->filter_w * p->in_c <= NK_ARM_PATCH_MAX)
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
