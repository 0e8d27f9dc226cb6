/* firmware/kernels/conv/nk_conv2d.c — CONV_2D, int8 (per-tensor or per-channel),
 * int16x8 and float32, NHWC input, OHWI filter.  Arithmetic as TFLite's
 * reference ConvPerChannel / Conv: accumulate over (fy, fx, ic) skipping taps
 * outside the image (implicit zero-point padding), add bias, requantize. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk_internal.h"

int nk_conv2d_s8(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, int8_t *output)
{
    if (nk_conv_check(p, 0) != NK_OK || !input || !filter || !output ||
        !p->out_mult || !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_conv2d_s8_mve(p, input, filter, bias, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the next */
#endif
#if NK_HAVE_ARM_DSP
    return nk_conv2d_s8_dsp(p, input, filter, bias, output);
#endif
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *f_oc = filter + (size_t)oc * fh * fw * in_c;
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < fw; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            const int8_t *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                            const int8_t *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                            for (int32_t ic = 0; ic < in_c; ++ic)
                                acc += (int32_t)fp[ic] * ((int32_t)ip[ic] - p->in_zp);
                        }
                    }
                    if (bias)
                        acc += bias[oc];
                    const int32_t q = p->per_channel ? oc : 0;
                    acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
                    out[oc] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

/* int16x8: int16 activations (zero points 0), int8 weights, int64 bias and
 * accumulator, requantized by the 64-bit MultiplyByQuantizedMultiplier
 * (nk_mbqm64); in_zp/out_zp are not read.  Portable only: the DSP and
 * Helium versions are int8. */
static int conv2d_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                      const int64_t *bias, const int32_t *bias32, int acc32, int16_t *output)
{
    if (nk_conv_check(p, 0) != NK_OK || !input || !filter || !output ||
        !p->out_mult || !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int16_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *f_oc = filter + (size_t)oc * fh * fw * in_c;
                    int64_t acc = 0;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < fw; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            const int16_t *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                            const int8_t *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                            for (int32_t ic = 0; ic < in_c; ++ic)
                                acc += (int32_t)fp[ic] * (int32_t)ip[ic];
                        }
                    }
                    if (bias)
                        acc += bias[oc];
                    if (bias32)
                        acc += bias32[oc];
                    const int32_t q = p->per_channel ? oc : 0;
                    const int32_t v = acc32 ? nk_mbqm(nk_wrap64to32(acc), p->out_mult[q],
                                                       p->out_shift[q])
                                             : nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
                    out[oc] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

int nk_conv2d_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                  const int64_t *bias, int16_t *output)
{
    return conv2d_s16(p, input, filter, bias, NULL, 0, output);
}

/* int16x8 with an int32 bias (TFLite's ConvPerChannel<int32_t>): int32
 * accumulator (wrapping) and the 32-bit MultiplyByQuantizedMultiplier. */
int nk_conv2d_s16_b32(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                      const int32_t *bias, int16_t *output)
{
    return conv2d_s16(p, input, filter, NULL, bias, 1, output);
}

int nk_conv2d_f32(const nk_conv_params *p, const float *input, const float *filter,
                  const float *bias, float *output)
{
    if (nk_conv_check(p, 0) != NK_OK || !input || !filter || !output)
        return NK_ERR_PARAMS;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                float *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const float *f_oc = filter + (size_t)oc * fh * fw * in_c;
                    float total = 0.0f;
                    for (int32_t fy = 0; fy < fh; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < fw; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            const float *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                            const float *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                            for (int32_t ic = 0; ic < in_c; ++ic)
                                total += ip[ic] * fp[ic];
                        }
                    }
                    const float bias_value = bias ? bias[oc] : 0.0f;
                    out[oc] = nk_fminmax(total + bias_value, p->act_min_f, p->act_max_f);
                }
            }
        }
    }
    return NK_OK;
}
