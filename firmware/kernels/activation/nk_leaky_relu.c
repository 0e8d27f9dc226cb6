/* firmware/kernels/activation/nk_leaky_relu.c — LEAKY_RELU int8, int16 and
 * float32, as TFLite Micro's leaky_relu.cc (reference QuantizeLeakyRelu):
 * non-negative (q - in_zp) scaled by the identity multiplier, negative by
 * the alpha multiplier, plus out_zp, clamped to the output type. */
#include "nk.h"
#include "nk_fixedpoint.h"

static inline int32_t leaky_one(const nk_leaky_relu_params *p, int32_t q, int32_t lo, int32_t hi)
{
    const int32_t v = q - p->in_zp;
    const int32_t r = v >= 0 ? nk_mbqm(v, p->mult_identity, p->shift_identity)
                             : nk_mbqm(v, p->mult_alpha, p->shift_alpha);
    return nk_clamp(r + p->out_zp, lo, hi);
}

static int leaky_check(const nk_leaky_relu_params *p, const void *in, const void *out)
{
    if (!p || p->size < 0 || !in || !out || p->shift_identity > 30 || p->shift_identity < -31 ||
        p->shift_alpha > 30 || p->shift_alpha < -31)
        return NK_ERR_PARAMS;
    return NK_OK;
}

int nk_leaky_relu_s8(const nk_leaky_relu_params *p, const int8_t *input, int8_t *output)
{
    if (leaky_check(p, input, output) != NK_OK)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i)
        output[i] = (int8_t)leaky_one(p, input[i], -128, 127);
    return NK_OK;
}

int nk_leaky_relu_s16(const nk_leaky_relu_params *p, const int16_t *input, int16_t *output)
{
    if (leaky_check(p, input, output) != NK_OK)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i)
        output[i] = (int16_t)leaky_one(p, input[i], -32768, 32767);
    return NK_OK;
}

int nk_leaky_relu_f32(const nk_leaky_relu_params *p, const float *input, float *output)
{
    if (!p || p->size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const float x = input[i];
        output[i] = x > 0.0f ? x : x * p->alpha;
    }
    return NK_OK;
}
