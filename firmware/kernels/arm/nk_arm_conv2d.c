/* firmware/kernels/arm/nk_arm_conv2d.c — CONV_2D int8 with the DSP
 * extension.  For each output pixel and each filter row inside the image,
 * the taps that are inside form one contiguous run of (taps * in_c) bytes in
 * both the NHWC input and the OHWI filter when dilation_w == 1, so the
 * whole run is one SMLAD dot product; two output channels per pass share
 * the converted input.  Bit-exact with ../nk_conv2d.c. */
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

int nk_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output)
{
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
