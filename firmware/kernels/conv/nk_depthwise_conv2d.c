/* firmware/kernels/conv/nk_depthwise_conv2d.c — DEPTHWISE_CONV_2D with depth
 * multiplier, int8 (per-tensor or per-channel), int16x8 and float32.  Filter layout
 * [1][kh][kw][in_c * depth_multiplier]; output channel oc = ic * dm + m.
 * Arithmetic as TFLite's reference DepthwiseConvPerChannel / DepthwiseConv. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk_internal.h"

int nk_depthwise_conv2d_s8(const nk_conv_params *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output)
{
    if (nk_conv_check(p, 1) != NK_OK || !input || !filter || !output ||
        !p->out_mult || !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE_FP
    if (nk_depthwise_conv2d_s8_mve(p, input, filter, bias, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the next */
#endif
#if NK_HAVE_ARM_DSP
    if (nk_depthwise_conv2d_s8_dsp(p, input, filter, bias, output) == NK_OK)
        return NK_OK; /* else: a case the DSP version leaves to this loop */
#endif
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_c = p->out_c, dm = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * out_c;
                for (int32_t ic = 0; ic < in_c; ++ic) {
                    for (int32_t m = 0; m < dm; ++m) {
                        const int32_t oc = ic * dm + m;
                        int32_t acc = 0;
                        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
                            const int32_t iy = y0 + p->dilation_h * fy;
                            if (iy < 0 || iy >= in_h)
                                continue;
                            for (int32_t fx = 0; fx < p->filter_w; ++fx) {
                                const int32_t ix = x0 + p->dilation_w * fx;
                                if (ix < 0 || ix >= in_w)
                                    continue;
                                const int32_t iv = in_b[((size_t)iy * in_w + ix) * in_c + ic];
                                const int32_t fv =
                                    filter[((size_t)fy * p->filter_w + fx) * out_c + oc];
                                acc += fv * (iv - p->in_zp);
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
    }
    return NK_OK;
}

/* int16x8 as nk_conv2d_s16: int16 activations (zero points 0), int8
 * weights, int64 bias and accumulator, nk_mbqm64.  Portable only. */
static int dwconv2d_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                        const int64_t *bias, const int32_t *bias32, int16_t *output)
{
    if (nk_conv_check(p, 1) != NK_OK || !input || !filter || !output ||
        !p->out_mult || !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_c = p->out_c, dm = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int16_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * out_c;
                for (int32_t oc = 0; oc < out_c; ++oc) {
                    const int32_t ic = oc / dm;
                    int64_t acc = 0;
                    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
                        const int32_t iy = y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_h)
                            continue;
                        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
                            const int32_t ix = x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_w)
                                continue;
                            const int32_t iv = in_b[((size_t)iy * in_w + ix) * in_c + ic];
                            const int32_t fv = filter[((size_t)fy * p->filter_w + fx) * out_c + oc];
                            acc += fv * iv;
                        }
                    }
                    if (bias)
                        acc += bias[oc];
                    if (bias32)
                        acc += bias32[oc];
                    const int32_t q = p->per_channel ? oc : 0;
                    const int32_t v = bias32 ? nk_mbqm(nk_wrap64to32(acc), p->out_mult[q],
                                                       p->out_shift[q])
                                             : nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
                    out[oc] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
                }
            }
        }
    }
    return NK_OK;
}

int nk_depthwise_conv2d_f32(const nk_conv_params *p, const float *input,
                            const float *filter, const float *bias, float *output)
{
    if (nk_conv_check(p, 1) != NK_OK || !input || !filter || !output)
        return NK_ERR_PARAMS;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t out_c = p->out_c, dm = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                float *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * out_c;
                for (int32_t ic = 0; ic < in_c; ++ic) {
                    for (int32_t m = 0; m < dm; ++m) {
                        const int32_t oc = ic * dm + m;
                        float total = 0.0f;
                        for (int32_t fy = 0; fy < p->filter_h; ++fy) {
                            const int32_t iy = y0 + p->dilation_h * fy;
                            if (iy < 0 || iy >= in_h)
                                continue;
                            for (int32_t fx = 0; fx < p->filter_w; ++fx) {
                                const int32_t ix = x0 + p->dilation_w * fx;
                                if (ix < 0 || ix >= in_w)
                                    continue;
                                total += in_b[((size_t)iy * in_w + ix) * in_c + ic] *
                                         filter[((size_t)fy * p->filter_w + fx) * out_c + oc];
                            }
                        }
                        const float bias_value = bias ? bias[oc] : 0.0f;
                        out[oc] = nk_fminmax(total + bias_value, p->act_min_f, p->act_max_f);
                    }
                }
            }
        }
    }
    return NK_OK;
}

int nk_depthwise_conv2d_s16(const nk_conv_params *p, const int16_t *input,
                            const int8_t *filter, const int64_t *bias, int16_t *output)
{
    return dwconv2d_s16(p, input, filter, bias, NULL, output);
}

/* int16x8 with an int32 bias: int32 accumulator (wrapping), nk_mbqm. */
int nk_depthwise_conv2d_s16_b32(const nk_conv_params *p, const int16_t *input,
                                const int8_t *filter, const int32_t *bias, int16_t *output)
{
    if (!bias)
        return NK_ERR_PARAMS;
    return dwconv2d_s16(p, input, filter, NULL, bias, output);
}
