/* firmware/kernels/activation/nk_hard_swish.c — HARD_SWISH.  int8: TFLite's
 * reference HardSwish on 16-bit fixed point (input on a 2^7 finer scale,
 * "relu-ish" factor in [0, 1] from a saturating rescale of x/3, product by
 * a truncating doubling high multiply, output shift, output zero point).
 * float: x * min(6, max(0, x + 3)) / 6. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

static int8_t hard_swish_one(const nk_hard_swish_params *p, int32_t q)
{
    const int32_t input_value = (int32_t)(int16_t)(q - p->in_zp);
    const int32_t hires = (int32_t)(int16_t)(input_value * (1 << 7));
    const int32_t preshift_output_scale = nk_srdhm16(hires, p->out_mult);
    int32_t reluish = hires;
    if (p->reluish_exp > 0)
        reluish = nk_sat_shl16(reluish, p->reluish_exp - 1);
    reluish = nk_srdhm16(reluish, p->reluish_mult);
    if (p->reluish_exp > 0)
        reluish = nk_sat_shl16(reluish, 1);
    if (p->reluish_exp < 0)
        reluish = nk_rdbpot(reluish, -p->reluish_exp);
    reluish = (int32_t)(int16_t)((reluish + (1 << 15)) >> 1);
    const int32_t preshift_output = nk_sdhm16(reluish, preshift_output_scale);
    int32_t out = (int32_t)(int16_t)nk_rdbpot(preshift_output, -p->out_exp);
    out = (int32_t)(int16_t)(out + p->out_zp);
    return (int8_t)nk_clamp(out, -128, 127);
}

int nk_hard_swish_s8(const nk_hard_swish_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->size < 0 || !input || !output || p->out_exp > 0 || p->out_exp < -15 ||
        p->reluish_exp > 15 || p->reluish_exp < -15)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i)
        output[i] = hard_swish_one(p, input[i]);
    return NK_OK;
}

int nk_hard_swish_f32(int32_t size, const float *input, float *output)
{
    if (size < 0 || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < size; ++i) {
        const float x = input[i];
        float r = x + 3.0f;
        r = r > 0.0f ? r : 0.0f;
        r = r < 6.0f ? r : 6.0f;
        output[i] = x * r / 6.0f;
    }
    return NK_OK;
}
