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
#include "nk_conv_walk.h"

/* the arguments of the depthwise kernels for their pixel functions (the
 * element types those functions give them) */
typedef struct dw_args {
    const void *input, *filter, *bias, *bias32;
    void *output;
} dw_args;

/* one output channel's sum over the taps: input channel ic of the tap
 * (from in), filter element oc of the tap (out_c apart) */
typedef struct dw_s8_sum {
    const int8_t *in, *f;
    int32_t ic, oc, out_c, zp, acc;
} dw_s8_sum;

static inline __attribute__((always_inline)) void dw_s8_tap(void *ctx, size_t in, int32_t f)
{
    dw_s8_sum *s = (dw_s8_sum *)ctx;
    const int32_t iv = s->in[in + s->ic];
    const int32_t fv = s->f[(size_t)f * s->out_c + s->oc];
    s->acc += fv * (iv - s->zp);
}

static inline __attribute__((always_inline)) void dw_s8_px(const nk_conv_params *p,
                                                           const nk_conv_px *px, void *ctx)
{
    const dw_args *a = (const dw_args *)ctx;
    const int32_t *bias = (const int32_t *)a->bias;
    int8_t *out = (int8_t *)a->output + px->out;
    for (int32_t ic = 0; ic < p->in_c; ++ic) {
        for (int32_t m = 0; m < p->depth_multiplier; ++m) {
            const int32_t oc = ic * p->depth_multiplier + m;
            dw_s8_sum s = {(const int8_t *)a->input + px->in, (const int8_t *)a->filter, ic, oc,
                           p->out_c, p->in_zp, 0};
            nk_conv_taps(p, px, dw_s8_tap, &s);
            int32_t acc = s.acc;
            if (bias)
                acc += bias[oc];
            const int32_t q = p->per_channel ? oc : 0;
            acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
            out[oc] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
        }
    }
}

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
    dw_args a = {input, filter, bias, NULL, output};
    nk_conv_walk(p, dw_s8_px, &a);
    return NK_OK;
}

/* one output channel's int64 sum over the taps (dw_s8_sum's way) */
typedef struct dw_s16_sum {
    const int16_t *in;
    const int8_t *f;
    int32_t ic, oc, out_c;
    int64_t acc;
} dw_s16_sum;

static inline __attribute__((always_inline)) void dw_s16_tap(void *ctx, size_t in, int32_t f)
{
    dw_s16_sum *s = (dw_s16_sum *)ctx;
    const int32_t iv = s->in[in + s->ic];
    const int32_t fv = s->f[(size_t)f * s->out_c + s->oc];
    s->acc += fv * iv;
}

static inline __attribute__((always_inline)) void dw_s16_px(const nk_conv_params *p,
                                                            const nk_conv_px *px, void *ctx)
{
    const dw_args *a = (const dw_args *)ctx;
    const int64_t *bias = (const int64_t *)a->bias;
    const int32_t *bias32 = (const int32_t *)a->bias32;
    int16_t *out = (int16_t *)a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        dw_s16_sum s = {(const int16_t *)a->input + px->in, (const int8_t *)a->filter,
                        oc / p->depth_multiplier, oc, p->out_c, 0};
        nk_conv_taps(p, px, dw_s16_tap, &s);
        int64_t acc = s.acc;
        if (bias)
            acc += bias[oc];
        if (bias32)
            acc += bias32[oc];
        const int32_t q = p->per_channel ? oc : 0;
        const int32_t v = bias32 ? nk_mbqm(nk_wrap64to32(acc), p->out_mult[q], p->out_shift[q])
                                 : nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
        out[oc] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
    }
}

/* int16x8 as nk_conv2d_s16: int16 activations (zero points 0), int8
 * weights, int64 bias and accumulator, nk_mbqm64.  Portable only. */
static int dwconv2d_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                        const int64_t *bias, const int32_t *bias32, int16_t *output)
{
    if (nk_conv_check(p, 1) != NK_OK || !input || !filter || !output ||
        !p->out_mult || !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    dw_args a = {input, filter, bias, bias32, output};
    nk_conv_walk(p, dw_s16_px, &a);
    return NK_OK;
}

/* one output channel's float sum over the taps (dw_s8_sum's way) */
typedef struct dw_f32_sum {
    const float *in, *f;
    int32_t ic, oc, out_c;
    float total;
} dw_f32_sum;

static inline __attribute__((always_inline)) void dw_f32_tap(void *ctx, size_t in, int32_t f)
{
    dw_f32_sum *s = (dw_f32_sum *)ctx;
    s->total += s->in[in + s->ic] * s->f[(size_t)f * s->out_c + s->oc];
}

static inline __attribute__((always_inline)) void dw_f32_px(const nk_conv_params *p,
                                                            const nk_conv_px *px, void *ctx)
{
    const dw_args *a = (const dw_args *)ctx;
    const float *bias = (const float *)a->bias;
    float *out = (float *)a->output + px->out;
    for (int32_t ic = 0; ic < p->in_c; ++ic) {
        for (int32_t m = 0; m < p->depth_multiplier; ++m) {
            const int32_t oc = ic * p->depth_multiplier + m;
            dw_f32_sum s = {(const float *)a->input + px->in, (const float *)a->filter, ic, oc,
                            p->out_c, 0.0f};
            nk_conv_taps(p, px, dw_f32_tap, &s);
            const float bias_value = bias ? bias[oc] : 0.0f;
            out[oc] = nk_fminmax(s.total + bias_value, p->act_min_f, p->act_max_f);
        }
    }
}

int nk_depthwise_conv2d_f32(const nk_conv_params *p, const float *input,
                            const float *filter, const float *bias, float *output)
{
    if (nk_conv_check(p, 1) != NK_OK || !input || !filter || !output)
        return NK_ERR_PARAMS;
    dw_args a = {input, filter, bias, NULL, output};
    nk_conv_walk(p, dw_f32_px, &a);
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
