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
#include "nk_conv_walk.h"

/* the arguments of nk_conv2d_s8 for its pixel function */
typedef struct conv_s8_args {
    const int8_t *input, *filter;
    const int32_t *bias;
    int8_t *output;
} conv_s8_args;

/* all output channels of one pixel */
static inline __attribute__((always_inline)) void conv_s8_px(const nk_conv_params *p,
                                                             const nk_conv_px *px, void *ctx)
{
    const conv_s8_args *a = (const conv_s8_args *)ctx;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    const int8_t *in_b = a->input + px->in;
    int8_t *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int8_t *f_oc = a->filter + (size_t)oc * fh * fw * in_c;
        int32_t acc = 0;
        for (int32_t fy = 0; fy < fh; ++fy) {
            const int32_t iy = px->y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h)
                continue;
            for (int32_t fx = 0; fx < fw; ++fx) {
                const int32_t ix = px->x0 + p->dilation_w * fx;
                if (ix < 0 || ix >= in_w)
                    continue;
                const int8_t *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                const int8_t *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                for (int32_t ic = 0; ic < in_c; ++ic)
                    acc += (int32_t)fp[ic] * ((int32_t)ip[ic] - p->in_zp);
            }
        }
        if (a->bias)
            acc += a->bias[oc];
        const int32_t q = p->per_channel ? oc : 0;
        acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
        out[oc] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
    }
}

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
    conv_s8_args a = {input, filter, bias, output};
    nk_conv_walk(p, conv_s8_px, &a);
    return NK_OK;
}

/* the arguments of conv2d_s16 for its pixel function */
typedef struct conv_s16_args {
    const int16_t *input;
    const int8_t *filter;
    const int64_t *bias;
    const int32_t *bias32;
    int acc32;
    int16_t *output;
} conv_s16_args;

static inline __attribute__((always_inline)) void conv_s16_px(const nk_conv_params *p,
                                                              const nk_conv_px *px, void *ctx)
{
    const conv_s16_args *a = (const conv_s16_args *)ctx;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    const int16_t *in_b = a->input + px->in;
    int16_t *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int8_t *f_oc = a->filter + (size_t)oc * fh * fw * in_c;
        int64_t acc = 0;
        for (int32_t fy = 0; fy < fh; ++fy) {
            const int32_t iy = px->y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h)
                continue;
            for (int32_t fx = 0; fx < fw; ++fx) {
                const int32_t ix = px->x0 + p->dilation_w * fx;
                if (ix < 0 || ix >= in_w)
                    continue;
                const int16_t *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                const int8_t *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                for (int32_t ic = 0; ic < in_c; ++ic)
                    acc += (int32_t)fp[ic] * (int32_t)ip[ic];
            }
        }
        if (a->bias)
            acc += a->bias[oc];
        if (a->bias32)
            acc += a->bias32[oc];
        const int32_t q = p->per_channel ? oc : 0;
        const int32_t v = a->acc32 ? nk_mbqm(nk_wrap64to32(acc), p->out_mult[q], p->out_shift[q])
                                   : nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
        out[oc] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
    }
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
    conv_s16_args a = {input, filter, bias, bias32, acc32, output};
    nk_conv_walk(p, conv_s16_px, &a);
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

/* the arguments of nk_conv2d_f32 for its pixel function */
typedef struct conv_f32_args {
    const float *input, *filter, *bias;
    float *output;
} conv_f32_args;

static inline __attribute__((always_inline)) void conv_f32_px(const nk_conv_params *p,
                                                              const nk_conv_px *px, void *ctx)
{
    const conv_f32_args *a = (const conv_f32_args *)ctx;
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
    const int32_t fh = p->filter_h, fw = p->filter_w;
    const float *in_b = a->input + px->in;
    float *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const float *f_oc = a->filter + (size_t)oc * fh * fw * in_c;
        float total = 0.0f;
        for (int32_t fy = 0; fy < fh; ++fy) {
            const int32_t iy = px->y0 + p->dilation_h * fy;
            if (iy < 0 || iy >= in_h)
                continue;
            for (int32_t fx = 0; fx < fw; ++fx) {
                const int32_t ix = px->x0 + p->dilation_w * fx;
                if (ix < 0 || ix >= in_w)
                    continue;
                const float *ip = in_b + ((size_t)iy * in_w + ix) * in_c;
                const float *fp = f_oc + ((size_t)fy * fw + fx) * in_c;
                for (int32_t ic = 0; ic < in_c; ++ic)
                    total += ip[ic] * fp[ic];
            }
        }
        const float bias_value = a->bias ? a->bias[oc] : 0.0f;
        out[oc] = nk_fminmax(total + bias_value, p->act_min_f, p->act_max_f);
    }
}

int nk_conv2d_f32(const nk_conv_params *p, const float *input, const float *filter,
                  const float *bias, float *output)
{
    if (nk_conv_check(p, 0) != NK_OK || !input || !filter || !output)
        return NK_ERR_PARAMS;
    conv_f32_args a = {input, filter, bias, output};
    nk_conv_walk(p, conv_f32_px, &a);
    return NK_OK;
}
