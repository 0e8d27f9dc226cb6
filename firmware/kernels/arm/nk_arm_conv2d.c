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

static inline int8_t conv_out(const nk_conv_params *p, int32_t oc, int32_t acc,
                              const int32_t *bias)
{
    if (bias)
        acc += bias[oc];
    const int32_t q = p->per_channel ? oc : 0;
    acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
    return (int8_t)nk_clamp(acc, p->act_min, p->act_max);
}

#ifndef NK_ARM_PATCH_MAX
#define NK_ARM_PATCH_MAX 512
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

static int conv_patch(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                      const int32_t *bias, int8_t *output)
{
    int16_t patch[NK_ARM_PATCH_MAX];
    const int32_t len = p->filter_h * p->filter_w * p->in_c;
    const int32_t len4 = len & ~3;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                gather_patch(p, in_b, oy * p->stride_h - p->pad_top,
                             ox * p->stride_w - p->pad_left, len4, patch);
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; oc += 2) {
                    const int two = oc + 1 < p->out_c;
                    const int8_t *f0 = filter + (size_t)oc * len;
                    const int8_t *f1 = two ? f0 + len : f0;
                    int32_t a0 = 0, a1 = 0;
                    int32_t k = 0;
                    for (; k < len4; k += 4) {
                        int32_t x02, x13;
                        memcpy(&x02, patch + k, 4);
                        memcpy(&x13, patch + k + 2, 4);
                        const uint32_t v0 = nk_arm_load32(f0 + k);
                        const uint32_t v1 = nk_arm_load32(f1 + k);
                        a0 = __smlad(x02, __sxtb16(v0), a0);
                        a0 = __smlad(x13, nk_arm_sxtb16_ror8(v0), a0);
                        a1 = __smlad(x02, __sxtb16(v1), a1);
                        a1 = __smlad(x13, nk_arm_sxtb16_ror8(v1), a1);
                    }
                    for (; k < len; ++k) {
                        a0 += (int32_t)f0[k] * patch[k];
                        a1 += (int32_t)f1[k] * patch[k];
                    }
                    out[oc] = conv_out(p, oc, a0, bias);
                    if (two)
                        out[oc + 1] = conv_out(p, oc + 1, a1, bias);
                }
            }
        }
    }
    return NK_OK;
}

int nk_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output)
{
    if (p->filter_h * p->filter_w * p->in_c <= NK_ARM_PATCH_MAX)
        return conv_patch(p, input, filter, bias, output);
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w, zp = p->in_zp;
    const size_t filter_oc = (size_t)fh * fw * in_c;
    const uint32_t off2 = nk_arm_offset2(zp);
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
                    out[oc] = conv_out(p, oc, a0, bias);
                    if (two)
                        out[oc + 1] = conv_out(p, oc + 1, a1, bias);
                }
            }
        }
    }
    return NK_OK;
}

#else
typedef int nk_arm_conv2d_unused; /* ISO C: no empty translation unit */
#endif
