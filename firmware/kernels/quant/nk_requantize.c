/* firmware/kernels/quant/nk_requantize.c — QUANTIZE int8 -> int8 (TFLite's
 * reference Requantize): out = clamp(out_zp + MBQM(q - in_zp, mult, shift),
 * act_min, act_max). */
#include "nk.h"
#include "nk_fixedpoint.h"

int nk_requantize_s8(const nk_requant_params *p, const int8_t *input, int8_t *output)
{
    if (!p || p->size < 0 || !input || !output || p->shift > 30 || p->shift < -31 ||
        p->act_min > p->act_max)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = nk_mbqm((int32_t)input[i] - p->in_zp, p->mult, p->shift) + p->out_zp;
        output[i] = (int8_t)nk_clamp(v, p->act_min, p->act_max);
    }
    return NK_OK;
}
