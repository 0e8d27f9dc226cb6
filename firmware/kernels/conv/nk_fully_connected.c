/* firmware/kernels/conv/nk_fully_connected.c — FULLY_CONNECTED, int8 (per-tensor
 * with optional weights zero point, or per-channel), int16x8 and float32.
 * Arithmetic as TFLite's reference FullyConnected / FullyConnectedPerChannel. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"
#include "arm/nk_arm.h"
#include "mve/nk_mve.h"

static int fc_check(const nk_fc_params *p)
{
    if (!p || p->batches < 1 || p->in_depth < 1 || p->out_depth < 1)
        return NK_ERR_PARAMS;
    return NK_OK;
}

int nk_fully_connected_s8(const nk_fc_params *p, const int8_t *input,
                          const int8_t *weights, const int32_t *bias, int8_t *output)
{
    if (fc_check(p) != NK_OK || !input || !weights || !output || !p->out_mult ||
        !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
#if NK_HAVE_MVE
    if (nk_fully_connected_s8_mve(p, input, weights, bias, output) == NK_OK)
        return NK_OK; /* else: a case the Helium version leaves to the next */
#endif
#if NK_HAVE_ARM_DSP
    if (p->filter_zp == 0)
        return nk_fully_connected_s8_dsp(p, input, weights, bias, output);
#endif
    const int32_t depth = p->in_depth;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in = input + (size_t)b * depth;
        for (int32_t o = 0; o < p->out_depth; ++o) {
            const int8_t *w = weights + (size_t)o * depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < depth; ++d)
                acc += ((int32_t)w[d] - p->filter_zp) * ((int32_t)in[d] - p->in_zp);
            if (bias)
                acc += bias[o];
            const int32_t q = p->per_channel ? o : 0;
            acc = nk_mbqm(acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
            output[(size_t)b * p->out_depth + o] = (int8_t)nk_clamp(acc, p->act_min, p->act_max);
        }
    }
    return NK_OK;
}

/* int16x8: int16 activations (zero points 0: in_zp/out_zp are not read),
 * int8 weights (filter_zp applied per-tensor, as TFLite; 0 per-channel),
 * int64 bias and accumulator, nk_mbqm64.  Portable only. */
static int fc_s16(const nk_fc_params *p, const int16_t *input, const int8_t *weights,
                  const int64_t *bias, const int32_t *bias32, int acc32, int16_t *output)
{
    if (fc_check(p) != NK_OK || !input || !weights || !output || !p->out_mult ||
        !p->out_shift || p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    const int32_t depth = p->in_depth;
    const int32_t wzp = p->per_channel ? 0 : p->filter_zp;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int16_t *in = input + (size_t)b * depth;
        for (int32_t o = 0; o < p->out_depth; ++o) {
            const int8_t *w = weights + (size_t)o * depth;
            int64_t acc = 0;
            for (int32_t d = 0; d < depth; ++d)
                acc += ((int32_t)w[d] - wzp) * (int32_t)in[d];
            if (bias)
                acc += bias[o];
            if (bias32)
                acc += bias32[o];
            const int32_t q = p->per_channel ? o : 0;
            const int32_t v = acc32 ? nk_mbqm(nk_wrap64to32(acc), p->out_mult[q], p->out_shift[q])
                                     : nk_mbqm64(acc, p->out_mult[q], p->out_shift[q]);
            output[(size_t)b * p->out_depth + o] = (int16_t)nk_clamp(v, p->act_min, p->act_max);
        }
    }
    return NK_OK;
}

int nk_fully_connected_s16(const nk_fc_params *p, const int16_t *input,
                           const int8_t *weights, const int64_t *bias, int16_t *output)
{
    return fc_s16(p, input, weights, bias, NULL, 0, output);
}

/* int16x8 with an int32 bias (TFLite's FullyConnected<int32_t>): int32
 * accumulator (wrapping) and the 32-bit MultiplyByQuantizedMultiplier. */
int nk_fully_connected_s16_b32(const nk_fc_params *p, const int16_t *input,
                               const int8_t *weights, const int32_t *bias, int16_t *output)
{
    return fc_s16(p, input, weights, NULL, bias, 1, output);
}

int nk_fully_connected_f32(const nk_fc_params *p, const float *input,
                           const float *weights, const float *bias, float *output)
{
    if (fc_check(p) != NK_OK || !input || !weights || !output)
        return NK_ERR_PARAMS;
    const int32_t depth = p->in_depth;
    for (int32_t b = 0; b < p->batches; ++b) {
        const float *in = input + (size_t)b * depth;
        for (int32_t o = 0; o < p->out_depth; ++o) {
            const float *w = weights + (size_t)o * depth;
            float total = 0.0f;
            for (int32_t d = 0; d < depth; ++d)
                total += in[d] * w[d];
            const float bias_value = bias ? bias[o] : 0.0f;
            output[(size_t)b * p->out_depth + o] =
                nk_fminmax(total + bias_value, p->act_min_f, p->act_max_f);
        }
    }
    return NK_OK;
}
