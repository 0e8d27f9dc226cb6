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

/* one output channel's sum over the taps: input from in, filter from f
 * (the channel's filter), in_c channels a tap */
typedef struct conv_s8_sum {
    const int8_t *in, *f;
    int32_t in_c, zp, acc;
} conv_s8_sum;

static inline __attribute__((always_inline)) void conv_s8_tap(void *ctx, size_t in, int32_t f)
{
    conv_s8_sum *s = (conv_s8_sum *)ctx;
    const int8_t *ip = s->in + in, *fp = s->f + (size_t)f * s->in_c;
    for (int32_t ic = 0; ic < s->in_c; ++ic)
        s->acc += (int32_t)fp[ic] * ((int32_t)ip[ic] - s->zp);
}

/* all output channels of one pixel */
static inline __attribute__((always_inline)) void conv_s8_px(const nk_conv_params *p,
                                                             const nk_conv_px *px, void *ctx)
{
    const conv_s8_args *a = (const conv_s8_args *)ctx;
    const size_t len = (size_t)p->filter_h * p->filter_w * p->in_c;
    int8_t *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        conv_s8_sum s = {a->input + px->in, a->filter + (size_t)oc * len, p->in_c, p->in_zp, 0};
        nk_conv_taps(p, px, conv_s8_tap, &s);
        int32_t acc = s.acc;
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

/* one output channel's int64 sum over the taps (conv_s8_sum's way) */
typedef struct conv_s16_sum {
    const int16_t *in;
    const int8_t *f;
    int32_t in_c;
    int64_t acc;
} conv_s16_sum;

static inline __attribute__((always_inline)) void conv_s16_tap(void *ctx, size_t in, int32_t f)
{
    conv_s16_sum *s = (conv_s16_sum *)ctx;
    const int16_t *ip = s->in + in;
    const int8_t *fp = s->f + (size_t)f * s->in_c;
    for (int32_t ic = 0; ic < s->in_c; ++ic)
        s->acc += (int32_t)fp[ic] * (int32_t)ip[ic];
}

static inline __attribute__((always_inline)) void conv_s16_px(const nk_conv_params *p,
                                                              const nk_conv_px *px, void *ctx)
{
    const conv_s16_args *a = (const conv_s16_args *)ctx;
    const size_t len = (size_t)p->filter_h * p->filter_w * p->in_c;
    int16_t *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        conv_s16_sum s = {a->input + px->in, a->filter + (size_t)oc * len, p->in_c, 0};
        nk_conv_taps(p, px, conv_s16_tap, &s);
        int64_t acc = s.acc;
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

/* one output channel's float sum over the taps (conv_s8_sum's way) */
typedef struct conv_f32_sum {
    const float *in, *f;
    int32_t in_c;
    float total;
} conv_f32_sum;

static inline __attribute__((always_inline)) void conv_f32_tap(void *ctx, size_t in, int32_t f)
{
    conv_f32_sum *s = (conv_f32_sum *)ctx;
    const float *ip = s->in + in, *fp = s->f + (size_t)f * s->in_c;
    for (int32_t ic = 0; ic < s->in_c; ++ic)
        s->total += ip[ic] * fp[ic];
}

static inline __attribute__((always_inline)) void conv_f32_px(const nk_conv_params *p,
                                                              const nk_conv_px *px, void *ctx)
{
    const conv_f32_args *a = (const conv_f32_args *)ctx;
    const size_t len = (size_t)p->filter_h * p->filter_w * p->in_c;
    float *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        conv_f32_sum s = {a->input + px->in, a->filter + (size_t)oc * len, p->in_c, 0.0f};
        nk_conv_taps(p, px, conv_f32_tap, &s);
        const float bias_value = a->bias ? a->bias[oc] : 0.0f;
        out[oc] = nk_fminmax(s.total + bias_value, p->act_min_f, p->act_max_f);
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
